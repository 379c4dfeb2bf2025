"""The login page (issue 12, bug 8): a failed login keeps what the user typed as username."""

import pytest

pytestmark = pytest.mark.django_db


def test_a_failed_login_shows_the_error_and_keeps_the_username_but_not_the_password(client, make_user):
    user = make_user("Nurse")

    response = client.post("/login/", {"username": user.username, "password": "wrong-password"})

    assert response.status_code == 200
    text = response.content.decode()
    assert "didn't match" in text
    assert f'value="{user.username}"' in text
    assert 'value="wrong-password"' not in text


def test_the_login_page_escapes_a_typed_username(client):
    response = client.post("/login/", {"username": '"><script>x</script>', "password": "x"})

    text = response.content.decode()
    assert "<script>x</script>" not in text
    assert 'value="&quot;&gt;&lt;script&gt;x&lt;/script&gt;"' in text
