"""The clinical safety loop in a real browser: the doctor sees a critical result on the start page, opens the
inbox and acknowledges it; at 375 px wide neither page scrolls sideways."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from clinical.models import LabResult
from clinical.tests.factories import LabResultFactory, SignedMedicalRecordFactory
from staff.tests.factories import DoctorFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def fits_the_width(page, selector):
    """The element lies within the viewport's width (the page's own menu and tables are the global stylesheet's
    to fit; this checks what the results inbox adds)."""
    return page.evaluate(
        "s => [...document.querySelectorAll(s)].every(e => e.getBoundingClientRect().right <= window.innerWidth + 1)",
        selector,
    )


@pytest.mark.parametrize("width", [1366, 375])
def test_a_doctor_sees_the_critical_banner_opens_the_inbox_and_acknowledges(browser_login, screenshot, width):
    doctor = DoctorFactory(user__username="drchen")
    record = SignedMedicalRecordFactory(appointment__doctor=doctor, appointment__patient__last_name="Okafor")
    at = timezone.now() - datetime.timedelta(minutes=20)
    critical = LabResultFactory(order__record=record, value=Decimal("452"), resulted_at=at)
    LabResultFactory(order__record=SignedMedicalRecordFactory(appointment__doctor=doctor), value=Decimal("150"))
    page = browser_login("drchen")
    page.set_viewport_size({"width": width, "height": 900})
    page.goto("/scheduling/my-schedule/")

    banner = page.locator("#critical-results")
    expect(banner).to_contain_text("1 critical result to acknowledge")
    expect(banner).to_contain_text("452 mg/dL")
    assert fits_the_width(page, "#critical-results, #my-results-inbox, #my-unsigned-records")
    screenshot(f"doctor_start_critical_{width}")

    banner.get_by_role("link", name="Open the results inbox").click()
    expect(page.locator("h1")).to_have_text("Results inbox")
    screenshot(f"results_inbox_{width}")
    page.locator(f"#result-{critical.pk}").get_by_role("button", name="Acknowledge").click()
    expect(page.locator(".message.success")).to_contain_text("Acknowledged Glucose, fasting")

    assert LabResult.objects.get(pk=critical.pk).acknowledged_by == doctor.user
    page.goto("/scheduling/my-schedule/")
    expect(page.locator("#critical-results")).to_have_count(0)
    expect(page.locator("#my-results-inbox")).to_contain_text("1 result to acknowledge")
