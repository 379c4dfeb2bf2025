"""The nurse's start page: today's checked-in patients without vitals, in arrival order, for the clinical
departments of the nurse's hospital (issue 12, work queues)."""

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from clinical.tests.factories import VitalsFactory
from conftest import counted_get
from scheduling.choices import AppointmentStatus
from scheduling.tests.factories import AppointmentFactory
from staff.tests.factories import DepartmentFactory, DoctorFactory, HospitalFactory, StaffMemberFactory

pytestmark = pytest.mark.django_db

URL = reverse("clinical:vitals_queue")


def text(response):
    return response.content.decode()


def local_midnight(hospital, days=0):
    today = timezone.now().astimezone(hospital.tzinfo).date() + datetime.timedelta(days=days)
    return datetime.datetime.combine(today, datetime.time.min, tzinfo=hospital.tzinfo)


def arrived(doctor, minutes, *, status=AppointmentStatus.CHECKED_IN, days=0, **kwargs):
    """An appointment of ``doctor`` checked in ``minutes`` after local midnight of today (+ ``days``)."""
    checked_in_at = local_midnight(doctor.hospital, days) + datetime.timedelta(minutes=minutes)
    return AppointmentFactory(
        doctor=doctor,
        start=checked_in_at + datetime.timedelta(minutes=10),
        status=status,
        checked_in_at=checked_in_at,
        **kwargs,
    )


@pytest.fixture
def hospital():
    return HospitalFactory(name="Boston General", timezone="America/Los_Angeles")


@pytest.fixture
def cardiology(hospital):
    return DepartmentFactory(hospital=hospital, name="Cardiology")


@pytest.fixture
def doctor(hospital, cardiology):
    return DoctorFactory(hospital=hospital, department=cardiology)


@pytest.fixture
def nurse(hospital):
    nursing = DepartmentFactory(hospital=hospital, name="Nursing")
    return StaffMemberFactory(role="nurse", hospital=hospital, department=nursing).user


def queue_ids(response):
    return [appointment.pk for appointment in response.context["page"]]


def test_the_queue_lists_todays_checked_in_patients_in_arrival_order(client, nurse, doctor):
    later_slot_early_arrival = arrived(doctor, 9 * 60)
    first_slot_late_arrival = arrived(doctor, 10 * 60)
    first_slot_late_arrival.start = local_midnight(doctor.hospital) + datetime.timedelta(hours=8)
    first_slot_late_arrival.end = first_slot_late_arrival.start + datetime.timedelta(minutes=30)
    first_slot_late_arrival.save()
    client.force_login(nurse)

    response = client.get(URL)

    assert response.status_code == 200
    assert queue_ids(response) == [later_slot_early_arrival.pk, first_slot_late_arrival.pk]


def test_each_row_links_to_recording_that_visits_vitals(client, nurse, doctor):
    appointment = arrived(doctor, 9 * 60, patient__last_name="Waiting")
    client.force_login(nurse)

    body = text(client.get(URL))

    row = re.search(rf'<tr id="queue-{appointment.pk}">(.*?)</tr>', body, re.S).group(1)
    assert "Waiting" in row
    assert f'href="{reverse("clinical:vitals", args=[appointment.pk])}"' in row
    assert "9:00 AM" in row  # the check-in time on the hospital's clock


def test_a_patient_whose_vitals_were_taken_today_leaves_the_queue(client, nurse, doctor):
    taken_at_visit = arrived(doctor, 9 * 60)
    VitalsFactory(patient=taken_at_visit.patient, appointment=taken_at_visit)
    taken_earlier_today = arrived(doctor, 9 * 60 + 5)
    VitalsFactory(
        patient=taken_earlier_today.patient, recorded_at=local_midnight(doctor.hospital) + datetime.timedelta(hours=7)
    )
    taken_yesterday = arrived(doctor, 9 * 60 + 10)
    VitalsFactory(patient=taken_yesterday.patient, recorded_at=local_midnight(doctor.hospital, -1))
    client.force_login(nurse)

    response = client.get(URL)

    assert queue_ids(response) == [taken_yesterday.pk]


