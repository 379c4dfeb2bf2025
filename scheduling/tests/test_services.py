"""Booking rules, the status machine, rescheduling, availability and time off, through the services."""

import datetime
import re
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from hms.exceptions import Conflict
from patients.tests.factories import PatientFactory
from scheduling import services
from scheduling.choices import AppointmentKind, AppointmentStatus, EquipmentStatus
from scheduling.models import Appointment, Availability, TimeOff
from scheduling.selectors import doctor_free_slots
from scheduling.signals import appointment_completed
from scheduling.tests.factories import (
    AppointmentFactory,
    AvailabilityFactory,
    EquipmentFactory,
    RoomFactory,
    TimeOffFactory,
)
from staff.tests.factories import StaffMemberFactory

pytestmark = pytest.mark.django_db

NY = ZoneInfo("America/New_York")
MONDAY = datetime.date(2030, 1, 7)
NOW = datetime.datetime(2030, 1, 1, 12, tzinfo=datetime.UTC)
ONE_DAY = datetime.timedelta(days=1)


def local(hour, minute=0, day=MONDAY):
    return datetime.datetime.combine(day, datetime.time(hour, minute), tzinfo=NY)


@pytest.fixture
def clerk(make_user):
    """Who acts in these tests: an administrator, whom scheduling.policies lets take every action
    (the rules of who may act are in test_policies.py)."""
    return make_user("Administrator")


@pytest.fixture
def manager(make_user):
    """An administrator: maintains any doctor's availability and time off (scheduling.policies)."""
    return make_user("Administrator")


@pytest.fixture
def window():
    return AvailabilityFactory(doctor__hospital__timezone="America/New_York")


@pytest.fixture
def doctor(window):
    return window.doctor


@pytest.fixture
def patient():
    return PatientFactory()


@pytest.fixture
def book(clerk, doctor, patient):
    def _book(**kwargs):
        data = {
            "acting_user": clerk,
            "patient": patient,
            "doctor": doctor,
            "start": local(10),
            "reason": "Chest pain on exertion",
            "now": NOW,
            **kwargs,
        }
        return services.appointment_book(**data)

    return _book


def refused(call, exception=Conflict):
    """Run a refused call; return its message after checking nothing was saved."""
    before = Appointment.objects.count(), Appointment.history.count()
    with pytest.raises(exception) as info:
        call()
    assert (Appointment.objects.count(), Appointment.history.count()) == before
    error = info.value
    return error.message if isinstance(error, Conflict) else " ".join(error.messages)


# --- booking ---------------------------------------------------------------------------------


def test_booking_takes_the_slot_length_and_place_from_the_window(book, clerk, doctor, patient):
    appointment = book(start=local(10, 30))

    appointment.refresh_from_db()
    assert appointment.start == local(10, 30)
    assert appointment.end == local(11)
    assert appointment.hospital == doctor.hospital
    assert appointment.status == AppointmentStatus.SCHEDULED
    assert appointment.booked_by == clerk
    assert appointment.booked_at == NOW
    assert appointment.telemedicine_url == ""
    record = appointment.history.get()
    assert record.history_type == "+" and record.history_user == clerk


def test_a_twenty_minute_window_books_twenty_minutes(book, doctor):
    AvailabilityFactory(
        doctor=doctor, weekday=1, start_time=datetime.time(8), end_time=datetime.time(9), slot_minutes=20
    )

    appointment = book(start=local(8, 40, day=MONDAY + datetime.timedelta(days=1)))

    assert appointment.end - appointment.start == datetime.timedelta(minutes=20)


def test_a_telemedicine_visit_gets_its_own_https_join_link(book, settings):
    settings.TELEMEDICINE_BASE_URL = "https://video.hms.example/visit/"

    first = book(kind=AppointmentKind.TELEMEDICINE)
    second = book(kind=AppointmentKind.TELEMEDICINE, start=local(11), patient=PatientFactory())

    assert first.telemedicine_url.startswith("https://video.hms.example/visit/")
    assert len(first.telemedicine_url.rsplit("/", 1)[1]) >= 24
    assert first.telemedicine_url != second.telemedicine_url


def test_a_cancelled_appointment_frees_its_slot(book, clerk):
    first = book()
    services.appointment_cancel(appointment=first, reason="Patient feels better", acting_user=clerk)

    assert book(patient=PatientFactory()).start == local(10)


