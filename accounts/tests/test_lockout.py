"""Lockout after repeated failed logins (django-axes), per username and per address, on the login page, the
admin login and the API token login; an administrator unlocks."""

from datetime import timedelta

import pytest
from axes.models import AccessAttempt, AccessFailureLog
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from accounts.services import login_unlock

pytestmark = pytest.mark.django_db

LIMIT = 5


def fail(client, url, username, times, ip="10.0.0.1"):
    for _ in range(times):
        client.post(url, {"username": username, "password": "wrong"}, REMOTE_ADDR=ip)


def test_by_default_five_failures_lock_a_login_for_fifteen_minutes():
    assert settings.AXES_FAILURE_LIMIT == LIMIT
    assert timedelta(minutes=15) == settings.AXES_COOLOFF_TIME
    assert settings.AXES_LOCKOUT_PARAMETERS == ["username", "ip_address"]


def test_four_failures_still_let_the_right_password_in(client, make_user):
    user = make_user("Nurse")
    fail(client, "/login/", user.username, LIMIT - 1)

    response = client.post("/login/", {"username": user.username, "password": "pw"}, REMOTE_ADDR="10.0.0.1")

    assert response.status_code == 302


def test_five_failures_lock_the_login_page_with_a_clear_form_error_even_for_the_right_password(client, make_user):
    user = make_user("Nurse")
    fail(client, "/login/", user.username, LIMIT)

    response = client.post("/login/", {"username": user.username, "password": "pw"}, REMOTE_ADDR="10.0.0.1")

    assert response.status_code == 429
    text = response.content.decode()
    assert "Too many failed logins" in text and "Try again in 15 minutes" in text
    assert "didn't match" not in text
    assert f'value="{user.username}"' in text  # the login form again, with the message as its error
    assert "_auth_user_id" not in client.session


def test_a_locked_username_is_locked_from_every_address(client, make_user):
    user = make_user("Nurse")
    fail(client, "/login/", user.username, LIMIT, ip="10.0.0.1")

    response = client.post("/login/", {"username": user.username, "password": "pw"}, REMOTE_ADDR="10.9.9.9")

    assert response.status_code == 429


def test_an_address_with_five_failures_is_locked_for_every_username(client, make_user):
    user = make_user("Nurse")
    for n in range(LIMIT):
        fail(client, "/login/", f"guess{n}", 1, ip="10.0.0.66")

    locked = client.post("/login/", {"username": user.username, "password": "pw"}, REMOTE_ADDR="10.0.0.66")
    elsewhere = client.post("/login/", {"username": user.username, "password": "pw"}, REMOTE_ADDR="10.0.0.7")

    assert locked.status_code == 429
    assert elsewhere.status_code == 302


def test_the_lockout_ends_after_the_cool_off(client, make_user):
    user = make_user("Nurse")
    fail(client, "/login/", user.username, LIMIT)
    AccessAttempt.objects.update(attempt_time=AccessAttempt.objects.first().attempt_time - timedelta(minutes=16))

    response = client.post("/login/", {"username": user.username, "password": "pw"}, REMOTE_ADDR="10.0.0.1")

    assert response.status_code == 302


def test_the_admin_login_locks_too_and_says_so(client, admin_user_obj):
    url = reverse("admin:login")
    fail(client, url, admin_user_obj.username, LIMIT)

    response = client.post(url, {"username": admin_user_obj.username, "password": "pw"}, REMOTE_ADDR="10.0.0.1")

    assert response.status_code == 429
    assert "Too many failed logins" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_failures_on_one_login_count_on_the_others(client, api_client, make_user):
    user = make_user("Nurse")
    fail(client, "/login/", user.username, 3)
    fail(api_client, "/api/v1/auth/token/", user.username, 2)

    response = client.post("/login/", {"username": user.username, "password": "pw"}, REMOTE_ADDR="10.0.0.1")

    assert response.status_code == 429


def test_the_token_login_answers_429_json_with_a_message_when_locked(api_client, make_user):
    user = make_user("Nurse")
    fail(api_client, "/api/v1/auth/token/", user.username, LIMIT)

    response = api_client.post(
        "/api/v1/auth/token/", {"username": user.username, "password": "pw"}, REMOTE_ADDR="10.0.0.1"
    )

    assert response.status_code == 429
    assert response.json()["code"] == "locked_out"
    assert "Too many failed logins" in response.json()["detail"]
    assert not user.api_tokens.exists()


def test_the_failure_that_reaches_the_limit_already_answers_the_lockout(api_client, make_user):
    user = make_user("Nurse")
    fail(api_client, "/api/v1/auth/token/", user.username, LIMIT - 1)

    response = api_client.post(
        "/api/v1/auth/token/", {"username": user.username, "password": "wrong"}, REMOTE_ADDR="10.0.0.1"
    )

    assert response.status_code == 429
    assert AccessFailureLog.objects.filter(username=user.username, locked_out=True).exists()


def test_a_successful_login_forgets_the_earlier_failures(client, make_user):
    user = make_user("Nurse")
    fail(client, "/login/", user.username, LIMIT - 1)
    client.post("/login/", {"username": user.username, "password": "pw"}, REMOTE_ADDR="10.0.0.1")
    client.logout()

    fail(client, "/login/", user.username, LIMIT - 1)
    response = client.post("/login/", {"username": user.username, "password": "pw"}, REMOTE_ADDR="10.0.0.1")

    assert response.status_code == 302


def test_an_administrator_unlocks_a_login_in_the_back_office(client, admin_client, make_user):
    user = make_user("Nurse")
    fail(client, "/login/", user.username, LIMIT)
    attempts = AccessAttempt.objects.filter(username=user.username)

    response = admin_client.post(
        reverse("admin:axes_accessattempt_changelist"),
        {"action": "unlock_selected", "_selected_action": list(attempts.values_list("pk", flat=True))},
        follow=True,
    )

    assert "lockout record(s) reset" in response.content.decode()
    login = client.post("/login/", {"username": user.username, "password": "pw"}, REMOTE_ADDR="10.0.0.1")
    assert login.status_code == 302
    assert AccessFailureLog.objects.filter(username=user.username).count() == LIMIT  # the story stays


def test_an_administrator_who_is_not_a_superuser_unlocks_too(client, make_user):
    user = make_user("Nurse")
    fail(client, "/login/", user.username, LIMIT)
    administrator = make_user("Administrator", is_staff=True)
    back_office = type(client)()
    back_office.force_login(administrator)

    back_office.post(
        reverse("admin:axes_accessattempt_changelist"),
        {"action": "unlock_selected", "_selected_action": [AccessAttempt.objects.get(username=user.username).pk]},
    )

    assert not AccessAttempt.objects.filter(username=user.username).exists()


def test_the_back_office_shows_lockouts_but_never_deletes_them(admin_client, client, make_user):
    user = make_user("Nurse")
    fail(client, "/login/", user.username, LIMIT)
    attempt = AccessAttempt.objects.get(username=user.username)

    listing = admin_client.get(reverse("admin:axes_accessattempt_changelist"))
    delete = admin_client.post(reverse("admin:axes_accessattempt_delete", args=[attempt.pk]), {"post": "yes"})

    assert user.username in listing.content.decode()
    assert delete.status_code == 403
    assert AccessAttempt.objects.filter(pk=attempt.pk).exists()


def test_only_an_administrator_may_unlock(make_user):
    with pytest.raises(PermissionDenied):
        login_unlock(acting_user=make_user("Nurse"), username="someone")
    assert login_unlock(acting_user=make_user("Administrator"), username="someone") == 0