def test_only_checked_in_visits_of_today_wait_for_vitals(client, nurse, doctor):
    waiting = arrived(doctor, 9 * 60)
    arrived(doctor, 9 * 60 + 1, status=AppointmentStatus.IN_PROGRESS)
    arrived(doctor, 9 * 60 + 2, status=AppointmentStatus.COMPLETED)
    arrived(doctor, 9 * 60 + 3, days=-1)  # checked in yesterday and never seen: not today's queue
    AppointmentFactory(doctor=doctor, start=local_midnight(doctor.hospital) + datetime.timedelta(hours=11))
    client.force_login(nurse)

    assert queue_ids(client.get(URL)) == [waiting.pk]


def test_the_queue_is_the_nurses_hospital_in_every_clinical_department_by_default(client, nurse, doctor, hospital):
    pediatrics = DepartmentFactory(hospital=hospital, name="Pediatrics")
    pediatrician = DoctorFactory(hospital=hospital, department=pediatrics)
    elsewhere = DoctorFactory(hospital=HospitalFactory(timezone="America/Los_Angeles"))
    cardiac = arrived(doctor, 9 * 60)
    child = arrived(pediatrician, 9 * 60 + 5)
    arrived(elsewhere, 9 * 60 + 1, patient__last_name="Otherhospital")
    client.force_login(nurse)

    response = client.get(URL)

    assert queue_ids(response) == [cardiac.pk, child.pk]
    assert "Otherhospital" not in text(response)
    assert "all clinical departments" in text(response)


def test_the_department_picker_offers_only_the_clinical_departments_of_the_nurses_hospital(
    client, nurse, doctor, hospital, cardiology
):
    pediatrics = DepartmentFactory(hospital=hospital, name="Pediatrics")
    child = arrived(DoctorFactory(hospital=hospital, department=pediatrics), 9 * 60)
    arrived(doctor, 9 * 60 + 5)
    DepartmentFactory(hospital=hospital, name="Front Desk")  # nobody sees patients there
    oncology_elsewhere = DepartmentFactory(name="Oncology")
    DoctorFactory(hospital=oncology_elsewhere.hospital, department=oncology_elsewhere)
    client.force_login(nurse)

    body = text(client.get(URL))
    only_pediatrics = client.get(URL, {"department": pediatrics.pk})
    elsewhere = client.get(URL, {"department": oncology_elsewhere.pk})

    options = re.findall(r"<option[^>]*>([^<]*)</option>", body)
    assert options == ["All clinical departments", "Cardiology", "Pediatrics"]
    assert queue_ids(only_pediatrics) == [child.pk]
    assert elsewhere.status_code == 400 and "Select a valid choice" in text(elsewhere)


@pytest.mark.parametrize(
    ("role", "allowed"),
    [
        ("Nurse", True),
        ("Doctor", False),
        ("Administrator", False),
        ("Receptionist", False),
        ("Billing Clerk", False),
        ("Pharmacist", False),
        ("Lab Technician", False),
        ("Patient", False),
        ("Insurer", False),
    ],
)
def test_only_those_who_record_vitals_open_the_queue(client, make_user, role, allowed):
    client.force_login(make_user(role))

    response = client.get(URL)

    assert response.status_code == (200 if allowed else 403)


def test_an_anonymous_visitor_is_sent_to_log_in(client):
    response = client.get(URL)

    assert response.status_code == 302 and reverse("login") in response["Location"]


def _count(client):
    count, response = counted_get(client, URL)
    return count, len(response.context["page"])


def test_the_queue_costs_the_same_queries_for_3_and_30_patients(client, nurse, doctor, hospital):
    pediatrics = DepartmentFactory(hospital=hospital, name="Pediatrics")
    doctors = [doctor, DoctorFactory(hospital=hospital, department=pediatrics)]

    def make(count, offset):
        for i in range(count):
            appointment = arrived(doctors[i % 2], 6 * 60 + offset + i)
            if i % 4 == 0:  # an earlier set of vitals from another day does not take them out
                VitalsFactory(patient=appointment.patient, recorded_at=local_midnight(hospital, -3))

    client.force_login(nurse)
    make(3, 0)
    small, shown_small = _count(client)
    make(27, 3)
    large, shown_large = _count(client)

    # session, user, roles, staff member, the departments (options and check), the page of rows
    assert (shown_small, shown_large) == (3, 30)
    assert small == large <= 8
