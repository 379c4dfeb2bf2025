"""No double booking under concurrency: real threads, each with its own database connection, released together."""

import threading
from collections import Counter

import pytest
from django.db import connection
from rest_framework.test import APIClient

from accounts.services import token_issue
from patients.tests.factories import PatientFactory
from scheduling.models import Appointment
from scheduling.tests.factories import AvailabilityFactory
from staff.choices import StaffRole
from staff.tests.factories import DoctorFactory, StaffMemberFactory

THREADS = 20
START = "2030-01-07T10:00:00-05:00"  # a Monday slot of AvailabilityFactory in New York


def book_all_at_once(payloads):
    """POST every payload to /api/v1/appointments/ from its own thread at the same moment."""
    receptionist = StaffMemberFactory(role=StaffRole.RECEPTIONIST).user
    token = token_issue(user=receptionist)[1]
    barrier = threading.Barrier(len(payloads), timeout=30)
    results = []
    lock = threading.Lock()

    def worker(payload):
        try:
            client = APIClient()
            client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
            barrier.wait()
            response = client.post("/api/v1/appointments/", payload, format="json")
            with lock:
                results.append((response.status_code, response.json().get("code")))
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(payload,)) for payload in payloads]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads), "a booking thread hung"
    return results


@pytest.mark.django_db(transaction=True)
def test_twenty_patients_racing_for_one_slot_get_it_once():
    doctor = AvailabilityFactory(doctor__hospital__timezone="America/New_York").doctor
    payloads = [
        {"patient": PatientFactory().pk, "doctor": doctor.pk, "start": START, "reason": "Flu"} for _ in range(THREADS)
    ]

    results = book_all_at_once(payloads)

    assert len(results) == THREADS
    assert Counter(status for status, _ in results) == {201: 1, 409: THREADS - 1}
    assert {code for status, code in results if status == 409} == {"doctor_busy"}
    assert Appointment.objects.filter(doctor=doctor).count() == 1


@pytest.mark.django_db(transaction=True)
def test_one_patient_booked_with_twenty_doctors_at_once_gets_one_appointment():
    patient = PatientFactory()
    doctors = [DoctorFactory(hospital__timezone="America/New_York") for _ in range(THREADS)]
    for doctor in doctors:
        AvailabilityFactory(doctor=doctor)
    payloads = [{"patient": patient.pk, "doctor": doctor.pk, "start": START, "reason": "Flu"} for doctor in doctors]

    results = book_all_at_once(payloads)

    assert Counter(status for status, _ in results) == {201: 1, 409: THREADS - 1}
    assert {code for status, code in results if status == 409} == {"patient_busy"}
    assert Appointment.objects.filter(patient=patient).count() == 1
