"""A medical record belongs to its appointment for good: clinical.services refuses a move (API and pages alike)."""

import pytest
from django.core.exceptions import ValidationError

from clinical import services
from clinical.tests.factories import MedicalRecordFactory
from scheduling.tests.factories import AppointmentFactory

pytestmark = pytest.mark.django_db


def test_the_service_refuses_to_move_a_record_to_another_appointment():
    record = MedicalRecordFactory()
    home = record.appointment_id

    with pytest.raises(ValidationError) as refused:
        services.record_update_notes(
            record=record, acting_user=record.doctor.user, appointment=AppointmentFactory(doctor=record.doctor)
        )

    assert refused.value.message_dict == {"appointment": ["A record belongs to its appointment for good."]}
    record.refresh_from_db()
    assert record.appointment_id == home


def test_the_api_answers_a_move_with_a_field_error(api_as):
    record = MedicalRecordFactory()
    other = AppointmentFactory(doctor=record.doctor)

    response = api_as(record.doctor.user).patch(f"/api/v1/medical-records/{record.pk}/", {"appointment": other.pk})

    assert response.status_code == 400
    assert response.json()["appointment"] == ["A record belongs to its appointment for good."]
