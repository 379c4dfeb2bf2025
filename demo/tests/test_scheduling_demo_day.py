"""scheduling.demo: the demo doctor's day has a visit in every state whatever the weekday and hour the demo is
loaded (weekends included: the demo doctor keeps a weekend clinic)."""

import datetime
from io import StringIO
from zoneinfo import ZoneInfo

import pytest

from demo import core as demo
from patients.tests.factories import PatientFactory
from scheduling import demo as scheduling_demo
from scheduling.choices import AppointmentStatus
from scheduling.models import Appointment
from staff.tests.factories import DoctorFactory, HospitalFactory, UserFactory

pytestmark = pytest.mark.django_db

EVERY_STATE = set(AppointmentStatus.values)


@pytest.mark.parametrize("days_ahead", range(7))
@pytest.mark.parametrize("hour", [3, 12, 23])
def test_the_demo_day_has_every_state_whatever_the_weekday_and_hour_it_is_loaded(days_ahead, hour):
    hospital = HospitalFactory(timezone="America/Chicago")
    doctor = DoctorFactory(hospital=hospital, user__username="doctor")
    tz = ZoneInfo("America/Chicago")
    day = datetime.date(2030, 1, 7) + datetime.timedelta(days=days_ahead)  # Monday + n
    now = datetime.datetime.combine(day, datetime.time(hour, 10), tzinfo=tz)
    PatientFactory.create_batch(15)
    context = demo.DemoContext(
        seed=1, password="pw", patient_target=0, stdout=StringIO(), stderr=StringIO(), now=now,
        acting_user=UserFactory(), hospitals=[hospital],
    )  # fmt: skip
    context.rng = context.rng_for("test")

    scheduling_demo.seed(context)

    midnight = datetime.datetime.combine(day, datetime.time.min, tzinfo=tz)
    visits = Appointment.objects.filter(doctor=doctor, start__gte=midnight, start__lt=midnight + datetime.timedelta(1))
    assert {a.status for a in visits} == EVERY_STATE
    assert all(a.checked_in_at is None or midnight <= a.checked_in_at <= now for a in visits)