def test_booking_with_a_free_room_and_equipment(book, doctor):
    room = RoomFactory(hospital=doctor.hospital)
    equipment = EquipmentFactory(hospital=doctor.hospital)

    appointment = book(room=room, equipment=equipment)

    assert (appointment.room, appointment.equipment) == (room, equipment)


def test_it_refuses_a_time_outside_availability(book):
    message = refused(lambda: book(start=local(10, day=MONDAY + datetime.timedelta(days=1))))
    assert "does not see patients at Tue 01/08/2030 at 10:00 AM EST" in message
    assert "Choose one of the free slots" in message


def test_it_refuses_a_time_between_slot_boundaries(book):
    assert "not at the start of a slot" in refused(lambda: book(start=local(10, 10)))


def test_it_refuses_a_time_before_the_window_opens(book):
    assert "does not see patients" in refused(lambda: book(start=local(8, 30)))


def test_it_refuses_a_slot_outside_the_windows_validity(book, window):
    window.valid_to = MONDAY - datetime.timedelta(days=1)
    window.save()

    assert "does not see patients" in refused(lambda: book())


def test_it_refuses_the_past(book):
    message = refused(lambda: book(now=local(10, 5)))
    assert message == "Mon 01/07/2030 at 10:00 AM EST is in the past. Choose a time from now on."


def test_it_refuses_a_slot_during_time_off(book, doctor):
    TimeOffFactory(doctor=doctor, start=local(9, 45), end=local(12), reason="Sick leave")

    message = refused(lambda: book())

    assert "is away from Mon 01/07/2030 at 9:45 AM EST to Mon 01/07/2030 at 12:00 PM EST" in message
    assert "Sick leave" not in message  # the reason stays private


def test_it_refuses_an_inactive_patient(book, patient):
    patient.is_active = False
    patient.save()

    assert "is inactive. Reactivate the patient before booking" in refused(lambda: book())


def test_it_refuses_an_inactive_doctor(book, doctor):
    doctor.is_active = False
    doctor.save()

    assert "no longer sees patients (inactive)" in refused(lambda: book())


def test_it_refuses_a_visit_at_a_deactivated_hospital(book, doctor):
    doctor.hospital.is_active = False
    doctor.hospital.save()

    assert "does not see patients" in refused(lambda: book())  # a closed hospital offers no slots
    assert not Appointment.objects.exists()


def test_it_refuses_a_staff_member_who_is_not_a_doctor(book):
    nurse = StaffMemberFactory()
    assert "is not a doctor" in refused(lambda: book(doctor=nurse), ValidationError)


def test_it_refuses_a_slot_already_taken(book):
    book()
    message = refused(lambda: book(patient=PatientFactory()))
    assert "already has an appointment at Mon 01/07/2030 at 10:00 AM EST" in message
    assert "Choose another slot" in message


def test_it_refuses_a_patient_already_booked_with_another_doctor(book, patient):
    other = AvailabilityFactory(doctor__hospital__timezone="America/New_York").doctor
    book(doctor=other)

    message = refused(lambda: book())

    assert message == (
        f"{patient.full_name} already has an appointment with {other} at Mon 01/07/2030 at 10:00 AM EST. "
        "Choose another time."
    )


def test_a_checked_in_or_in_progress_visit_still_holds_the_patient(book, patient, doctor):
    AppointmentFactory(patient=patient, start=local(9, 45), end=local(10, 15), status=AppointmentStatus.IN_PROGRESS)

    assert "at Mon 01/07/2030 at 9:45 AM EST, which overlaps the slot Mon 01/07/2030 at 10:00 AM EST" in refused(
        lambda: book()
    )


def test_it_refuses_a_room_already_taken(book, doctor):
    room = RoomFactory(hospital=doctor.hospital, name="Exam 4")
    other = AvailabilityFactory(doctor__hospital=doctor.hospital).doctor
    book(doctor=other, room=room, patient=PatientFactory())

    assert refused(lambda: book(room=room)) == (
        "Room Exam 4 is taken at Mon 01/07/2030 at 10:00 AM EST. Choose another room or time."
    )


def test_it_refuses_equipment_already_taken(book, doctor):
    equipment = EquipmentFactory(hospital=doctor.hospital, name="ECG cart", asset_tag="ECG-1")
    other = AvailabilityFactory(doctor__hospital=doctor.hospital).doctor
    book(doctor=other, equipment=equipment, patient=PatientFactory())

    assert "ECG cart (ECG-1) is booked at Mon 01/07/2030 at 10:00 AM EST" in refused(lambda: book(equipment=equipment))


