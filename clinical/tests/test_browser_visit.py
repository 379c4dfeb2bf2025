"""Real browser: the visit page's ICD-10 search works in place and keeps unsaved notes (issue 12, bug 6)."""

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from clinical.tests.factories import CheckedInAppointmentFactory, MedicalRecordFactory, MedicationFactory
from scheduling.choices import AppointmentStatus

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def visit():
    appointment = CheckedInAppointmentFactory(status=AppointmentStatus.IN_PROGRESS, started_at=timezone.now())
    MedicalRecordFactory(appointment=appointment, clinical_notes="")
    return appointment


def test_searching_icd10_codes_keeps_the_unsaved_notes_and_does_not_reload_the_page(browser_login, visit):
    page = browser_login(visit.doctor.user.username)
    page.goto(f"/clinical/visits/{visit.pk}/")
    page.evaluate("window.notReloaded = true")
    page.get_by_label("Clinical notes").fill("Irregularly irregular pulse, no chest pain.")

    page.get_by_label("Search ICD-10-CM").fill("afib")
    page.get_by_role("button", name="Search codes").click()

    matches = page.locator("#icd-matches")
    expect(matches.locator("tr").first).to_contain_text("I48.91")
    expect(page.locator("#icd-count")).to_contain_text("6 billable codes match")
    expect(page.get_by_label("Clinical notes")).to_have_value("Irregularly irregular pulse, no chest pain.")
    assert page.evaluate("window.notReloaded === true")

    page.get_by_label("Search ICD-10-CM").fill("hypertension")  # as you type, no button
    expect(matches.locator("tr").first).to_contain_text("I10")
    expect(matches.locator("tr")).to_have_count(20)
    page.get_by_role("link", name="Show more matches").click()
    expect(page.locator("#icd-matches tr")).to_have_count(40)
    expect(page.get_by_label("Clinical notes")).to_have_value("Irregularly irregular pulse, no chest pain.")
    assert page.evaluate("window.notReloaded === true")

    page.get_by_role("button", name="Save notes").click()  # the notes typed before the searches are saved
    expect(page.locator("#notes textarea")).to_have_value("Irregularly irregular pulse, no chest pain.")
    page.get_by_label("Search ICD-10-CM").fill("afib")
    page.get_by_role("button", name="Add I48.91").click()  # an Add button of the swapped-in matches posts
    expect(page.locator("#diagnoses-part tbody")).to_contain_text("I48.91")  # in place: the matches stay shown


def test_a_doctor_edits_the_visit_in_place_signs_after_confirming_and_amends_with_the_original_in_the_chart(
    browser_login, visit
):
    medication = MedicationFactory(name="Paracetamol")
    page = browser_login(visit.doctor.user.username)
    page.goto(f"/clinical/visits/{visit.pk}/")
    page.evaluate("window.notReloaded = true")
    notes = "Sore throat for two days, no fever."
    page.get_by_label("Clinical notes").fill(notes)

    page.get_by_label("ICD-10-CM code").fill("J02.9")
    page.get_by_role("button", name="Add diagnosis").click()
    expect(page.locator("#diagnoses-part tbody")).to_contain_text("J02.9")
    page.get_by_label("ICD-10-CM code").fill("I10")
    page.get_by_role("button", name="Add diagnosis").click()
    expect(page.locator("#diagnoses-part tbody")).to_contain_text("I10")

    page.locator("#prescriptions summary", has_text="Prescribe").click()
    page.locator("#id_prescription_medication").select_option(str(medication.pk))
    page.locator("#id_prescription_dose").fill("500 mg")
    page.locator("#id_prescription_frequency").fill("every 6 hours")
    page.locator("#id_prescription_duration_days").fill("3")
    page.locator("#id_prescription_quantity").fill("12")
    page.locator("#prescriptions").get_by_role("button", name="Prescribe").click()
    expect(page.locator("#prescriptions tbody")).to_contain_text("Paracetamol")

    expect(page.get_by_label("Clinical notes")).to_have_value(notes)  # typed, never saved, still there
    assert page.evaluate("window.notReloaded === true")

    row = page.locator("#diagnoses tbody tr", has_text="I10")
    row.locator("summary", has_text="Remove").click()
    row.get_by_label("Reason (optional)").fill("Entered on the wrong visit")
    row.get_by_role("button", name="Remove I10").click()
    expect(page.locator("#removed-diagnoses")).to_contain_text("Entered on the wrong visit")
    expect(page.locator("#diagnoses-part tbody")).not_to_contain_text("I10")
    expect(page.get_by_label("Clinical notes")).to_have_value(notes)
    assert page.evaluate("window.notReloaded === true")

    page.get_by_role("button", name="Save notes").click()
    expect(page.locator(".message.success").first).to_contain_text("Saved the notes")

    page.once("dialog", lambda dialog: dialog.dismiss())  # "Cancel" in the dialog: nothing is signed
    page.get_by_role("button", name="Sign record").click()
    expect(page.locator("#signed-banner")).to_have_count(0)
    asked = []

    def accept(dialog):
        asked.append(dialog.message)
        dialog.accept()

    page.once("dialog", accept)
    page.get_by_role("button", name="Sign record").click()
    expect(page.locator("#signed-banner")).to_be_visible()
    assert asked and "Sign this medical record?" in asked[0]

    page.get_by_text("Amend the signed record").click()
    page.locator("#id_amend_clinical_notes").fill("Sore throat for two days; strep test positive.")
    page.get_by_label("Reason for the amendment").fill("Late rapid strep result")
    page.get_by_role("button", name="Amend", exact=True).click()
    expect(page.locator("#amendments")).to_contain_text("Late rapid strep result")
    expect(page.locator("#amendments")).to_contain_text(f"original: {notes}")

    page.goto(f"/clinical/patients/{visit.patient_id}/chart/")
    amendment = page.locator("#timeline tr.event-amendment")
    expect(amendment).to_contain_text("Late rapid strep result")
    expect(amendment).to_contain_text(f"original: {notes}")
    expect(amendment).to_contain_text("strep test positive")

    page.set_viewport_size({"width": 375, "height": 800})  # a phone: wide tables scroll in their box, not the page
    for url in (f"/clinical/patients/{visit.patient_id}/chart/", f"/clinical/visits/{visit.pk}/"):
        page.goto(url)
        assert page.evaluate("document.documentElement.scrollWidth") <= 375, url
