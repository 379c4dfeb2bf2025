"""Real browser: the visit page's ICD-10 search works in place and keeps unsaved notes (issue 12, bug 6)."""

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from clinical.tests.factories import CheckedInAppointmentFactory, MedicalRecordFactory
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
    expect(page.locator("#diagnoses tbody")).to_contain_text("I48.91")
