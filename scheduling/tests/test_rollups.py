"""The appointment roll-up (issue 11) stays equal to the appointments through the services, and the rebuild
command restores it after bulk loads."""

import datetime
import io
import random

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError

from hms.exceptions import Conflict
from patients.tests.factories import PatientFactory
from scheduling import rollups, services
from scheduling.choices import AppointmentKind, AppointmentStatus
from scheduling.models import Appointment, AppointmentDailyCount
from scheduling.tests.factories import AppointmentFactory, AvailabilityFactory
from staff.tests.factories import DoctorFactory, HospitalFactory, UserFactory

pytestmark = pytest.mark.django_db
S = AppointmentStatus
MONDAYS = [datetime.date(2030, 1, 7), datetime.date(2030, 1, 14)]


def _slots(window):
    """Every slot start of the window on the test Mondays (up to 23:30 local: late slots cross UTC midnight)."""
    tz = window.hospital.tzinfo
    starts = []
    for day in MONDAYS:
        moment = datetime.datetime.combine(day, window.start_time, tzinfo=tz)
        while moment.time() < window.end_time:
            starts.append(moment)
            moment += datetime.timedelta(minutes=window.slot_minutes)
    return starts


def _pick(rng, *statuses):
    candidates = list(Appointment.objects.filter(status__in=statuses).order_by("pk"))
    return rng.choice(candidates) if candidates else None


def test_the_rollup_equals_the_raw_counts_after_a_random_mix_of_service_actions(make_user):
    rng = random.Random(11)
    clerk = make_user("Administrator")  # may take every action (scheduling.policies)
    windows = [
        AvailabilityFactory(
            doctor__hospital=HospitalFactory(timezone=tz), start_time=datetime.time(20), end_time=datetime.time(23, 30)
        )
        for tz in ("America/New_York", "America/Los_Angeles")
    ]
    slots = {window.doctor_id: _slots(window) for window in windows}
    patients = [PatientFactory() for _ in range(10)]
    done = {"book": 0, "reschedule": 0, "cancel": 0, "check_in": 0, "start": 0, "complete": 0, "no_show": 0}

    for _ in range(90):
        action = rng.choice(["book", "book", "book", *done])
        try:
            if action == "book":
                window = rng.choice(windows)
                start = rng.choice(slots[window.doctor_id])
                services.appointment_book(
                    acting_user=clerk,
                    patient=rng.choice(patients),
                    doctor=window.doctor,
                    start=start,
                    reason="Check-up",
                    kind=rng.choice(list(AppointmentKind)),
                    now=start - datetime.timedelta(days=rng.choice([0.5, 3, 20, 45])),
                )
            elif action == "reschedule":
                appointment = _pick(rng, S.SCHEDULED)
                if appointment is None:
                    continue
                start = rng.choice(slots[appointment.doctor_id])
                services.appointment_reschedule(
                    appointment=appointment, start=start, acting_user=clerk, now=start - datetime.timedelta(days=60)
                )
            elif action == "cancel":
                appointment = _pick(rng, S.SCHEDULED)
                if appointment is None:
                    continue
                services.appointment_cancel(appointment=appointment, reason="Patient asked", acting_user=clerk)
            elif action == "check_in":
                appointment = _pick(rng, S.SCHEDULED)
                if appointment is None:
                    continue
                services.appointment_check_in(
                    appointment=appointment, acting_user=clerk, now=appointment.start - datetime.timedelta(minutes=5)
                )
            elif action == "start":
                appointment = _pick(rng, S.CHECKED_IN)
                if appointment is None:
                    continue
                services.appointment_start(appointment=appointment, acting_user=clerk)
            elif action == "complete":
                appointment = _pick(rng, S.IN_PROGRESS)
                if appointment is None:
                    continue
                services.appointment_complete(appointment=appointment, acting_user=clerk)
            else:
                appointment = _pick(rng, S.SCHEDULED, S.CHECKED_IN)
                if appointment is None:
                    continue
                services.appointment_mark_no_show(
                    appointment=appointment, acting_user=clerk, now=appointment.start + datetime.timedelta(minutes=20)
                )
        except (Conflict, ValidationError):
            continue  # refused: the service's transaction rolled back, the roll-up with it
        done[action] += 1

    assert all(done.values()), done  # every kind of change happened at least once
    assert rollups.differences() == []
    stored = rollups.stored_counts()
    assert sum(stored.values()) == Appointment.objects.count() > 10
    assert {key[2] for key in stored} >= {S.CANCELLED, S.COMPLETED, S.NO_SHOW}
    assert len({key[4] for key in stored}) >= 3  # several lead buckets


