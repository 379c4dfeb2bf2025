"""Fixtures shared by every app's tests."""

from contextlib import contextmanager

import pytest
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from hms.testing.queries import QueryCounter, query_counter  # noqa: F401 (tests import them from here)
from staff.choices import StaffRole
from staff.tests.factories import DoctorFactory, StaffMemberFactory, UserFactory

ROLE_TO_STAFF = {
    "Administrator": StaffRole.ADMINISTRATOR,
    "Doctor": StaffRole.DOCTOR,
    "Nurse": StaffRole.NURSE,
    "Receptionist": StaffRole.RECEPTIONIST,
    "Billing Clerk": StaffRole.BILLING_CLERK,
    "Pharmacist": StaffRole.PHARMACIST,
    "Lab Technician": StaffRole.LAB_TECHNICIAN,
}


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """Hashing a password the production way takes most of a second; tests need no such cost.
    (accounts/tests/test_passwords.py proves the production setting is Argon2 first.)"""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _two_factor_optional(settings):
    """Tests log in with a password alone; accounts/tests/test_two_factor.py proves the production default
    (administrators and doctors must use two factors) and tests it."""
    settings.TWO_FACTOR_REQUIRED_ROLES = []


@pytest.fixture
def make_user(db):
    """make_user("Nurse") -> a user in that role (a StaffMember for staff roles; a bare user for Patient)."""

    def _make(role=None, **kwargs):
        if role is None:
            return UserFactory(**kwargs)
        if role in ROLE_TO_STAFF:
            factory = DoctorFactory if role == "Doctor" else StaffMemberFactory
            member = factory(role=ROLE_TO_STAFF[role], **({"user__" + k: v for k, v in kwargs.items()}))
            return member.user
        return UserFactory(groups=[role], **kwargs)

    return _make


@pytest.fixture
def api_client():
    return APIClient()


@pytest.fixture
def api_as(make_user):
    """api_as("Receptionist") -> an APIClient authenticated (by token) as a new user of that role.

    The token counts as just used: its ``last_used_at`` is written at most once a minute (accounts.authentication),
    so query counts measure the steady state, not that first write."""
    from django.utils import timezone

    from accounts.models import ApiToken
    from accounts.services import token_issue

    def _client(role_or_user):
        user = make_user(role_or_user) if isinstance(role_or_user, str) else role_or_user
        client = APIClient()
        token, key = token_issue(user=user)
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=timezone.now())
        client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
        client.user = user
        return client

    return _client


@pytest.fixture
def page_as(make_user):
    """page_as("Nurse") -> a django test Client logged in (by session) as a new user of that role (or a user given)."""

    def _client(role_or_user):
        user = make_user(role_or_user) if isinstance(role_or_user, str) else role_or_user
        client = Client()
        client.force_login(user)
        client.user = user
        return client

    return _client


@pytest.fixture
def login(client, make_user):
    """login("Nurse") -> the logged-in user; the test's `client` carries the session."""

    def _login(role_or_user):
        user = make_user(role_or_user) if isinstance(role_or_user, str) else role_or_user
        client.force_login(user)
        return user

    return _login


def admin_url(model, view, *args):
    """The back office's URL of a model's view: admin_url(Patient, "changelist"), admin_url(Bill, "change", pk)."""
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


@pytest.fixture
def admin_user_obj(db):
    return UserFactory(username="root", is_staff=True, is_superuser=True)


# --- Counting queries: `from conftest import query_counter, query_count, counted_get` ---------------------------------


def query_count(client, url, params=None, status=200):
    """How many queries a GET of url costs (the answer's status checked): for "the same at 3 and 30 rows" tests."""
    return counted_get(client, url, params, status)[0]


def counted_get(client, url, params=None, status=200):
    """GET url with a test or API client, assert the status, and return (number of queries, response)."""
    with query_counter() as queries:
        response = client.get(url, params or {})
    assert response.status_code == status, getattr(response, "data", response)
    return queries.count, response


# --- Browser tests: Playwright (sync API) driving Debian's chromium against pytest-django's live_server. ---------
# Mark them @pytest.mark.browser and @pytest.mark.django_db(transaction=True). No browser is ever downloaded.

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]


@contextmanager
def launched_chromium():
    """with launched_chromium() as browser: a headless Debian chromium driven by Playwright's sync API."""
    import os

    from playwright.sync_api import sync_playwright

    if not os.path.exists(CHROMIUM):
        pytest.fail(f"Chromium is not installed at {CHROMIUM}; install Debian's chromium package (make test does).")
    # Playwright's sync API runs an event loop in this thread, which trips Django's async-unsafe check
    # on the test's own database queries; the queries are still made synchronously from this thread.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            try:
                yield browser
            finally:
                browser.close()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture
def browser_page(live_server):
    """A fresh headless chromium page whose relative URLs ("/login/") go to the live server."""
    with launched_chromium() as browser:
        context = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 900})
        context.set_default_timeout(15_000)
        try:
            yield context.new_page()
        finally:
            context.close()


@pytest.fixture
def browser_login(browser_page):
    """browser_login(username) logs in through the real login form (factory users' password is "pw")."""

    def _login(username, password="pw"):
        browser_page.goto("/login/")
        browser_page.fill("#id_username", username)
        browser_page.fill("#id_password", password)
        browser_page.click("button[type=submit]")
        browser_page.wait_for_load_state()
        return browser_page

    return _login


@pytest.fixture
def screenshot(browser_page):
    """screenshot("name") saves a full-page PNG to $HMS_SCREENSHOTS/pages_<name>.png when that variable is set."""
    import os
    from pathlib import Path

    folder = os.environ.get("HMS_SCREENSHOTS")

    def _shoot(name):
        if folder:
            Path(folder).mkdir(parents=True, exist_ok=True)
            browser_page.screenshot(path=str(Path(folder) / f"pages_{name}.png"), full_page=True)

    return _shoot


@pytest.fixture
def without_care_restriction(monkeypatch):
    """Doctors and nurses read every chart, as before minimum necessary (patients.policies.care_restricted): for
    tests about something else (the timeline's wording, units, amendments) whose clinicians have no care
    relationship with the factories' patients. Minimum necessary itself: tests/test_care_access.py."""
    from patients import policies

    monkeypatch.setattr(policies, "care_restricted", lambda user: False)
