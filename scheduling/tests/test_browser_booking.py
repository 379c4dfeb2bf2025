"""Real-browser journey: a receptionist books a free slot for a patient and sees it on the board."""

import datetime
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from patients.tests.factories import PatientFactory
from scheduling.choices import AppointmentKind, AppointmentStatus
from scheduling.models import Appointment
from scheduling.tests.factories import AppointmentFactory, AvailabilityFactory
from staff.tests.factories import DepartmentFactory, DoctorFactory, HospitalFactory, StaffMemberFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_receptionist_books_a_slot_for_a_patient_and_sees_it_on_the_board(browser_login, screenshot):
    hospital = HospitalFactory(name="Boston General", code="BOS", timezone="America/New_York")
    cardiology = DepartmentFactory(hospital=hospital, name="Cardiology", code="CARD")
    pediatrics = DepartmentFactory(hospital=hospital, name="Pediatrics", code="PED")
    doctor = DoctorFactory(
        hospital=hospital, department=cardiology, user__first_name="Meredith", user__last_name="Grey"
    )
    DoctorFactory(hospital=hospital, department=pediatrics, user__last_name="Karev", specialty="Pediatrics")
    StaffMemberFactory(role="receptionist", hospital=hospital, department=cardiology, user__username="frontdesk")
    tz = hospital.tzinfo
    day = timezone.now().astimezone(tz).date() + datetime.timedelta(days=1)  # tomorrow: every slot is ahead
    AvailabilityFactory(doctor=doctor, weekday=day.weekday(), valid_from=day - datetime.timedelta(days=7))
    patient = PatientFactory(first_name="Katherine", last_name="Johnson")
    PatientFactory(first_name="Kevin", last_name="Jones")

    def local(hour, minute=0):
        return datetime.datetime.combine(day, datetime.time(hour, minute), tzinfo=tz)

    # Other visits of the day, so the board and the schedule show what a real day looks like.
    AppointmentFactory(doctor=doctor, start=local(9), patient__last_name="Lovelace", reason="Palpitations")
    AppointmentFactory(
        doctor=doctor,
        start=local(9, 30),
        patient__last_name="Hopper",
        reason="Blood pressure review",
        status=AppointmentStatus.CHECKED_IN,
    )
    AppointmentFactory(
        doctor=doctor,
        start=local(11),
        patient__last_name="Turing",
        reason="Results of the stress test",
        kind=AppointmentKind.TELEMEDICINE,
        telemedicine_url="https://telehealth.hms.example/join/demo",
    )
    AppointmentFactory(
        doctor=doctor, start=local(11, 30), patient__last_name="Noether", status=AppointmentStatus.CANCELLED
    )

    page = browser_login("frontdesk")
    expect(page).to_have_url(re.compile(r"/scheduling/board/$"))  # the receptionist's start page

    page.get_by_role("link", name="Book an appointment").click()
    page.get_by_label("Find the patient (name or MRN)").fill("johnson")
    page.get_by_role("button", name="Find patient").click()
    expect(page.locator("#patient-results tbody tr")).to_have_count(1)
    page.locator("#patient-results").get_by_role("link", name="Choose").click()
    expect(page.locator("#chosen-patient")).to_contain_text(patient.mrn)

    page.get_by_label("Department").select_option(label="Cardiology · Boston General")
    page.get_by_role("button", name="Show free slots").click()
    page.get_by_label("Doctor").select_option(str(doctor.pk))
    page.get_by_label("Day").fill(day.isoformat())
    page.get_by_role("button", name="Show free slots").click()

    slots = page.locator("#slots")
    expect(slots.get_by_role("button", name="9:00 AM", exact=True)).to_have_count(0)  # taken
    expect(slots.get_by_role("button", name="10:00 AM", exact=True)).to_be_visible()
    page.get_by_label("Reason for the visit").fill("Chest pain on exertion")
    screenshot("scheduling_book")
    slots.get_by_role("button", name="10:00 AM", exact=True).click()

    expect(page).to_have_url(re.compile(r"/scheduling/board/\?"))
    expect(page.locator(".message.success")).to_contain_text("Booked Katherine Johnson")
    appointment = Appointment.objects.get(patient=patient)
    row = page.locator(f"#appointment-{appointment.pk}")
    expect(row).to_contain_text("10:00 AM")
    expect(row).to_contain_text("Johnson, Katherine")
    expect(row).to_contain_text("Scheduled")
    expect(row.get_by_role("button", name="Check in")).to_have_count(0)  # tomorrow: check-in opens on the day
    assert appointment.start == local(10)
    assert appointment.booked_by.username == "frontdesk"
    screenshot("scheduling_board")

    page.get_by_role("button", name="Log out").click()
    page = browser_login(doctor.user.username)
    expect(page).to_have_url(re.compile(r"/scheduling/my-schedule/$"))  # the doctor's start page
    page.get_by_role("link", name="Week", exact=True).click()
    if day.weekday() == 0:  # today is Sunday: tomorrow's visit is in next week
        page.get_by_role("link", name="Next week ›").click()
    expect(page.locator(f"#appointment-{appointment.pk}")).to_contain_text("Chest pain on exertion")
    expect(page.get_by_role("link", name="Join video visit")).to_have_count(1)
    screenshot("scheduling_doctor_schedule")