@pytest.mark.parametrize("status", [EquipmentStatus.MAINTENANCE, EquipmentStatus.RETIRED])
def test_it_refuses_equipment_out_of_service(book, doctor, status):
    equipment = EquipmentFactory(hospital=doctor.hospital, status=status)
    assert "cannot be booked" in refused(lambda: book(equipment=equipment))


def test_equipment_in_use_now_can_be_booked_for_later(book, doctor):
    equipment = EquipmentFactory(hospital=doctor.hospital, status=EquipmentStatus.IN_USE)
    assert book(equipment=equipment).equipment == equipment


def test_it_refuses_an_inactive_room(book, doctor):
    room = RoomFactory(hospital=doctor.hospital, name="Exam 9", is_active=False)
    assert refused(lambda: book(room=room)) == "Room Exam 9 is out of service. Choose another room."


def test_it_refuses_a_room_in_another_hospital(book):
    room = RoomFactory()
    assert "is not at" in refused(lambda: book(room=room), ValidationError)


def test_it_refuses_a_room_for_a_telemedicine_visit(book, doctor):
    room = RoomFactory(hospital=doctor.hospital)
    message = refused(lambda: book(room=room, kind=AppointmentKind.TELEMEDICINE), ValidationError)
    assert message == "A telemedicine visit has a join link, not a room."


def test_it_refuses_a_start_without_a_time_zone(book):
    assert "with its time zone" in refused(lambda: book(start=datetime.datetime(2030, 1, 7, 10)), ValidationError)


def test_it_refuses_a_visit_without_a_reason(book):
    assert refused(lambda: book(reason="  "), ValidationError) == "Give the reason for the visit."


# --- status machine ---------------------------------------------------------------------------

S = AppointmentStatus
ACTIONS = {
    "check_in": (services.appointment_check_in, S.CHECKED_IN, "checked_in_at"),
    "start": (services.appointment_start, S.IN_PROGRESS, "started_at"),
    "complete": (services.appointment_complete, S.COMPLETED, "completed_at"),
    "cancel": (
        lambda **kw: services.appointment_cancel(reason="Patient asked", **kw),
        S.CANCELLED,
        "cancelled_at",
    ),
    "no_show": (services.appointment_mark_no_show, S.NO_SHOW, "no_show_at"),
}
ALLOWED = {
    ("check_in", S.SCHEDULED),
    ("start", S.CHECKED_IN),
    ("complete", S.IN_PROGRESS),
    ("cancel", S.SCHEDULED),
    ("no_show", S.SCHEDULED),
    ("no_show", S.CHECKED_IN),
}
PAST = datetime.datetime(2025, 6, 2, 14, tzinfo=datetime.UTC)  # so a no-show is possible


@pytest.mark.parametrize(("action", "status"), sorted(ALLOWED))
def test_allowed_transitions_change_status_and_stamp_the_time(action, status, clerk):
    appointment = AppointmentFactory(status=status, start=PAST, end=PAST + datetime.timedelta(minutes=30))
    service, target, stamp = ACTIONS[action]
    on_the_day = {"now": PAST - datetime.timedelta(minutes=20)} if action == "check_in" else {}

    service(appointment=appointment, acting_user=clerk, **on_the_day)

    appointment.refresh_from_db()
    assert appointment.status == target
    assert getattr(appointment, stamp) is not None
    assert appointment.history.first().history_user == clerk


@pytest.mark.parametrize(
    ("action", "status"),
    sorted((action, status) for action in ACTIONS for status in S.values if (action, status) not in ALLOWED),
)
def test_forbidden_transitions_are_refused_and_change_nothing(action, status, clerk):
    appointment = AppointmentFactory(status=status, start=PAST, end=PAST + datetime.timedelta(minutes=30))
    service, target, stamp = ACTIONS[action]
    history_before = appointment.history.count()

    with pytest.raises(Conflict) as info:
        service(appointment=appointment, acting_user=clerk)

    assert info.value.status_code == 409
    appointment.refresh_from_db()
    assert appointment.status == status
    assert getattr(appointment, stamp) is None
    assert appointment.history.count() == history_before
    message = info.value.message
    if status == target:
        assert message.startswith("This appointment has already been")
    else:
        assert message.startswith(("A ", "An ")) and "appointment cannot be" in message


