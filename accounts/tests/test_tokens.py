"""API tokens: named, several per user, expire after API_TOKEN_LIFETIME, listed and revoked by their owner and
administrators (the row stays, with who revoked it), and dead after a password change (deactivation:
staff/tests/test_token_revocation.py)."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.keys import token_digest
from accounts.models import ApiToken
from accounts.services import token_issue

pytestmark = pytest.mark.django_db


def client_with(key):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


def test_tokens_live_twelve_hours_by_default():
    assert timedelta(hours=12) == settings.API_TOKEN_LIFETIME


def test_a_token_login_issues_a_named_token_that_expires_after_the_lifetime(api_client, make_user):
    user = make_user("Nurse")

    response = api_client.post("/api/v1/auth/token/", {"username": user.username, "password": "pw", "name": "ward pc"})

    assert response.status_code == 200
    token = ApiToken.objects.get(pk=response.data["id"])
    assert (token.user, token.name) == (user, "ward pc")
    assert abs(token.expires_at - (token.created_at + settings.API_TOKEN_LIFETIME)) < timedelta(seconds=1)
    assert client_with(response.data["token"]).get("/api/v1/hospitals/").status_code == 200


def test_only_a_digest_of_the_key_is_stored(make_user):
    token, key = token_issue(user=make_user("Nurse"))

    assert token.digest == token_digest(key) != key
    assert token.prefix == key[:8]
    assert not ApiToken.objects.filter(digest=key).exists()


def test_each_login_issues_another_token_and_both_work(api_client, make_user):
    user = make_user("Nurse")
    keys = [api_client.post("/api/v1/auth/token/", {"username": user.username, "password": "pw"}).data["token"]]
    keys.append(api_client.post("/api/v1/auth/token/", {"username": user.username, "password": "pw"}).data["token"])

    assert keys[0] != keys[1]
    assert all(client_with(key).get("/api/v1/hospitals/").status_code == 200 for key in keys)


def test_an_expired_token_answers_401_saying_so(make_user):
    token, key = token_issue(user=make_user("Nurse"))
    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - timedelta(seconds=1))

    response = client_with(key).get("/api/v1/hospitals/")

    assert response.status_code == 401
    assert "expired" in response.json()["detail"]


def test_a_used_token_records_when_it_was_last_used(make_user):
    token, key = token_issue(user=make_user("Nurse"))
    assert token.last_used_at is None

    client_with(key).get("/api/v1/hospitals/")

    token.refresh_from_db()
    assert token.last_used_at is not None


# --- Listing ----------------------------------------------------------------------------------------------------


def test_a_user_lists_their_own_tokens_live_and_dead_but_nobody_elses(api_as, make_user):
    client = api_as("Nurse")
    dead, _ = token_issue(user=client.user, name="old laptop")
    ApiToken.objects.filter(pk=dead.pk).update(expires_at=timezone.now() - timedelta(hours=1))
    token_issue(user=make_user("Doctor"))

    response = client.get("/api/v1/auth/tokens/")

    assert response.status_code == 200
    rows = response.json()["results"]
    assert {row["username"] for row in rows} == {client.user.username}
    assert sorted(row["status"] for row in rows) == ["active", "expired"]
    assert "digest" not in rows[0] and "token" not in rows[0]


def test_an_administrator_lists_everyones_tokens_and_filters_by_user(api_as, make_user):
    admin = api_as("Administrator")
    doctor = make_user("Doctor")
    token_issue(user=doctor)

    everyone = admin.get("/api/v1/auth/tokens/").json()["results"]
    doctors = admin.get(f"/api/v1/auth/tokens/?user={doctor.pk}").json()["results"]

    assert {row["username"] for row in everyone} == {admin.user.username, doctor.username}
    assert [row["username"] for row in doctors] == [doctor.username]


def test_the_token_list_needs_credentials(api_client):
    assert api_client.get("/api/v1/auth/tokens/").status_code == 401


def test_the_token_list_costs_the_same_queries_for_2_or_20_tokens(api_as):
    admin = api_as("Administrator")
    admin.get("/api/v1/auth/tokens/")
    counts = []
    for size in (2, 20):
        while ApiToken.objects.count() < size:
            token_issue(user=admin.user)
        with CaptureQueriesContext(connection) as ctx:
            assert admin.get("/api/v1/auth/tokens/").status_code == 200
        counts.append(len(ctx))
    assert counts[0] == counts[1] <= 8


# --- Revoking ---------------------------------------------------------------------------------------------------


def test_the_owner_revokes_a_token_which_then_fails_but_stays_listed(api_as):
    client = api_as("Nurse")
    other, other_key = token_issue(user=client.user, name="script")

    response = client.post(f"/api/v1/auth/tokens/{other.pk}/revoke/")

    assert response.status_code == 200
    assert response.json()["status"] == "revoked"
    other.refresh_from_db()
    assert (other.revoked_by, other.revoke_reason) == (client.user, "owner")
    assert client_with(other_key).get("/api/v1/hospitals/").status_code == 401
    assert client.get("/api/v1/hospitals/").status_code == 200  # the token in use is another one


def test_revoking_a_revoked_token_answers_409(api_as):
    client = api_as("Nurse")
    token, _ = token_issue(user=client.user)
    client.post(f"/api/v1/auth/tokens/{token.pk}/revoke/")

    response = client.post(f"/api/v1/auth/tokens/{token.pk}/revoke/")

    assert response.status_code == 409


def test_nobody_but_an_administrator_revokes_someone_elses_token(api_as, make_user):
    token, key = token_issue(user=make_user("Doctor"))

    assert api_as("Nurse").post(f"/api/v1/auth/tokens/{token.pk}/revoke/").status_code == 404
    assert client_with(key).get("/api/v1/hospitals/").status_code == 200

    admin = api_as("Administrator")
    assert admin.post(f"/api/v1/auth/tokens/{token.pk}/revoke/").status_code == 200
    token.refresh_from_db()
    assert (token.revoked_by, token.revoke_reason) == (admin.user, "administrator")
    assert client_with(key).get("/api/v1/hospitals/").status_code == 401


def test_an_administrator_revokes_tokens_in_the_back_office(admin_client, admin_user, make_user):
    token, key = token_issue(user=make_user("Doctor"))

    response = admin_client.post(
        reverse("admin:accounts_apitoken_changelist"),
        {"action": "revoke_selected", "_selected_action": [token.pk]},
        follow=True,
    )

    assert "1 token(s) revoked." in response.content.decode()
    token.refresh_from_db()
    assert token.revoked_by == admin_user
    assert client_with(key).get("/api/v1/hospitals/").status_code == 401


# --- Password change and deactivation -------------------------------------------------------------------------


def test_a_password_change_kills_every_token_of_the_user_and_records_it(make_user):
    user = make_user("Nurse")
    token, key = token_issue(user=user)

    user.set_password("a-new-password-1")
    user.save()

    response = client_with(key).get("/api/v1/hospitals/")
    assert response.status_code == 401
    assert "password" in response.json()["detail"]
    token.refresh_from_db()
    assert token.revoke_reason == "password_changed" and token.revoked_at is not None


def test_a_token_issued_after_the_password_change_works(api_client, make_user):
    user = make_user("Nurse")
    user.set_password("a-new-password-1")
    user.save()

    key = api_client.post("/api/v1/auth/token/", {"username": user.username, "password": "a-new-password-1"}).data[
        "token"
    ]

    assert client_with(key).get("/api/v1/hospitals/").status_code == 200
