import datetime

import factory
from django.utils import timezone

from patients.tests.factories import PatientFactory
from scheduling.choices import AppointmentKind, AppointmentStatus, EquipmentStatus, RoomKind
from scheduling.models import Appointment, Availability, Equipment, Room, TimeOff
from staff.tests.factories import DoctorFactory, HospitalFactory


class RoomFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Room

    hospital = factory.SubFactory(HospitalFactory)
    name = factory.Sequence(lambda n: f"Exam {n}")
    kind = RoomKind.EXAM


class EquipmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Equipment

    hospital = factory.SubFactory(HospitalFactory)
    name = "Portable ultrasound"
    asset_tag = factory.Sequence(lambda n: f"EQ-{n:05d}")
    status = EquipmentStatus.AVAILABLE


class AvailabilityFactory(factory.django.DjangoModelFactory):
    """Mondays 09:00-17:00 in 30-minute slots, at the doctor's hospital, open-ended from 2020."""

    class Meta:
        model = Availability

    doctor = factory.SubFactory(DoctorFactory)
    hospital = factory.SelfAttribute("doctor.hospital")
    weekday = 0
    start_time = datetime.time(9)
    end_time = datetime.time(17)
    slot_minutes = 30
    valid_from = datetime.date(2020, 1, 1)
    valid_to = None


class TimeOffFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TimeOff

    doctor = factory.SubFactory(DoctorFactory)
    start = datetime.datetime(2030, 1, 7, 14, 0, tzinfo=datetime.UTC)
    end = factory.LazyAttribute(lambda t: t.start + datetime.timedelta(hours=2))
    reason = "Conference"


class AppointmentFactory(factory.django.DjangoModelFactory):
    """A row as the services would leave it; set start (aware) for a real slot. Bypasses the booking rules."""

    class Meta:
        model = Appointment

    patient = factory.SubFactory(PatientFactory)
    doctor = factory.SubFactory(DoctorFactory)
    hospital = factory.SelfAttribute("doctor.hospital")
    start = datetime.datetime(2030, 1, 7, 14, 0, tzinfo=datetime.UTC)
    end = factory.LazyAttribute(lambda a: a.start + datetime.timedelta(minutes=30))
    kind = AppointmentKind.IN_PERSON
    reason = "Follow-up visit"
    status = AppointmentStatus.SCHEDULED


def starting_now():
    """A start time that is today in every time zone (check-in happens on the appointment's day only)."""
    return timezone.now().replace(second=0, microsecond=0)