@pytest.mark.parametrize(
    ("action", "status", "message"),
    [
        ("cancel", S.COMPLETED, "A completed appointment cannot be cancelled; only scheduled ones can."),
        ("complete", S.COMPLETED, "This appointment has already been completed."),
        (
            "start",
            S.SCHEDULED,
            "A scheduled appointment cannot be started; only checked-in ones can. Check the patient in first.",
        ),
        ("check_in", S.CANCELLED, "A cancelled appointment cannot be checked in; only scheduled ones can."),
        (
            "no_show",
            S.IN_PROGRESS,
            "An in-progress appointment cannot be marked as a no-show; only scheduled or checked-in ones can.",
        ),
    ],
)
def test_refusals_say_why(action, status, message, clerk):
    appointment = AppointmentFactory(status=status, start=PAST, end=PAST + datetime.timedelta(minutes=30))

    with pytest.raises(Conflict, match="^" + re.escape(message) + "$"):
        ACTIONS[action][0](appointment=appointment, acting_user=clerk)


# --- check-in on the appointment's day only (issue 12, bug 5) ----------------------------------

LA = ZoneInfo("America/Los_Angeles")


def test_check_in_the_day_before_the_appointment_is_refused_and_nothing_changes(clerk):
    appointment = AppointmentFactory(start=local(9))
    history_before = appointment.history.count()

    with pytest.raises(Conflict) as info:
        services.appointment_check_in(appointment=appointment, acting_user=clerk, now=local(16, day=MONDAY - ONE_DAY))

    assert info.value.code == "not_appointment_day"
    assert info.value.message == (
        "This appointment is on Mon 01/07/2030 at 9:00 AM EST; a patient is checked in on the day of their "
        "appointment only."
    )
    appointment.refresh_from_db()
    assert (appointment.status, appointment.checked_in_at) == (S.SCHEDULED, None)
    assert appointment.history.count() == history_before


def test_check_in_the_day_after_the_appointment_is_refused(clerk):
    appointment = AppointmentFactory(start=local(9))

    with pytest.raises(Conflict, match="was on Mon 01/07/2030"):
        services.appointment_check_in(appointment=appointment, acting_user=clerk, now=local(8, day=MONDAY + ONE_DAY))


def test_check_in_is_allowed_all_day_long_on_the_appointments_day(clerk):
    appointment = AppointmentFactory(start=local(15))

    services.appointment_check_in(appointment=appointment, acting_user=clerk, now=local(0, 5))

    appointment.refresh_from_db()
    assert appointment.status == S.CHECKED_IN
    assert appointment.checked_in_at == local(0, 5)


def test_the_appointments_day_is_the_day_in_the_hospitals_time_zone(clerk):
    start = datetime.datetime.combine(MONDAY, datetime.time(9), tzinfo=LA)
    appointment = AppointmentFactory(start=start, doctor__hospital__timezone="America/Los_Angeles")
    sunday_evening_in_la = datetime.datetime(2030, 1, 7, 6, tzinfo=datetime.UTC)  # already Monday in UTC
    monday_midnight_in_la = datetime.datetime(2030, 1, 7, 8, 1, tzinfo=datetime.UTC)

    with pytest.raises(Conflict, match="checked in on the day of their appointment only"):
        services.appointment_check_in(appointment=appointment, acting_user=clerk, now=sunday_evening_in_la)
    services.appointment_check_in(appointment=appointment, acting_user=clerk, now=monday_midnight_in_la)

    appointment.refresh_from_db()
    assert appointment.status == S.CHECKED_IN


def test_a_whole_visit_cannot_be_run_the_day_before_it_is_due(clerk):
    appointment = AppointmentFactory(start=local(9))
    the_day_before = local(10, day=MONDAY - ONE_DAY)

    with pytest.raises(Conflict):
        services.appointment_check_in(appointment=appointment, acting_user=clerk, now=the_day_before)
    with pytest.raises(Conflict, match="Check the patient in first."):
        services.appointment_start(appointment=appointment, acting_user=clerk, now=the_day_before)
    with pytest.raises(Conflict, match="Start the visit first|only in-progress"):
        services.appointment_complete(appointment=appointment, acting_user=clerk)

    appointment.refresh_from_db()
    assert appointment.status == S.SCHEDULED
    assert (appointment.checked_in_at, appointment.started_at, appointment.completed_at) == (None, None, None)


def test_a_no_show_is_refused_before_the_appointment_begins(clerk):
    appointment = AppointmentFactory(start=local(10))

    with pytest.raises(Conflict, match="has not begun yet"):
        services.appointment_mark_no_show(appointment=appointment, acting_user=clerk, now=local(9, 59))
    appointment.refresh_from_db()
    assert appointment.status == S.SCHEDULED


