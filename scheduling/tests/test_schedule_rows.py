"""A doctor's availability windows and time off are changed by one helper (scheduling.services._locked_schedule_row):
the schedule's owner or an administrator changes them, and they stay with their doctor."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from scheduling import services
from scheduling.tests.factories import AvailabilityFactory, TimeOffFactory
from staff.tests.factories import DoctorFactory

pytestmark = pytest.mark.django_db


def test_a_window_cannot_move_to_another_doctor(make_user):
    window = AvailabilityFactory()
    doctor = window.doctor_id

    with pytest.raises(ValidationError) as refused:
        services.availability_update(
            availability=window, acting_user=make_user("Administrator"), doctor=DoctorFactory(), slot_minutes=15
        )

    moved = "A window cannot move to another doctor; end it and add a new one."
    assert refused.value.message_dict == {"doctor": [moved]}
    window.refresh_from_db()
    assert (window.doctor_id, window.slot_minutes) == (doctor, 30)


def test_time_off_cannot_move_to_another_doctor(make_user):
    time_off = TimeOffFactory()
    doctor = time_off.doctor_id

    with pytest.raises(ValidationError) as refused:
        services.time_off_update(
            time_off=time_off, acting_user=make_user("Administrator"), doctor=DoctorFactory(), reason="Moved"
        )

    moved = "Time off cannot move to another doctor; add new time off instead."
    assert refused.value.message_dict == {"doctor": [moved]}
    time_off.refresh_from_db()
    assert (time_off.doctor_id, time_off.reason) == (doctor, "Conference")


def test_naming_the_same_doctor_changes_the_rest(make_user):
    time_off = TimeOffFactory()

    services.time_off_update(
        time_off=time_off, acting_user=make_user("Administrator"), doctor=time_off.doctor, reason="Workshop"
    )

    time_off.refresh_from_db()
    assert time_off.reason == "Workshop"


def test_another_doctor_withdraws_no_time_off_of_yours(make_user):
    time_off = TimeOffFactory()

    with pytest.raises(PermissionDenied):
        services.time_off_withdraw(time_off=time_off, acting_user=make_user("Doctor"))

    time_off.refresh_from_db()
    assert not time_off.is_cancelled
