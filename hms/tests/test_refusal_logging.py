"""A refused page or API request is logged as one warning line (user, path), never a stack trace (issue 12, bug 10)."""

import logging

import pytest

pytestmark = pytest.mark.django_db


def _request_records(caplog):
    return [record for record in caplog.records if record.name == "django.request"]


def test_a_page_refused_with_permission_denied_is_one_warning_line_with_user_and_path(client, make_user, caplog):
    user = make_user("Patient")  # staff pages refuse portal patients with PermissionDenied
    client.force_login(user)

    with caplog.at_level(logging.INFO):
        response = client.get("/patients/")

    assert response.status_code == 403
    [record] = _request_records(caplog)
    assert record.levelno == logging.WARNING
    assert record.exc_info is None and record.exc_text is None
    line = caplog.text.strip()
    assert "\n" not in line and "Traceback" not in line
    assert "403" in line and "/patients/" in line and user.username in line


def test_a_missing_page_is_one_warning_line_without_traceback(client, make_user, caplog):
    user = make_user("Receptionist")
    client.force_login(user)

    with caplog.at_level(logging.INFO):
        response = client.get("/patients/987654321/")

    assert response.status_code == 404
    [record] = _request_records(caplog)
    assert record.levelno == logging.WARNING and record.exc_info is None
    assert "404" in record.getMessage() and "/patients/987654321/" in record.getMessage()
    assert user.username in record.getMessage()


def test_a_refused_api_request_is_one_line_naming_the_anonymous_caller(client, caplog):
    with caplog.at_level(logging.INFO):
        response = client.get("/api/v1/patients/")

    assert response.status_code in (401, 403)
    [record] = _request_records(caplog)
    assert record.levelno == logging.WARNING and record.exc_info is None
    assert "/api/v1/patients/" in record.getMessage() and "anonymous" in record.getMessage()