def test_cancelling_needs_a_reason_and_keeps_it(clerk):
    appointment = AppointmentFactory()

    with pytest.raises(ValidationError, match="Give a reason for the cancellation"):
        services.appointment_cancel(appointment=appointment, reason=" ", acting_user=clerk)
    services.appointment_cancel(appointment=appointment, reason="Patient moved away", acting_user=clerk)

    appointment.refresh_from_db()
    assert (appointment.status, appointment.cancellation_reason) == (S.CANCELLED, "Patient moved away")


def test_completing_sends_appointment_completed_once(clerk):
    appointment = AppointmentFactory(status=S.IN_PROGRESS)
    received = []

    def receiver(sender, appointment, **kwargs):
        received.append((sender, appointment.pk, appointment.status))

    appointment_completed.connect(receiver)
    try:
        services.appointment_complete(appointment=appointment, acting_user=clerk)
        with pytest.raises(Conflict, match="already been completed"):
            services.appointment_complete(appointment=appointment, acting_user=clerk)
    finally:
        appointment_completed.disconnect(receiver)

    assert received == [(Appointment, appointment.pk, S.COMPLETED)]


def test_completing_names_the_acting_user_in_the_signal(clerk):
    """Receivers get who completed the visit explicitly (``acting_user``), not from a private attribute."""
    appointment = AppointmentFactory(status=S.IN_PROGRESS)
    received = []

    def receiver(sender, appointment, acting_user, **kwargs):
        received.append(acting_user)

    appointment_completed.connect(receiver)
    try:
        services.appointment_complete(appointment=appointment, acting_user=clerk)
    finally:
        appointment_completed.disconnect(receiver)

    assert received == [clerk]


def test_a_failing_receiver_rolls_the_completion_back(clerk):
    appointment = AppointmentFactory(status=S.IN_PROGRESS)

    def broken_billing(sender, appointment, **kwargs):
        raise RuntimeError("billing is down")

    appointment_completed.connect(broken_billing)
    try:
        with pytest.raises(RuntimeError):
            services.appointment_complete(appointment=appointment, acting_user=clerk)
    finally:
        appointment_completed.disconnect(broken_billing)

    appointment.refresh_from_db()
    assert appointment.status == S.IN_PROGRESS and appointment.completed_at is None


# --- rescheduling -----------------------------------------------------------------------------


def test_rescheduling_moves_the_same_row_and_history_keeps_the_old_time(book, clerk):
    appointment = book()
    appointment.reminder_sent_at = NOW
    appointment.save()

    moved = services.appointment_reschedule(appointment=appointment, start=local(14), acting_user=clerk, now=NOW)

    assert moved.pk == appointment.pk
    moved.refresh_from_db()
    assert (moved.start, moved.end) == (local(14), local(14, 30))
    assert moved.reminder_sent_at is None
    assert [h.start for h in moved.history.order_by("history_date", "history_id")] == [
        local(10),
        local(10),
        local(14),
    ]
    assert Appointment.objects.count() == 1


def test_rescheduling_into_a_taken_slot_is_refused(book, clerk):
    appointment = book()
    book(start=local(14), patient=PatientFactory())

    with pytest.raises(Conflict, match="already has an appointment"):
        services.appointment_reschedule(appointment=appointment, start=local(14), acting_user=clerk, now=NOW)
    appointment.refresh_from_db()
    assert appointment.start == local(10)


@pytest.mark.parametrize("status", [S.CHECKED_IN, S.COMPLETED, S.CANCELLED])
def test_only_scheduled_appointments_can_be_rescheduled(status, clerk, doctor):
    appointment = AppointmentFactory(doctor=doctor, start=local(10), status=status)

    with pytest.raises(Conflict, match="cannot be rescheduled"):
        services.appointment_reschedule(appointment=appointment, start=local(14), acting_user=clerk, now=NOW)


def test_rescheduling_outside_availability_is_refused(book, clerk):
    appointment = book()
    with pytest.raises(Conflict, match="does not see patients"):
        services.appointment_reschedule(appointment=appointment, start=local(18), acting_user=clerk, now=NOW)


def test_upcoming_lists_active_appointments_from_now_soonest_first():
    now = local(12)
    later = AppointmentFactory(start=local(15))
    sooner = AppointmentFactory(start=local(13), status=S.CHECKED_IN)
    AppointmentFactory(start=local(14), status=S.CANCELLED)
    AppointmentFactory(start=local(9))

    assert list(Appointment.objects.upcoming(now=now)) == [sooner, later]


