"""Reports at scale (issue 11): the shortcuts taken for speed give the very figures of the slow way."""

import datetime
from collections import defaultdict

import pytest

from scheduling.reports import slot_time_by_doctor
from scheduling.selectors import _free, window_slots
from scheduling.tests.factories import AvailabilityFactory
from staff.tests.factories import DoctorFactory

pytestmark = pytest.mark.django_db


def test_utilization_slot_time_equals_cutting_every_slot_across_dst_changes_and_time_off():
    doctor = DoctorFactory(hospital__timezone="America/New_York")
    other = DoctorFactory(hospital__timezone="America/Denver")
    windows = [
        # Sunday nights across both DST changes (02:00 skipped in March, 01:00-02:00 twice in November).
        AvailabilityFactory(doctor=doctor, weekday=6, start_time=datetime.time(0), end_time=datetime.time(4)),
        AvailabilityFactory(doctor=doctor, weekday=0, slot_minutes=20, valid_to=datetime.date(2026, 6, 30)),
        AvailabilityFactory(doctor=other, weekday=2, start_time=datetime.time(8), end_time=datetime.time(12, 10)),
        AvailabilityFactory(doctor=other, weekday=4, valid_from=datetime.date(2026, 9, 1)),
    ]
    tz = doctor.hospital.tzinfo
    off = {
        doctor.pk: [
            (datetime.datetime(2026, 3, 9, 10, tzinfo=tz), datetime.datetime(2026, 3, 9, 11, 10, tzinfo=tz)),
            (datetime.datetime(2026, 11, 1, 1, 15, tzinfo=tz), datetime.datetime(2026, 11, 1, 1, 45, tzinfo=tz)),
        ],
        other.pk: [(datetime.datetime(2026, 4, 1, tzinfo=tz), datetime.datetime(2026, 4, 10, tzinfo=tz))],
    }
    date_from, date_to = datetime.date(2026, 2, 1), datetime.date(2026, 12, 31)

    expected = defaultdict(datetime.timedelta)
    for slot in _free(window_slots(windows, date_from, date_to), off[doctor.pk]):
        if slot.window.doctor_id == doctor.pk:
            expected[doctor.pk] += slot.end - slot.start
    for slot in _free(window_slots(windows, date_from, date_to), off[other.pk]):
        if slot.window.doctor_id == other.pk:
            expected[other.pk] += slot.end - slot.start

    assert slot_time_by_doctor(windows, off, date_from, date_to) == expected
    assert expected[doctor.pk] > datetime.timedelta(hours=100)


def test_no_show_validation_starting_from_aggregated_history_predicts_as_a_full_replay():
    import random
    from zoneinfo import ZoneInfo

    from patients.tests.factories import PatientFactory
    from reports.registry import ReportParams, run_report
    from scheduling.choices import AppointmentKind, AppointmentStatus
    from scheduling.models import Appointment
    from scheduling.reports import DUE_STATUSES, validation_rows
    from scheduling.tests.factories import AppointmentFactory

    rng = random.Random(5)
    doctors = [DoctorFactory(hospital__timezone=tz) for tz in ("America/New_York", "America/Los_Angeles")]
    patients = [PatientFactory() for _ in range(8)]
    first = datetime.datetime(2026, 1, 5, 14, tzinfo=datetime.UTC)
    for index in range(120):
        start = first + datetime.timedelta(days=index // 2, hours=rng.choice([0, 9]))  # late visits cross UTC midnight
        AppointmentFactory(
            doctor=rng.choice(doctors),
            patient=rng.choice(patients),
            start=start,
            booked_at=start - datetime.timedelta(days=rng.choice([0.5, 4, 12, 40])),
            kind=rng.choice(list(AppointmentKind)),
            status=rng.choice([AppointmentStatus.COMPLETED] * 3 + [AppointmentStatus.NO_SHOW]),
        )
    params = ReportParams(datetime.date(2026, 2, 2), datetime.date(2026, 2, 20))

    rows = run_report("no-show-validation", params)

    end = datetime.datetime(2026, 2, 21, tzinfo=ZoneInfo("America/New_York"))
    start = datetime.datetime(2026, 2, 2, tzinfo=ZoneInfo("America/New_York"))
    visits = Appointment.objects.filter(status__in=DUE_STATUSES, start__lt=end).order_by("start", "id")
    evaluated = set(visits.filter(start__gte=start).values_list("id", flat=True))
    zones = {d.hospital_id: d.hospital.tzinfo for d in doctors}
    full_replay = validation_rows(
        visits.values_list("id", "patient_id", "hospital_id", "start", "booked_at", "kind", "status"), evaluated, zones
    )
    assert rows == full_replay
    assert rows[0]["appointments"] == len(evaluated) > 20
