"""In a real browser, the pages work under the Content-Security-Policy: nothing is blocked, nothing breaks."""

import pytest
from playwright.sync_api import expect

from patients.tests.factories import PatientFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def csp_violations(browser_page):
    """The CSP violations the pages report (blocked scripts, styles, images, handlers)."""
    found = []
    browser_page.on(
        "console", lambda message: found.append(message.text) if "Content Security Policy" in message.text else None
    )
    return found


def test_a_receptionist_works_through_the_pages_without_a_csp_violation(
    browser_login, browser_page, make_user, csp_violations
):
    PatientFactory(first_name="Ada", last_name="Lovelace")
    page = browser_login(make_user("Receptionist").username)
    page.goto("/patients/?q=Lov")
    expect(page.get_by_text("Lovelace").first).to_be_visible()
    page.goto("/scheduling/")
    page.goto("/password-reset/")

    assert csp_violations == []


def test_the_back_office_works_under_the_csp(browser_login, admin_user_obj, csp_violations):
    page = browser_login(admin_user_obj.username)
    page.goto("/admin/")
    page.goto("/admin/accounts/apitoken/")
    page.goto("/admin/auth/user/add/")
    expect(page.locator("#id_username")).to_be_visible()

    assert csp_violations == []


def test_the_api_docs_render_under_the_csp(browser_page, csp_violations):
    browser_page.goto("/api/docs/")
    expect(browser_page.get_by_text("HMS API").first).to_be_visible()

    assert csp_violations == []
