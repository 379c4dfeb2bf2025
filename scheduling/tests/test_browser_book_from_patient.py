"""Real browser: "Book appointment" on a patient's page books for that patient (issue 12, bug 7)."""

import datetime
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from patients.tests.factories import PatientFactory
from scheduling.models import Appointment
from scheduling.tests.factories import AvailabilityFactory
from staff.tests.factories import DepartmentFactory, DoctorFactory, HospitalFactory, StaffMemberFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("where", [".actions", ".mainnav"], ids=["page-button", "menu-link"])
def test_book_appointment_from_a_patients_page_keeps_the_patient_through_to_the_booking(browser_login, where):
    hospital = HospitalFactory(name="Boston General", code="BOS", timezone="America/New_York")
    cardiology = DepartmentFactory(hospital=hospital, name="Cardiology", code="CARD")
    doctor = DoctorFactory(hospital=hospital, department=cardiology, user__last_name="Grey")
    StaffMemberFactory(role="receptionist", hospital=hospital, department=cardiology, user__username="frontdesk")
    day = timezone.now().astimezone(hospital.tzinfo).date() + datetime.timedelta(days=1)
    AvailabilityFactory(doctor=doctor, weekday=day.weekday(), valid_from=day - datetime.timedelta(days=7))
    patient = PatientFactory(first_name="Katherine", last_name="Johnson")

    page = browser_login("frontdesk")
    page.goto(f"/patients/{patient.pk}/")
    page.locator(where).get_by_role("link", name="Book appointment").click()
    expect(page.locator("#chosen-patient")).to_contain_text(patient.mrn)

    page.get_by_label("Department").select_option(label="Cardiology · Boston General")
    page.get_by_role("button", name="Show free slots").click()
    expect(page.locator("#chosen-patient")).to_contain_text(patient.mrn)
    page.get_by_label("Doctor").select_option(str(doctor.pk))
    page.get_by_label("Day").fill(day.isoformat())
    page.get_by_role("button", name="Show free slots").click()
    expect(page.locator("#chosen-patient")).to_contain_text(patient.mrn)
    page.get_by_label("Reason for the visit").fill("Follow-up")
    page.locator("#slots").get_by_role("button", name="10:00 AM", exact=True).click()

    expect(page).to_have_url(re.compile(r"/scheduling/board/"))
    expect(page.locator(".message.success")).to_contain_text("Booked Katherine Johnson")
    assert Appointment.objects.get(patient=patient).doctor == doctor
