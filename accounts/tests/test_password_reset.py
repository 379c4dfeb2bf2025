"""Password reset by email, for patients and staff; the page never tells whether an address has a login."""

import importlib
import re

import pytest
from django.core import mail
from rest_framework.test import APIClient

from accounts.services import token_issue

pytestmark = pytest.mark.django_db


def test_email_goes_to_the_console_unless_the_environment_names_a_backend():
    module = importlib.import_module("hms.settings")
    assert module.EMAIL_BACKEND == "django.core.mail.backends.console.EmailBackend"


def test_the_login_page_links_to_the_password_reset(client):
    assert 'href="/password-reset/"' in client.get("/login/").content.decode()


@pytest.mark.parametrize("role", ["Patient", "Nurse", "Administrator"])
def test_a_user_resets_their_password_from_the_emailed_link(client, make_user, role):
    user = make_user(role, email="someone@example.com")

    response = client.post("/password-reset/", {"email": "someone@example.com"}, follow=True)

    assert "Check your email" in response.content.decode()
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["someone@example.com"]
    link = re.search(r"http://testserver(/password-reset/\S+/)", mail.outbox[0].body).group(1)
    form = client.get(link, follow=True)
    assert "Choose a new password" in form.content.decode()
    done = client.post(
        form.redirect_chain[-1][0] if form.redirect_chain else link,
        {"new_password1": "Brand-new-pass-42", "new_password2": "Brand-new-pass-42"},
        follow=True,
    )
    assert "Password changed" in done.content.decode()
    user.refresh_from_db()
    assert user.check_password("Brand-new-pass-42")
    assert client.post("/login/", {"username": user.username, "password": "Brand-new-pass-42"}).status_code == 302


def test_an_unknown_address_gets_the_same_answer_and_no_email(client, make_user):
    make_user("Nurse", email="known@example.com")

    known = client.post("/password-reset/", {"email": "known@example.com"}, follow=True)
    unknown = client.post("/password-reset/", {"email": "nobody@example.com"}, follow=True)

    assert known.redirect_chain == unknown.redirect_chain == [("/password-reset/sent/", 302)]
    assert known.content == unknown.content
    assert [message.to for message in mail.outbox] == [["known@example.com"]]


def test_a_used_reset_link_does_not_work_twice(client, make_user):
    make_user("Patient", email="p@example.com")
    client.post("/password-reset/", {"email": "p@example.com"})
    link = re.search(r"http://testserver(/password-reset/\S+/)", mail.outbox[0].body).group(1)
    form = client.get(link, follow=True)
    set_url = form.redirect_chain[-1][0]
    client.post(set_url, {"new_password1": "Brand-new-pass-42", "new_password2": "Brand-new-pass-42"})

    again = client.get(link, follow=True)

    assert "This link is not valid" in again.content.decode()


def test_a_password_reset_kills_the_users_api_tokens(client, make_user):
    user = make_user("Nurse", email="n@example.com")
    _token, key = token_issue(user=user)
    client.post("/password-reset/", {"email": "n@example.com"})
    link = re.search(r"http://testserver(/password-reset/\S+/)", mail.outbox[0].body).group(1)
    set_url = client.get(link, follow=True).redirect_chain[-1][0]
    client.post(set_url, {"new_password1": "Brand-new-pass-42", "new_password2": "Brand-new-pass-42"})

    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert api.get("/api/v1/hospitals/").status_code == 401
