"""Deactivating a login (staff.services) revokes its API tokens (accounts), and reactivating brings none back."""

import pytest
from rest_framework.test import APIClient

from accounts.services import token_issue
from staff import services as staff_services

pytestmark = pytest.mark.django_db


def client_with(key):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


def test_deactivating_a_login_revokes_its_tokens(make_user, admin_user_obj):
    user = make_user("Nurse")
    token, key = token_issue(user=user)

    staff_services.user_set_active(user=user, active=False, acting_user=admin_user_obj)

    token.refresh_from_db()
    assert (token.revoke_reason, token.revoked_by) == ("deactivated", admin_user_obj)
    assert client_with(key).get("/api/v1/hospitals/").status_code == 401
    staff_services.user_set_active(user=user, active=True, acting_user=admin_user_obj)
    assert client_with(key).get("/api/v1/hospitals/").status_code == 401  # reactivation brings no token back
