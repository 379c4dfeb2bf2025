"""scheduling.demo.seed: believable demo schedules that follow the booking rules."""

import datetime
import random
from types import SimpleNamespace

import pytest
from django.utils import timezone

from patients.tests.factories import PatientFactory
from scheduling import demo
from scheduling.choices import ACTIVE_APPOINTMENT_STATUSES, AppointmentStatus
from scheduling.models import Appointment, Availability, Room
from scheduling.selectors import doctor_slot_at
from staff.tests.factories import DoctorFactory, HospitalFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_seed_builds_rooms_availability_and_a_varied_schedule_without_double_booking():
    hospitals = [HospitalFactory(timezone="America/New_York"), HospitalFactory(timezone="America/Chicago")]
    doctors = [DoctorFactory(hospital=hospitals[i % 2]) for i in range(3)]
    patients = PatientFactory.create_batch(15)
    patients[0].user = UserFactory()
    patients[0].save()
    now = timezone.now()
    ctx = SimpleNamespace(
        rng=random.Random(7), doctors=doctors, patients=patients, hospitals=hospitals, admin_user=UserFactory(), now=now
    )

    counts = demo.seed(ctx)

    assert counts["rooms"] == Room.objects.count() == 2 * len(demo.ROOMS)
    assert counts["availability windows"] == Availability.objects.count() == 3 * 5
    for window in Availability.objects.all():
        today = now.astimezone(window.hospital.tzinfo).date()
        assert window.valid_to == today + datetime.timedelta(weeks=10)
        assert window.is_valid_on(today) and window.is_valid_on(today + datetime.timedelta(weeks=8))
    appointments = list(Appointment.objects.all())
    assert counts["appointments"] == len(appointments) > 50
    statuses = {a.status for a in appointments}
    assert {AppointmentStatus.COMPLETED, AppointmentStatus.CANCELLED, AppointmentStatus.NO_SHOW} <= statuses
    assert any(a.status == AppointmentStatus.SCHEDULED and a.start > now for a in appointments)
    assert Appointment.objects.upcoming().filter(patient=patients[0]).exists()
    assert all(a.history.exists() for a in appointments[:5])
    assert all(a.completed_at for a in appointments if a.status == AppointmentStatus.COMPLETED)
    assert all(doctor_slot_at(doctor=a.doctor, start=a.start) for a in appointments[:20])
    active = [a for a in appointments if a.status in ACTIVE_APPOINTMENT_STATUSES]
    for key in ("doctor_id", "patient_id"):
        seen = {(getattr(a, key), a.start) for a in active}
        assert len(seen) == len(active)

    assert demo.seed(ctx) == {"rooms": 0, "availability windows": 0, "appointments": 0}  # a second run adds nothing
