"""Real-browser journeys: headless chromium (Debian's) driven by Playwright against the live server."""

import datetime
import re

import pytest
from playwright.sync_api import expect

from patients.models import Allergy, Patient
from patients.tests.factories import (
    AllergyFactory,
    InsurancePolicyFactory,
    MedicalHistoryEntryFactory,
    PatientFactory,
)
from staff.tests.factories import HospitalFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def fill_registration(page, *, hospital, first_name="Katherine", last_name="Johnson", born="1978-08-26"):
    page.get_by_label("First name").fill(first_name)
    page.get_by_label("Last name").fill(last_name)
    page.get_by_label("Date of birth").fill(born)
    page.get_by_label("Sex").select_option("female")
    page.get_by_label("Phone", exact=True).fill("(617) 555-0142")
    page.get_by_label("Email").fill("k.johnson@example.com")
    page.get_by_label("Address", exact=True).fill("12 Harbor Way")
    page.get_by_label("City").fill("Boston")
    page.get_by_label("State").select_option("MA")
    page.get_by_label("ZIP code").fill("02110")
    page.get_by_label("Emergency contact name").fill("James Johnson")
    page.get_by_label("Emergency contact relation").select_option("spouse")
    page.get_by_label("Emergency contact phone").fill("(617) 555-0143")
    page.get_by_label("Preferred hospital").select_option(str(hospital.pk))


def test_a_receptionist_logs_in_searches_and_registers_a_patient(browser_login, make_user, screenshot):
    make_user("Receptionist", username="frontdesk")
    known = PatientFactory(first_name="Grace", last_name="Hopper")
    hospital = HospitalFactory(name="Boston General")

    page = browser_login("frontdesk")

    expect(page).to_have_url(re.compile(r"/scheduling/board/$"))  # the receptionist's start page
    page.get_by_role("link", name="Patients", exact=True).click()
    page.get_by_label("Name or MRN").fill("hopper")
    page.get_by_role("button", name="Search").click()
    expect(page.locator("#patients tbody tr")).to_have_count(1)
    expect(page.locator("#patients")).to_contain_text(known.mrn)
    expect(page.locator("#patients")).to_contain_text("Hopper, Grace")
    screenshot("search")

    page.get_by_role("link", name="Register a patient").click()
    expect(page.get_by_role("heading", name="Register a patient")).to_be_visible()
    fill_registration(page, hospital=hospital)
    screenshot("register")
    page.get_by_role("button", name="Register patient").click()

    patient = Patient.objects.get(last_name="Johnson")
    expect(page).to_have_url(re.compile(rf"/patients/{patient.pk}/$"))
    expect(page.locator("#mrn")).to_have_text(patient.mrn)
    expect(page.locator(".message.success")).to_contain_text(f"MRN {patient.mrn}")
    assert patient.date_of_birth == datetime.date(1978, 8, 26)
    assert patient.preferred_hospital == hospital
    assert patient.history.get().history_user.username == "frontdesk"


def test_a_receptionist_confirms_a_possible_duplicate_before_it_is_saved(browser_login, make_user, screenshot):
    make_user("Receptionist", username="frontdesk")
    hospital = HospitalFactory()
    existing = PatientFactory(first_name="Katherine", last_name="Johnson", date_of_birth=datetime.date(1978, 8, 26))

    page = browser_login("frontdesk")
    page.goto("/patients/register/")
    fill_registration(page, hospital=hospital)
    page.get_by_role("button", name="Register patient").click()

    expect(page.locator("#duplicates")).to_contain_text(existing.mrn)
    assert Patient.objects.count() == 1
    page.get_by_label(re.compile("Register anyway")).check()
    screenshot("duplicate")
    page.get_by_role("button", name="Register patient").click()

    new = Patient.objects.exclude(pk=existing.pk).get()
    expect(page.locator("#mrn")).to_have_text(new.mrn)


def test_a_nurse_adds_an_allergy_from_the_patient_page(browser_login, make_user, screenshot, without_care_restriction):
    make_user("Nurse", username="nurse")
    patient = PatientFactory(first_name="Ada", last_name="Lovelace")
    AllergyFactory(patient=patient, substance="Penicillin", severity="severe", reaction="Rash")
    MedicalHistoryEntryFactory(patient=patient, condition="Asthma", notes="Uses an inhaler when needed.")
    InsurancePolicyFactory(patient=patient, payer_name="Aetna")

    page = browser_login("nurse")
    page.goto(f"/patients/{patient.pk}/")
    page.get_by_text("Add an allergy").click()
    page.get_by_label("Substance").fill("Latex")
    page.get_by_label("Reaction").fill("Hives")
    page.get_by_label("Severity").select_option("moderate")
    page.get_by_role("button", name="Add allergy").click()

    expect(page.locator(".message.success")).to_contain_text("Added the allergy")
    expect(page.locator("#allergies")).to_contain_text("Latex")
    expect(page.locator("#allergies")).to_contain_text("Penicillin")
    assert Allergy.objects.get(patient=patient, substance="Latex").history.get().history_user.username == "nurse"
    screenshot("detail")


def test_a_portal_patient_logs_in_and_sees_only_their_profile(browser_login, make_user, screenshot):
    user = make_user("Patient", username="mina")
    me = PatientFactory(user=user, first_name="Mina", last_name="Harker")
    AllergyFactory(patient=me, substance="Penicillin")
    InsurancePolicyFactory(patient=me, payer_name="Aetna")
    other = PatientFactory(first_name="Lucy", last_name="Westenra")
    AllergyFactory(patient=other, substance="Peanuts")

    page = browser_login("mina")

    expect(page).to_have_url(re.compile(r"/portal/$"))
    expect(page.get_by_role("heading", name="Welcome, Mina")).to_be_visible()
    expect(page.locator("#mrn")).to_have_text(me.mrn)
    expect(page.locator("#allergies")).to_contain_text("Penicillin")
    expect(page.locator("#insurance")).to_contain_text("Aetna")
    expect(page.locator("body")).not_to_contain_text("Westenra")
    expect(page.locator("body")).not_to_contain_text("Peanuts")
    expect(page.get_by_role("link", name="Patients")).to_have_count(0)
    screenshot("portal")

    page.goto("/patients/")
    expect(page.get_by_role("heading", name="Not allowed")).to_be_visible()
