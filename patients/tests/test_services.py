import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from patients.models import InsurancePolicy, Patient
from patients.services import (
    DuplicatePatient,
    allergy_add,
    allergy_update,
    insurance_policy_add,
    insurance_policy_update,
    luhn_check_digit,
    medical_history_add,
    patient_register,
    patient_set_active,
    patient_update,
)
from patients.tests.factories import InsurancePolicyFactory, PatientFactory, PayerFactory
from staff.tests.factories import HospitalFactory, UserFactory

pytestmark = pytest.mark.django_db


def register(user, **overrides):
    data = {
        "first_name": "Ada",
        "last_name": "Lovelace",
        "date_of_birth": datetime.date(1985, 12, 10),
        "sex": "female",
        "state": "MA",
        "preferred_hospital": HospitalFactory(),
    }
    data.update(overrides)
    return patient_register(acting_user=user, **data)


def test_registration_assigns_a_unique_mrn_with_a_valid_check_digit_and_records_who():
    clerk = UserFactory()
    first = register(clerk)
    second = register(clerk, first_name="Grace", last_name="Hopper")
    assert first.mrn != second.mrn
    for patient in (first, second):
        assert len(patient.mrn) == 8
        assert luhn_check_digit(patient.mrn[:7]) == patient.mrn[7]
        assert patient.registered_by == clerk
        assert patient.history.first().history_user == clerk


def test_mrns_are_never_reused_after_a_patient_is_deactivated():
    clerk = UserFactory()
    first = register(clerk)
    patient_set_active(patient=first, active=False, acting_user=clerk)
    second = register(clerk, first_name="Grace")
    assert second.mrn > first.mrn
    assert Patient.objects.filter(mrn=first.mrn).count() == 1


def test_registration_warns_about_a_possible_duplicate_and_saves_nothing():
    clerk = UserFactory()
    existing = register(clerk)
    with pytest.raises(DuplicatePatient) as refusal:
        register(clerk, first_name=" ada ", last_name="LOVELACE")
    assert existing.mrn in refusal.value.message
    assert refusal.value.extra["duplicates"] == [existing.mrn]
    assert Patient.objects.count() == 1


def test_a_confirmed_duplicate_is_registered_with_its_own_mrn():
    clerk = UserFactory()
    existing = register(clerk)
    twin = register(clerk, allow_duplicate=True)
    assert twin.pk != existing.pk and twin.mrn != existing.mrn


def test_registration_refuses_a_birth_date_in_the_future():
    with pytest.raises(ValidationError) as refusal:
        register(UserFactory(), date_of_birth=timezone.localdate() + datetime.timedelta(days=1))
    assert "date_of_birth" in refusal.value.message_dict
    assert Patient.objects.count() == 0


def test_registration_refuses_unknown_fields():
    with pytest.raises(ValidationError):
        register(UserFactory(), favourite_colour="blue")


def test_age_is_derived_from_the_date_of_birth():
    patient = PatientFactory.build(date_of_birth=datetime.date(2000, 2, 29))
    assert patient.age_on(datetime.date(2026, 2, 28)) == 25
    assert patient.age_on(datetime.date(2026, 3, 1)) == 26


def test_update_records_a_new_history_version_with_the_acting_user():
    clerk, editor = UserFactory(), UserFactory()
    patient = register(clerk)
    patient_update(patient=patient, acting_user=editor, phone="(617) 555-0142")
    patient.refresh_from_db()
    assert patient.phone == "(617) 555-0142"
    assert patient.history.count() == 2
    assert patient.history.first().history_user == editor


def test_update_refuses_invalid_values_and_changes_nothing():
    patient = register(UserFactory())
    with pytest.raises(ValidationError):
        patient_update(patient=patient, acting_user=UserFactory(), email="not-an-email")
    patient.refresh_from_db()
    assert patient.email == ""
    assert patient.history.count() == 1


def test_the_mrn_cannot_be_changed_through_the_update_service():
    patient = register(UserFactory())
    with pytest.raises(ValueError):
        patient_update(patient=patient, acting_user=UserFactory(), mrn="00000000")


def test_deactivation_keeps_the_patient_and_its_history():
    clerk = UserFactory()
    patient = register(clerk)
    patient_set_active(patient=patient, active=False, acting_user=clerk)
    patient.refresh_from_db()
    assert patient.is_active is False
    assert [h.is_active for h in patient.history.all()] == [False, True]


def test_allergies_and_history_entries_are_audited(make_user):
    nurse = make_user("Nurse")
    patient = PatientFactory()
    allergy = allergy_add(
        patient=patient, acting_user=nurse, substance="Penicillin", reaction="Rash", severity="severe"
    )
    allergy_update(allergy=allergy, acting_user=nurse, is_active=False)
    entry = medical_history_add(patient=patient, acting_user=nurse, condition="Asthma", status="chronic")
    assert allergy.history.count() == 2
    assert allergy.history.first().history_user == nurse
    assert entry.history.first().history_user == nurse


def test_the_first_active_policy_becomes_primary_and_a_new_primary_demotes_the_old_one():
    clerk = UserFactory()
    patient = PatientFactory()
    common = {"coverage_percent": Decimal("80"), "copay": Decimal("20.00"), "valid_from": datetime.date(2025, 1, 1)}
    aetna, cigna = PayerFactory(name="Aetna"), PayerFactory(name="Cigna")
    first = insurance_policy_add(patient=patient, acting_user=clerk, payer=aetna, policy_number="A1", **common)
    assert first.is_primary
    second = insurance_policy_add(
        patient=patient, acting_user=clerk, payer=cigna, policy_number="C1", is_primary=True, **common
    )
    first.refresh_from_db()
    assert second.is_primary and not first.is_primary
    assert InsurancePolicy.objects.filter(patient=patient, is_primary=True).count() == 1
    assert first.history.first().history_user == clerk


def test_a_deactivated_policy_is_no_longer_primary():
    policy = InsurancePolicyFactory(is_primary=True)
    insurance_policy_update(policy=policy, acting_user=UserFactory(), is_active=False)
    policy.refresh_from_db()
    assert not policy.is_primary and not policy.is_active


def test_policy_rules_refuse_bad_coverage_and_reversed_validity():
    patient = PatientFactory()
    with pytest.raises(ValidationError) as refusal:
        insurance_policy_add(
            patient=patient,
            acting_user=UserFactory(),
            payer=PayerFactory(name="Aetna"),
            policy_number="A1",
            coverage_percent=Decimal("150"),
            copay=Decimal("-1"),
            valid_from=datetime.date(2025, 1, 1),
            valid_to=datetime.date(2024, 1, 1),
        )
    assert {"coverage_percent", "copay"} <= set(refusal.value.message_dict)
    assert not InsurancePolicy.objects.exists()


def test_valid_on_selects_policies_covering_the_day():
    policy = InsurancePolicyFactory(valid_from=datetime.date(2025, 1, 1), valid_to=datetime.date(2025, 12, 31))
    assert list(InsurancePolicy.objects.valid_on(datetime.date(2025, 6, 1))) == [policy]
    assert not InsurancePolicy.objects.valid_on(datetime.date(2026, 1, 1)).exists()
    assert policy.is_valid_on(datetime.date(2025, 12, 31))
