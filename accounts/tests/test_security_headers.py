"""Security headers: a Content-Security-Policy without inline script, HSTS and the HTTPS redirect from the
environment, ``Cache-Control: no-store`` on every answer to a logged-in user (pages and API), and a clean
``manage.py check --deploy`` with the production settings the README documents."""

import importlib
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

pytestmark = pytest.mark.django_db

BASE_DIR = Path(settings.BASE_DIR)

# The production environment of README "Deploying": check --deploy must find nothing with it.
PRODUCTION_ENV = {
    "DEBUG": "0",
    "SECRET_KEY": "q8Zt3v!Lm2@Xw9#Rk4$Jp7%Hd1^Fs6&Gb0*Nc5(Ye8)Ua3-Vi2_Ot",
    "ALLOWED_HOSTS": "hms.example.org",
    "SECURE_SSL_REDIRECT": "1",
    "SECURE_HSTS_SECONDS": "31536000",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS": "1",
    "SECURE_HSTS_PRELOAD": "1",
    "SECURE_COOKIES": "1",
}


def csp(response):
    return dict(part.strip().split(" ", 1) for part in response["Content-Security-Policy"].split(";") if part.strip())


def test_every_page_carries_a_csp_that_allows_only_our_own_scripts_and_styles(client):
    policy = csp(client.get("/login/"))

    assert policy["script-src"] == "'self'"
    assert policy["style-src"] == "'self'"
    assert policy["object-src"] == "'none'"
    assert policy["frame-ancestors"] == "'none'"
    assert "unsafe-inline" not in str(policy) and "unsafe-eval" not in str(policy)


INLINE = [
    (re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*application/json)[^>]*>", re.I), "an inline <script>"),
    (re.compile(r"\son[a-z]+\s*=", re.I), "an inline event handler"),
    (re.compile(r"\sstyle\s*=", re.I), "a style attribute"),
    (re.compile(r"<style[\s>]", re.I), "a <style> element"),
    (re.compile(r"javascript:", re.I), "a javascript: URL"),
]


def test_no_template_has_inline_script_handlers_or_styles():
    found = []
    for path in sorted(BASE_DIR.glob("**/templates/**/*.html")):
        if ".venv" in path.parts:
            continue
        text = path.read_text()
        found += [f"{path.relative_to(BASE_DIR)}: {what}" for pattern, what in INLINE if pattern.search(text)]
    assert found == []


def test_the_api_docs_page_loads_its_start_up_script_from_a_url(client):
    page = client.get("/api/docs/").content.decode()
    script = client.get("/api/docs/?script=")

    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", page)
    assert "<style" not in page
    assert script.status_code == 200 and "SwaggerUIBundle" in script.content.decode()


# --- Cache-Control ----------------------------------------------------------------------------------------------


def test_a_page_for_a_logged_in_user_is_never_stored(client, make_user):
    client.force_login(make_user("Receptionist"))

    response = client.get("/patients/")

    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"] and "private" in response["Cache-Control"]


def test_an_api_answer_is_never_stored(api_as):
    response = api_as("Receptionist").get("/api/v1/patients/")

    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]


def test_an_api_answer_to_a_session_user_is_never_stored(client, make_user):
    client.force_login(make_user("Receptionist"))

    assert "no-store" in client.get("/api/v1/patients/")["Cache-Control"]


def test_a_refused_token_answer_is_not_stored_either(api_client):
    api_client.credentials(HTTP_AUTHORIZATION="Token nope")

    assert "no-store" in api_client.get("/api/v1/patients/")["Cache-Control"]


def test_a_token_login_answer_holding_a_key_is_never_stored(api_client, make_user):
    user = make_user("Nurse")

    response = api_client.post("/api/v1/auth/token/", {"username": user.username, "password": "pw"})

    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]


# --- HTTPS ------------------------------------------------------------------------------------------------------


def test_https_settings_are_off_by_default_for_local_development():
    module = importlib.import_module("hms.settings")
    assert (module.SECURE_SSL_REDIRECT, module.SECURE_HSTS_SECONDS) == (False, 0)


def test_hsts_and_the_https_redirect_follow_the_settings(client, settings):
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_HSTS_SECONDS = 31536000
    settings.SECURE_HSTS_INCLUDE_SUBDOMAINS = True

    plain = client.get("/login/")
    secure = client.get("/login/", secure=True)

    assert plain.status_code == 301 and plain["Location"].startswith("https://")
    assert secure["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"


def _manage(*args, env):
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=BASE_DIR,
        env={"PATH": os.environ.get("PATH", ""), "DATABASE_URL": os.environ.get("DATABASE_URL", ""), **env},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_check_deploy_is_clean_with_the_documented_production_settings():
    result = _manage("check", "--deploy", "--fail-level", "WARNING", env=PRODUCTION_ENV)

    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_check_deploy_complains_without_them():
    result = _manage("check", "--deploy", "--fail-level", "WARNING", env={**PRODUCTION_ENV, "SECURE_HSTS_SECONDS": "0"})

    assert result.returncode != 0
    assert "security.W004" in result.stdout + result.stderr
