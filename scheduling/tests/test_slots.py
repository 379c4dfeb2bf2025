"""Free slots: availability windows cut into slots, minus time off, active appointments and the past."""

import datetime
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from scheduling.choices import AppointmentStatus
from scheduling.models import MAX_APPOINTMENT_MINUTES
from scheduling.selectors import doctor_free_slots
from scheduling.tests.factories import AppointmentFactory, AvailabilityFactory, TimeOffFactory
from staff.tests.factories import DoctorFactory, HospitalFactory

pytestmark = pytest.mark.django_db

NY = ZoneInfo("America/New_York")
MONDAY = datetime.date(2030, 1, 7)
LONG_AGO = datetime.datetime(2020, 1, 1, tzinfo=datetime.UTC)


def local(hour, minute=0, day=MONDAY, tz=NY):
    return datetime.datetime.combine(day, datetime.time(hour, minute), tzinfo=tz)


def starts(slots):
    return [start.strftime("%H:%M") for start, _end in slots]


def free(doctor, day=MONDAY, date_to=None, now=LONG_AGO):
    return doctor_free_slots(doctor=doctor, date_from=day, date_to=date_to or day, now=now)


@pytest.fixture
def window():
    return AvailabilityFactory(doctor__hospital__timezone="America/New_York")


def test_a_window_is_cut_into_slots_of_its_length(window):
    slots = free(window.doctor)

    assert len(slots) == 16
    assert slots[0] == (local(9), local(9, 30))
    assert slots[-1] == (local(16, 30), local(17))
    assert all(start.tzinfo is not None for start, _ in slots)


def test_slot_length_comes_from_the_window():
    window = AvailabilityFactory(start_time=datetime.time(9), end_time=datetime.time(10, 10), slot_minutes=20)

    assert starts(free(window.doctor)) == ["09:00", "09:20", "09:40"]  # the 10:00-10:20 slot does not fit


def test_windows_give_slots_only_on_their_weekday_and_validity(window):
    AvailabilityFactory(
        doctor=window.doctor,
        weekday=2,
        start_time=datetime.time(13),
        end_time=datetime.time(14),
        valid_from=datetime.date(2030, 1, 9),
        valid_to=datetime.date(2030, 1, 9),
    )

    week = free(window.doctor, MONDAY, MONDAY + datetime.timedelta(days=13))

    days = sorted({start.date() for start, _ in week})
    assert days == [MONDAY, datetime.date(2030, 1, 9), datetime.date(2030, 1, 14)]
    assert starts([s for s in week if s[0].date() == datetime.date(2030, 1, 9)]) == ["13:00", "13:30"]


def test_a_window_ends_on_its_valid_to_day(window):
    window.valid_to = MONDAY - datetime.timedelta(days=1)
    window.save()

    assert free(window.doctor) == []


def test_time_off_removes_the_slots_it_touches(window):
    TimeOffFactory(doctor=window.doctor, start=local(10, 15), end=local(12))

    slots = starts(free(window.doctor))

    assert "10:00" not in slots and "10:30" not in slots and "11:30" not in slots
    assert "09:30" in slots and "12:00" in slots
    assert len(slots) == 16 - 4


def test_time_off_over_several_days_removes_them_all(window):
    TimeOffFactory(doctor=window.doctor, start=local(0, day=MONDAY - datetime.timedelta(days=3)), end=local(23))

    assert free(window.doctor, MONDAY, MONDAY + datetime.timedelta(days=7)) == free(
        window.doctor, MONDAY + datetime.timedelta(days=7)
    )


LONGEST = datetime.timedelta(minutes=MAX_APPOINTMENT_MINUTES)


def test_the_longest_appointment_begun_before_the_days_still_takes_the_slot_it_runs_into(window):
    # The slot query reads appointments starting after (first slot - MAX_APPOINTMENT_MINUTES) only.
    start = local(9) - LONGEST + datetime.timedelta(minutes=1)
    AppointmentFactory(doctor=window.doctor, start=start, end=start + LONGEST)

    slots = starts(free(window.doctor))

    assert "09:00" not in slots and "09:30" in slots


def test_an_appointment_ending_as_the_first_slot_begins_leaves_it_free(window):
    AppointmentFactory(doctor=window.doctor, start=local(9) - LONGEST, end=local(9))

    assert starts(free(window.doctor))[0] == "09:00"


def test_an_appointment_longer_than_the_maximum_is_refused(window):
    appointment = AppointmentFactory(doctor=window.doctor, start=local(9))
    appointment.end = local(9) + LONGEST + datetime.timedelta(minutes=1)

    with pytest.raises(ValidationError) as refused:
        appointment.full_clean()

    assert refused.value.message_dict["end"] == ["An appointment lasts at most 9 hours."]
    with pytest.raises(IntegrityError), transaction.atomic():
        appointment.save()


