"""Two-factor sign-in (TOTP with recovery codes): set up by anyone, required for the roles of
TWO_FACTOR_REQUIRED_ROLES (administrators and doctors in production), asked on the login page, the back-office
login and the API token login."""

import importlib

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts import two_factor
from accounts.checks import two_factor_roles_exist

pytestmark = pytest.mark.django_db


def code_for(device):
    device.refresh_from_db()
    TOTPDevice.objects.filter(pk=device.pk).update(last_t=-1)  # each test code may be the step's only one
    return f"{totp(device.bin_key, device.step, device.t0, device.digits, device.drift):06d}"


@pytest.fixture
def enrolled(make_user):
    """enrolled(role) -> (user, app device, recovery codes) with two-factor sign-in on."""

    def _make(role="Nurse", **kwargs):
        user = make_user(role, **kwargs)
        device = two_factor.two_factor_start(user=user)
        device, codes = two_factor.two_factor_confirm(user=user, code=code_for(device))
        return user, device, codes

    return _make


def test_production_requires_it_of_administrators_and_doctors():
    assert importlib.import_module("hms.settings").TWO_FACTOR_REQUIRED_ROLES == ["Administrator", "Doctor"]


# --- Setting it up ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["Patient", "Nurse"])
def test_anyone_may_turn_it_on_with_a_code_and_gets_ten_recovery_codes(client, make_user, role):
    user = make_user(role)
    client.force_login(user)

    page = client.get("/account/two-factor/")
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    assert two_factor.app_secret(device) in page.content.decode()

    wrong = client.post("/account/two-factor/", {"code": "000000" if code_for(device) != "000000" else "111111"})
    assert "does not match" in wrong.content.decode()
    done = client.post("/account/two-factor/", {"code": code_for(device)})

    assert "Two-factor sign-in is on" in done.content.decode()
    assert len(done.context["codes"]) == 10
    assert two_factor.two_factor_enabled(user)


def test_new_recovery_codes_replace_the_old_ones(enrolled):
    user, _device, codes = enrolled()

    new = two_factor.recovery_codes_renew(user=user)

    assert set(new) & set(codes) == set()
    assert set(StaticToken.objects.filter(device__user=user).values_list("token", flat=True)) == set(new)


# --- Logging in -------------------------------------------------------------------------------------------------


def test_with_it_on_the_password_alone_does_not_log_in(client, enrolled):
    user, _device, _codes = enrolled()

    response = client.post("/login/", {"username": user.username, "password": "pw"})

    assert response.status_code == 200
    assert "code from your authenticator app" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_the_password_and_a_current_code_log_in(client, enrolled):
    user, device, _codes = enrolled()

    response = client.post("/login/", {"username": user.username, "password": "pw", "otp_token": code_for(device)})

    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(user.pk)


def test_a_recovery_code_logs_in_once(client, enrolled):
    user, _device, codes = enrolled()

    first = client.post("/login/", {"username": user.username, "password": "pw", "otp_token": codes[0]})
    client.logout()
    again = client.post("/login/", {"username": user.username, "password": "pw", "otp_token": codes[0]})

    assert first.status_code == 302
    assert again.status_code == 200


def test_the_back_office_login_asks_for_the_code_too(client, enrolled):
    user, device, _codes = enrolled("Administrator", is_staff=True)
    url = reverse("admin:login")

    without = client.post(url, {"username": user.username, "password": "pw"})
    assert without.status_code == 200 and "authenticator app" in without.content.decode()

    response = client.post(url, {"username": user.username, "password": "pw", "otp_token": code_for(device)})
    assert response.status_code == 302


def test_the_token_login_needs_the_code_with_it_on(api_client, enrolled):
    user, device, _codes = enrolled()

    without = api_client.post("/api/v1/auth/token/", {"username": user.username, "password": "pw"})
    assert without.status_code == 400 and "otp" in without.json()

    response = api_client.post(
        "/api/v1/auth/token/", {"username": user.username, "password": "pw", "otp": code_for(device)}
    )
    assert response.status_code == 200 and response.json()["token"]


