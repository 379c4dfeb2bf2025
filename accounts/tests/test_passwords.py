"""Passwords are hashed with Argon2; older PBKDF2 hashes are rehashed with Argon2 at the next login.

The root conftest switches tests to a fast hasher (an Argon2 hash costs a tenth of a second); the first test
here proves the production setting, read from hms/settings.py itself, is Argon2 first."""

import importlib

import pytest
from django.contrib.auth.hashers import check_password, identify_hasher, make_password

pytestmark = pytest.mark.django_db

PRODUCTION_HASHERS = importlib.import_module("hms.settings").PASSWORD_HASHERS


def test_production_hashes_new_passwords_with_argon2_and_still_reads_pbkdf2():
    assert PRODUCTION_HASHERS[0] == "django.contrib.auth.hashers.Argon2PasswordHasher"
    assert "django.contrib.auth.hashers.PBKDF2PasswordHasher" in PRODUCTION_HASHERS


def test_a_new_password_is_an_argon2_hash(settings):
    settings.PASSWORD_HASHERS = PRODUCTION_HASHERS

    encoded = make_password("correct horse")

    assert identify_hasher(encoded).algorithm == "argon2"
    assert check_password("correct horse", encoded)


@pytest.fixture
def pbkdf2_user(settings, make_user):
    settings.PASSWORD_HASHERS = PRODUCTION_HASHERS
    user = make_user("Nurse")
    user.password = make_password("old-pbkdf2-pw", hasher="pbkdf2_sha256")
    user.save(update_fields=["password"])
    return user


def test_a_pbkdf2_password_is_rehashed_with_argon2_at_the_next_page_login(client, pbkdf2_user):
    response = client.post("/login/", {"username": pbkdf2_user.username, "password": "old-pbkdf2-pw"})

    assert response.status_code == 302
    pbkdf2_user.refresh_from_db()
    assert pbkdf2_user.password.startswith("argon2$")
    assert pbkdf2_user.check_password("old-pbkdf2-pw")


def test_a_pbkdf2_password_is_rehashed_with_argon2_at_the_next_token_login(api_client, pbkdf2_user):
    response = api_client.post("/api/v1/auth/token/", {"username": pbkdf2_user.username, "password": "old-pbkdf2-pw"})

    assert response.status_code == 200
    pbkdf2_user.refresh_from_db()
    assert pbkdf2_user.password.startswith("argon2$")
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {response.data['token']}")
    assert api_client.get("/api/v1/auth/tokens/").status_code == 200  # issued after the rehash: it works


def test_a_wrong_password_leaves_the_pbkdf2_hash_alone(client, pbkdf2_user):
    before = pbkdf2_user.password

    client.post("/login/", {"username": pbkdf2_user.username, "password": "wrong"})

    pbkdf2_user.refresh_from_db()
    assert pbkdf2_user.password == before