@pytest.mark.parametrize(
    ("status", "frees_the_slot"),
    [
        (AppointmentStatus.SCHEDULED, False),
        (AppointmentStatus.CHECKED_IN, False),
        (AppointmentStatus.IN_PROGRESS, False),
        (AppointmentStatus.COMPLETED, True),
        (AppointmentStatus.CANCELLED, True),
        (AppointmentStatus.NO_SHOW, True),
    ],
)
def test_active_appointments_take_their_slot(window, status, frees_the_slot):
    AppointmentFactory(doctor=window.doctor, start=local(11), end=local(11, 30), status=status)

    assert ("11:00" in starts(free(window.doctor))) is frees_the_slot


def test_another_doctors_appointment_takes_nothing(window):
    AppointmentFactory(start=local(11), end=local(11, 30))

    assert "11:00" in starts(free(window.doctor))


def test_slots_that_have_begun_are_gone(window):
    slots = free(window.doctor, now=local(11, 10))

    assert starts(slots)[0] == "11:30"


def test_an_inactive_doctor_has_no_slots(window):
    window.doctor.is_active = False
    window.doctor.save()

    assert free(window.doctor) == []


def test_slots_are_wall_clock_time_of_the_hospital():
    window = AvailabilityFactory(doctor__hospital__timezone="America/Los_Angeles")

    first_start, _ = free(window.doctor)[0]

    assert first_start.utcoffset() == datetime.timedelta(hours=-8)
    assert first_start.astimezone(datetime.UTC).hour == 17


@pytest.mark.parametrize(
    ("day_before", "change_day", "offset_before", "offset_after"),
    [
        (datetime.date(2026, 3, 7), datetime.date(2026, 3, 8), -5, -4),  # spring forward
        (datetime.date(2026, 10, 31), datetime.date(2026, 11, 1), -4, -5),  # fall back
    ],
)
def test_dst_days_keep_local_hours_and_change_the_utc_offset(day_before, change_day, offset_before, offset_after):
    doctor = DoctorFactory(hospital__timezone="America/New_York")
    for day in (day_before, change_day):
        AvailabilityFactory(doctor=doctor, weekday=day.weekday(), valid_from=datetime.date(2026, 1, 1))

    slots = free(doctor, day_before, change_day, now=datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC))

    for day, offset in ((day_before, offset_before), (change_day, offset_after)):
        on_day = [s for s in slots if s[0].date() == day]
        assert starts(on_day) == [f"{h:02d}:{m:02d}" for h in range(9, 17) for m in (0, 30)]
        assert {start.utcoffset() for start, _ in on_day} == {datetime.timedelta(hours=offset)}
        assert all(end - start == datetime.timedelta(minutes=30) for start, end in on_day)
    first_before = [s for s in slots if s[0].date() == day_before][0][0]
    first_change = [s for s in slots if s[0].date() == change_day][0][0]
    assert first_before.astimezone(datetime.UTC).hour == 9 - offset_before
    assert first_change.astimezone(datetime.UTC).hour == 9 - offset_after


def test_wall_clock_times_skipped_by_spring_forward_are_not_slots():
    doctor = DoctorFactory(hospital__timezone="America/New_York")
    AvailabilityFactory(doctor=doctor, weekday=6, start_time=datetime.time(1), end_time=datetime.time(4))

    slots = free(doctor, datetime.date(2026, 3, 8), now=datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC))

    # 01:30-02:00, 02:00 and 02:30 do not exist that night (02:00 jumps to 03:00).
    assert starts(slots) == ["01:00", "03:00", "03:30"]


def test_windows_at_an_inactive_hospital_give_no_slots(window):
    hospital = HospitalFactory(is_active=False)
    AvailabilityFactory(doctor=window.doctor, hospital=hospital, weekday=1)

    assert free(window.doctor, MONDAY + datetime.timedelta(days=1)) == []


@pytest.mark.parametrize("appointments", [3, 30])
def test_the_slot_query_count_does_not_grow_with_appointments(window, appointments, django_assert_num_queries):
    for index in range(appointments):
        start = local(9) + datetime.timedelta(days=7 * (index // 16), minutes=30 * (index % 16))
        AppointmentFactory(doctor=window.doctor, start=start, end=start + datetime.timedelta(minutes=30))
    third_monday = MONDAY + datetime.timedelta(days=14)
    TimeOffFactory(doctor=window.doctor, start=local(9, day=third_monday), end=local(12, day=third_monday))

    with django_assert_num_queries(3):
        slots = free(window.doctor, MONDAY, MONDAY + datetime.timedelta(days=20))

    assert len(slots) == 3 * 16 - appointments - 6
