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