# --- availability and time off ----------------------------------------------------------------


def window_data(**kwargs):
    return {
        "weekday": 0,
        "start_time": datetime.time(8),
        "end_time": datetime.time(10),
        "slot_minutes": 15,
        "valid_from": datetime.date(2029, 1, 1),
        **kwargs,
    }


def test_a_doctor_gets_a_window_at_their_hospital_by_default(manager, doctor):
    window = services.availability_create(acting_user=manager, doctor=doctor, **window_data(weekday=3))

    assert window.hospital == doctor.hospital
    assert window.history.get().history_user == manager


def test_overlapping_windows_of_one_doctor_are_refused(manager, doctor):
    with pytest.raises(ValidationError, match="overlaps another window of"):
        services.availability_create(acting_user=manager, doctor=doctor, **window_data(end_time=datetime.time(9, 30)))
    assert Availability.objects.filter(doctor=doctor).count() == 1


@pytest.mark.parametrize(
    "change",
    [
        {"weekday": 1},  # another day
        {"start_time": datetime.time(17), "end_time": datetime.time(19)},  # after hours
        {"valid_from": datetime.date(2018, 1, 1), "valid_to": datetime.date(2019, 12, 31)},  # before it is valid
    ],
)
def test_windows_that_do_not_overlap_are_accepted(manager, doctor, change):
    data = window_data(end_time=datetime.time(9, 30))
    data.update(change)

    services.availability_create(acting_user=manager, doctor=doctor, **data)

    assert Availability.objects.filter(doctor=doctor).count() == 2


def test_a_window_can_be_ended_and_replaced(manager, doctor, window):
    services.availability_update(availability=window, acting_user=manager, valid_to=datetime.date(2028, 12, 31))

    services.availability_create(acting_user=manager, doctor=doctor, **window_data())

    assert Availability.objects.filter(doctor=doctor).count() == 2


def test_a_window_shorter_than_a_slot_is_refused(manager, doctor):
    with pytest.raises(ValidationError, match="shorter than one slot"):
        services.availability_create(
            acting_user=manager, doctor=doctor, **window_data(weekday=4, end_time=datetime.time(8, 10))
        )


def test_only_doctors_have_availability(manager):
    with pytest.raises(ValidationError, match="is not a doctor"):
        services.availability_create(acting_user=manager, doctor=StaffMemberFactory(), **window_data())


def test_time_off_must_end_after_it_starts(manager, doctor):
    with pytest.raises(ValidationError, match="must end after it starts"):
        services.time_off_create(acting_user=manager, doctor=doctor, start=local(12), end=local(12), reason="Leave")
    assert not TimeOff.objects.exists()


def test_time_off_over_booked_appointments_is_refused(manager, doctor, book):
    book()

    with pytest.raises(ValidationError, match="has 1 appointment during this time off.*Reschedule or cancel it first"):
        services.time_off_create(acting_user=manager, doctor=doctor, start=local(8), end=local(18), reason="Leave")
    assert not TimeOff.objects.exists()


def test_time_off_blocks_new_bookings(manager, doctor, book):
    services.time_off_create(acting_user=manager, doctor=doctor, start=local(8), end=local(18), reason="Conference")

    with pytest.raises(Conflict, match="is away from"):
        book()


def test_withdrawn_time_off_frees_its_slots_and_cannot_be_changed(manager):
    window = AvailabilityFactory()
    doctor = window.doctor
    today = timezone.localdate()
    day = today + datetime.timedelta(days=(window.weekday - today.weekday()) % 7 + 7)
    tz = window.hospital.tzinfo
    start = datetime.datetime.combine(day, window.start_time, tzinfo=tz)
    away = TimeOffFactory(doctor=doctor, start=start, end=start + datetime.timedelta(hours=2))
    free = {start for start, _ in doctor_free_slots(doctor=doctor, date_from=day, date_to=day)}
    assert start not in free
    services.time_off_withdraw(time_off=away, acting_user=manager)
    free = {start for start, _ in doctor_free_slots(doctor=doctor, date_from=day, date_to=day)}
    assert start in free
    away.refresh_from_db()
    assert away.is_cancelled and away.history.first().history_user == manager
    with pytest.raises(Conflict, match="withdrawn"):
        services.time_off_update(time_off=away, acting_user=manager, reason="Back on")
