"""Clinical's completion check (registered in ClinicalConfig.ready() into scheduling.hooks): a visit is completed
only with an open medical record holding at least one diagnosis, through the service, the API and the page."""

import pytest
from django.urls import reverse

from clinical.services import record_ready_for_completion
from clinical.tests.factories import DiagnosisFactory, MedicalRecordFactory
from hms.exceptions import Conflict
from scheduling import hooks, services
from scheduling.choices import AppointmentStatus
from scheduling.tests.factories import AppointmentFactory, starting_now
from staff.tests.factories import DoctorFactory

pytestmark = pytest.mark.django_db
MESSAGE = "The visit cannot be completed yet: it needs an open medical record with at least one diagnosis."


def _documented(appointment):
    record = MedicalRecordFactory(appointment=appointment, patient=appointment.patient, doctor=appointment.doctor)
    DiagnosisFactory(record=record)
    return appointment


def test_clinical_registers_its_check_with_scheduling():
    assert record_ready_for_completion in hooks.completion_checks


def test_completing_a_visit_without_a_diagnosed_record_is_refused_and_nothing_changes():
    appointment = AppointmentFactory(status=AppointmentStatus.IN_PROGRESS)
    doctor_user = appointment.doctor.user

    with pytest.raises(Conflict, match=MESSAGE) as excinfo:
        services.appointment_complete(appointment=appointment, acting_user=doctor_user)
    MedicalRecordFactory(appointment=appointment, patient=appointment.patient, doctor=appointment.doctor)
    with pytest.raises(Conflict, match=MESSAGE):
        services.appointment_complete(appointment=appointment, acting_user=doctor_user)

    assert excinfo.value.code == "record_incomplete"
    appointment.refresh_from_db()
    assert appointment.status == AppointmentStatus.IN_PROGRESS and appointment.completed_at is None
    assert appointment.history.count() == 1  # (moved from scheduling's tests: the rule is clinical's)


def test_the_api_answers_409_until_the_visit_has_a_diagnosis_then_completes_it(api_as):
    doctor = DoctorFactory()
    appointment = AppointmentFactory(doctor=doctor, start=starting_now(), status=AppointmentStatus.IN_PROGRESS)
    client = api_as(doctor.user)

    undocumented = client.post(f"/api/v1/appointments/{appointment.pk}/complete/")
    assert undocumented.status_code == 409
    assert undocumented.json()["detail"] == MESSAGE

    _documented(appointment)
    completed = client.post(f"/api/v1/appointments/{appointment.pk}/complete/")
    assert completed.status_code == 200 and completed.json()["status"] == "completed"


def test_the_doctors_page_shows_the_refusal_and_leaves_the_visit_in_progress(client):
    doctor = DoctorFactory()
    appointment = AppointmentFactory(doctor=doctor, start=starting_now(), status=AppointmentStatus.IN_PROGRESS)
    client.force_login(doctor.user)

    response = client.post(reverse("scheduling:complete", args=[appointment.pk]), follow=True)

    assert MESSAGE in response.content.decode()
    appointment.refresh_from_db()
    assert appointment.status == AppointmentStatus.IN_PROGRESS
