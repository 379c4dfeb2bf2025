"""A booking sent twice (double click, second tab, reload) by the user whose first one went through is "already
booked", not "the slot is taken" (issue 12, bug 9)."""

import datetime
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from patients.tests.factories import PatientFactory
from scheduling.models import Appointment
from scheduling.tests.factories import AvailabilityFactory

pytestmark = pytest.mark.django_db

NY = ZoneInfo("America/New_York")
MONDAY = datetime.date(2030, 1, 7)  # AvailabilityFactory: Mondays 09:00-17:00 in 30-minute slots
TEN = datetime.datetime.combine(MONDAY, datetime.time(10), tzinfo=NY)


@pytest.fixture
def doctor():
    return AvailabilityFactory(doctor__hospital__timezone="America/New_York").doctor


@pytest.fixture
def patient():
    return PatientFactory(first_name="Jane", last_name="Roe")


def _book(client, doctor, patient, start=TEN):
    url = reverse("scheduling:book") + f"?patient={patient.pk}&doctor={doctor.pk}&date={MONDAY.isoformat()}"
    data = {"patient": patient.pk, "doctor": doctor.pk, "start": start.isoformat(), "reason": "Check-up"}
    return client.post(url, {**data, "kind": "in_person"})


def _messages(client, response):
    return [str(m) for m in client.get(response["Location"]).context["messages"]]


def test_the_same_receptionist_posting_the_same_booking_again_is_told_it_is_already_booked(
    client, make_user, doctor, patient
):
    client.force_login(make_user("Receptionist"))

    first = _book(client, doctor, patient)
    client.get(first["Location"])  # the first answer is read
    again = _book(client, doctor, patient)

    appointment = Appointment.objects.get()
    assert first.status_code == 302 and again.status_code == 302
    assert again["Location"].endswith(f"#appointment-{appointment.pk}")
    [message] = _messages(client, again)
    assert message.startswith("Already booked: Jane Roe")
    assert 'href="/scheduling/board/?' in message and f"#appointment-{appointment.pk}" in message
    assert "taken" not in message


def test_someone_elses_booking_of_the_slot_is_still_refused_as_taken(client, make_user, doctor, patient):
    client.force_login(make_user("Receptionist"))
    _book(client, doctor, patient)
    client.force_login(make_user("Receptionist"))

    again = _book(client, doctor, patient)

    assert again.status_code == 409
    assert Appointment.objects.count() == 1
    assert any("Not booked" in str(m) for m in again.context["messages"])


def test_the_same_receptionist_booking_another_patient_into_the_slot_is_refused(client, make_user, doctor, patient):
    client.force_login(make_user("Receptionist"))
    _book(client, doctor, patient)

    other = _book(client, doctor, PatientFactory())

    assert other.status_code == 409 and Appointment.objects.count() == 1


def test_a_patient_booking_twice_in_the_portal_is_told_it_is_already_booked(client, make_user, doctor):
    me = PatientFactory(user=make_user("Patient"))
    client.force_login(me.user)
    url = reverse("scheduling:portal_book") + f"?doctor={doctor.pk}&date={MONDAY.isoformat()}"
    data = {"doctor": doctor.pk, "start": TEN.isoformat(), "reason": "Annual check-up", "kind": "in_person"}

    client.get(client.post(url, data)["Location"])  # booked, and the answer read
    again = client.post(url, data)

    assert again.status_code == 302 and Appointment.objects.filter(patient=me).count() == 1
    assert _messages(client, again)[0].startswith("Already booked: your appointment with")