# --- Required roles ---------------------------------------------------------------------------------------------


@pytest.fixture
def required(settings):
    settings.TWO_FACTOR_REQUIRED_ROLES = ["Administrator", "Doctor"]


def test_a_doctor_without_it_is_sent_to_set_it_up_before_any_page(client, make_user, required):
    client.post("/login/", {"username": make_user("Doctor").username, "password": "pw"})

    response = client.get("/patients/")

    assert response.status_code == 302
    assert response["Location"].startswith("/account/two-factor/?next=")
    assert "set it up to go on" in client.get(response["Location"]).content.decode()


def test_a_doctor_who_sets_it_up_goes_on_to_the_pages(client, make_user, required):
    doctor = make_user("Doctor")
    client.post("/login/", {"username": doctor.username, "password": "pw"})
    client.get("/account/two-factor/")
    device = TOTPDevice.objects.get(user=doctor)

    client.post("/account/two-factor/", {"code": code_for(device)})

    response = client.get("/", follow=True)
    assert response.status_code == 200
    assert not any(url.startswith("/account/two-factor/") for url, _ in response.redirect_chain)


def test_a_nurse_is_not_obliged(client, make_user, required):
    client.force_login(make_user("Nurse"))

    assert client.get("/patients/").status_code == 200


def test_a_session_api_request_of_an_unconfirmed_doctor_answers_403(client, make_user, required):
    client.force_login(make_user("Doctor"))

    response = client.get("/api/v1/patients/")

    assert response.status_code == 403
    assert response.json()["code"] == "two_factor_required"


def test_a_doctor_without_it_gets_no_api_token(api_client, make_user, required):
    doctor = make_user("Doctor")

    response = api_client.post("/api/v1/auth/token/", {"username": doctor.username, "password": "pw"})

    assert response.status_code == 403
    assert response.json()["code"] == "two_factor_setup_required"


def test_a_superuser_counts_as_an_administrator(admin_user_obj, required):
    assert two_factor.two_factor_required(admin_user_obj)


# --- The back office --------------------------------------------------------------------------------------------


def test_an_administrator_turns_it_off_for_a_user_who_lost_the_phone(admin_client, enrolled, client):
    user, device, _codes = enrolled()

    admin_client.post(
        reverse("admin:otp_totp_totpdevice_changelist"),
        {"action": "turn_off_selected", "_selected_action": [device.pk]},
    )

    assert not two_factor.two_factor_enabled(user)
    assert TOTPDevice.objects.filter(pk=device.pk).exists()  # kept, unconfirmed
    assert client.post("/login/", {"username": user.username, "password": "pw"}).status_code == 302


def test_a_misspelt_required_role_is_a_system_check_error(settings):
    settings.TWO_FACTOR_REQUIRED_ROLES = ["Administrator", "Docter"]

    assert [error.id for error in two_factor_roles_exist(None)] == ["accounts.E001"]
    settings.TWO_FACTOR_REQUIRED_ROLES = ["Administrator", "Doctor"]
    assert two_factor_roles_exist(None) == []


def test_a_confirmed_login_costs_no_query_per_page(client, enrolled, required):
    user, device, _codes = enrolled("Doctor")
    client.post("/login/", {"username": user.username, "password": "pw", "otp_token": code_for(device)})
    client.get("/patients/")

    with CaptureQueriesContext(connection) as ctx:
        response = client.get("/patients/")

    assert response.status_code == 200
    assert not [q["sql"] for q in ctx.captured_queries if "otp_" in q["sql"]]


def test_logging_out_ends_the_confirmation(client, enrolled, required):
    user, device, _codes = enrolled("Doctor")
    client.post("/login/", {"username": user.username, "password": "pw", "otp_token": code_for(device)})
    client.post("/logout/")

    client.force_login(user)  # a password-only session of the same user

    assert client.get("/patients/")["Location"].startswith("/account/two-factor/")