def test_the_rollup_counts_an_appointment_on_its_hospitals_local_day():
    clerk = UserFactory()
    window = AvailabilityFactory(
        doctor__hospital=HospitalFactory(timezone="America/Los_Angeles"),
        start_time=datetime.time(22),
        end_time=datetime.time(23, 30),
    )
    late = datetime.datetime.combine(MONDAYS[0], datetime.time(23), tzinfo=window.hospital.tzinfo)  # 07:00 UTC Tue

    appointment = services.appointment_book(
        acting_user=clerk,
        patient=PatientFactory(),
        doctor=window.doctor,
        start=late,
        reason="Late visit",
        now=late - datetime.timedelta(days=3),
    )
    services.appointment_cancel(appointment=appointment, reason="Patient asked", acting_user=clerk)

    assert rollups.stored_counts() == {
        (MONDAYS[0], window.hospital_id, S.CANCELLED, AppointmentKind.IN_PERSON, "2-7d"): 1
    }


def _command(*args):
    out = io.StringIO()
    call_command("rebuild_rollups", "appointments", *args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def test_the_rebuild_command_restores_the_rollup_after_a_bulk_load_and_is_idempotent():
    start = datetime.datetime(2030, 1, 7, 15, tzinfo=datetime.UTC)
    doctor = DoctorFactory(hospital__timezone="America/New_York")
    for index in range(5):
        AppointmentFactory(
            doctor=doctor,
            start=start + datetime.timedelta(hours=index),
            status=[S.COMPLETED, S.NO_SHOW][index % 2],
            booked_at=start - datetime.timedelta(days=10),
        )  # bulk-loaded: the services never saw them

    with pytest.raises(CommandError, match=r"differ from the raw rows: appointments \(2 rows\)"):
        _command("--check")
    assert "appointments: rebuilt, 2 rows" in _command()
    first = sorted(AppointmentDailyCount.objects.values_list("day", "hospital_id", "status", "lead_bucket", "count"))
    assert "appointments: rebuilt, 2 rows" in _command()
    second = sorted(AppointmentDailyCount.objects.values_list("day", "hospital_id", "status", "lead_bucket", "count"))

    assert first == second
    assert [(status, bucket, n) for _, _, status, bucket, n in first] == [
        (S.COMPLETED, "8-30d", 3),
        (S.NO_SHOW, "8-30d", 2),
    ]
    assert "appointments: equals the raw rows" in _command("--check")


def test_the_check_never_changes_the_rollup():
    AppointmentFactory()
    with pytest.raises(CommandError):
        _command("--check")
    assert AppointmentDailyCount.objects.count() == 0


@pytest.mark.django_db(transaction=True)
def test_concurrent_bookings_counted_on_one_rollup_row_lose_no_update():
    from scheduling.tests.test_concurrency import START, book_all_at_once

    hospital = HospitalFactory(timezone="America/New_York")
    doctors = [AvailabilityFactory(doctor__hospital=hospital).doctor for _ in range(12)]
    payloads = [
        {"patient": PatientFactory().pk, "doctor": doctor.pk, "start": START, "reason": "Flu"} for doctor in doctors
    ]

    results = book_all_at_once(payloads)

    assert [status for status, _ in results] == [201] * 12  # no deadlock, no lock timeout
    assert rollups.stored_counts() == {(MONDAYS[0], hospital.pk, S.SCHEDULED, AppointmentKind.IN_PERSON, "31d+"): 12}
    assert rollups.differences() == []
