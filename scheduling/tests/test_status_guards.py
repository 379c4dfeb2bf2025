"""Check-in, no-show and the other status changes take the appointment through one guard
(scheduling.services._locked_for): under its row lock, who may act first (404 / 403), then the state (409)."""

import pytest
from django.core.exceptions import PermissionDenied

from hms.exceptions import Conflict, DomainNotFound
from patients.tests.factories import PatientFactory
from scheduling import services
from scheduling.choices import AppointmentStatus
from scheduling.tests.factories import AppointmentFactory, starting_now

pytestmark = pytest.mark.django_db

GUARDED = {
    "check in": services.appointment_check_in,
    "no-show": services.appointment_mark_no_show,
    "cancel": lambda **kw: services.appointment_cancel(reason="Feels better", **kw),
}


@pytest.mark.parametrize("action", GUARDED)
def test_another_patients_appointment_is_not_found(make_user, action):
    appointment = AppointmentFactory(start=starting_now())
    stranger = make_user("Patient")
    PatientFactory(user=stranger)

    with pytest.raises(DomainNotFound):
        GUARDED[action](appointment=appointment, acting_user=stranger)


@pytest.mark.parametrize("action", ["check in", "no-show"])
def test_a_patient_does_not_check_in_or_no_show_their_own_appointment(make_user, action):
    patient = PatientFactory(user=make_user("Patient"))
    appointment = AppointmentFactory(patient=patient, start=starting_now())

    with pytest.raises(PermissionDenied):
        GUARDED[action](appointment=appointment, acting_user=patient.user)


@pytest.mark.parametrize("action", GUARDED)
def test_a_cancelled_appointment_is_refused_by_its_state(make_user, action):
    appointment = AppointmentFactory(start=starting_now(), status=AppointmentStatus.CANCELLED)

    with pytest.raises(Conflict):
        GUARDED[action](appointment=appointment, acting_user=make_user("Receptionist"))

    appointment.refresh_from_db()
    assert appointment.status == AppointmentStatus.CANCELLED
