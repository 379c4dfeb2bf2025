"""A claim lists the visit's diagnoses as the record holds them now (moved here from clinical's tests: the claim
is billing's)."""

from decimal import Decimal

import pytest

from billing import services as billing_services
from billing.selectors import claim_document
from clinical import services
from clinical.tests.factories import MedicalRecordFactory
from patients.tests.factories import InsurancePolicyFactory
from scheduling.choices import AppointmentStatus
from scheduling.tests.factories import AppointmentFactory
from staff.tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_a_removed_diagnosis_is_not_on_the_claim():
    appointment = AppointmentFactory(status=AppointmentStatus.COMPLETED)
    record = MedicalRecordFactory(appointment=appointment)
    doctor = record.doctor.user
    kept = services.diagnosis_add(record=record, code="E11.9", acting_user=doctor)
    removed = services.diagnosis_add(record=record, code="I10", acting_user=doctor, is_primary=True)
    services.diagnosis_remove(diagnosis=removed, reason="Wrong patient", acting_user=doctor)
    InsurancePolicyFactory(patient=appointment.patient, coverage_percent=Decimal("80"), copay=Decimal("0"))
    user = UserFactory(is_superuser=True)
    bill = billing_services.bill_create_for_appointment(appointment=appointment, acting_user=user)
    billing_services.bill_issue(bill=bill, acting_user=user)
    claim = billing_services.claim_create(bill=bill, acting_user=user)

    document = claim_document(claim, user=user)

    assert [(d["code"], d["primary"]) for d in document["diagnoses"]] == [(kept.code, True)]
