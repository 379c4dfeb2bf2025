"""What every API endpoint shares: token login, authentication, pagination, error answers and the schema."""

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import IntegrityError
from rest_framework.test import APIRequestFactory

from hms.exceptions import Conflict, DomainError, DomainNotFound, api_exception_handler
from staff.tests.factories import HospitalFactory, UserFactory

pytestmark = pytest.mark.django_db


# --- Token login --------------------------------------------------------------------------------


def test_token_login_answers_a_token_that_authenticates_later_requests(api_client, make_user):
    user = make_user("Nurse", username="nurse.token")

    response = api_client.post("/api/v1/auth/token/", {"username": "nurse.token", "password": "pw"})

    assert response.status_code == 200
    assert set(response.data) == {"token", "id", "name", "expires_at"}
    assert user.api_tokens.get().pk == response.data["id"]
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {response.data['token']}")
    assert api_client.get("/api/v1/hospitals/").status_code == 200


@pytest.mark.parametrize(
    "credentials",
    [{"username": "nurse.token", "password": "wrong"}, {"username": "nobody", "password": "pw"}, {}],
)
def test_token_login_with_bad_credentials_answers_400_without_a_token(api_client, make_user, credentials):
    make_user("Nurse", username="nurse.token")

    response = api_client.post("/api/v1/auth/token/", credentials)

    assert response.status_code == 400
    assert "token" not in response.data


def test_an_inactive_user_gets_no_token(api_client):
    UserFactory(username="gone", is_active=False, groups=["Nurse"])

    response = api_client.post("/api/v1/auth/token/", {"username": "gone", "password": "pw"})

    assert response.status_code == 400


def test_a_request_without_credentials_answers_401_with_a_challenge(api_client):
    response = api_client.get("/api/v1/patients/")

    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"


def test_a_bad_token_answers_401(api_client):
    api_client.credentials(HTTP_AUTHORIZATION="Token not-a-real-token")

    assert api_client.get("/api/v1/hospitals/").status_code == 401


def test_a_user_without_a_role_is_refused(api_as):
    client = api_as(UserFactory())

    assert client.get("/api/v1/hospitals/").status_code == 403


# --- Pagination ---------------------------------------------------------------------------------


def test_lists_are_paginated_50_by_default_and_page_size_caps_at_200(api_as):
    client = api_as("Administrator")  # whose staff profile brings one hospital
    HospitalFactory.create_batch(204)

    default = client.get("/api/v1/hospitals/")
    asked_for_more = client.get("/api/v1/hospitals/", {"page_size": 1000})
    asked_for_ten = client.get("/api/v1/hospitals/", {"page_size": 10, "page": 2})

    assert default.data["count"] == 205
    assert len(default.data["results"]) == 50
    assert default.data["next"] is not None
    assert len(asked_for_more.data["results"]) == 200
    assert len(asked_for_ten.data["results"]) == 10
    assert asked_for_ten.data["previous"] is not None


def test_a_page_past_the_end_answers_404(api_as):
    assert api_as("Nurse").get("/api/v1/hospitals/", {"page": 99}).status_code == 404


# --- Errors: services' exceptions become clean JSON ---------------------------------------------


def _handle(exc):
    request = APIRequestFactory().get("/")
    return api_exception_handler(exc, {"request": request, "view": None})


def test_a_django_validation_error_with_fields_becomes_400_field_errors():
    exc = ValidationError({"date_of_birth": ["The date of birth cannot be in the future."], "__all__": ["Clash."]})

    response = _handle(exc)

    assert response.status_code == 400
    assert response.data == {
        "date_of_birth": ["The date of birth cannot be in the future."],
        "non_field_errors": ["Clash."],
    }


def test_a_django_validation_error_without_fields_becomes_400_detail():
    response = _handle(ValidationError("Unknown patient fields: shoe_size."))

    assert (response.status_code, response.data) == (400, {"detail": "Unknown patient fields: shoe_size."})


@pytest.mark.parametrize(
    ("exc", "status_code", "code"),
    [
        (DomainError("Refused."), 400, "invalid"),
        (Conflict("Taken.", extra={"duplicates": ["12345678"]}), 409, "conflict"),
        (DomainNotFound("No such thing."), 404, "not_found"),
    ],
)
def test_domain_errors_become_json_with_their_status(exc, status_code, code):
    response = _handle(exc)

    assert response.status_code == status_code
    assert response.data["detail"] == exc.message
    assert response.data["code"] == code
    if exc.extra:
        assert response.data["duplicates"] == ["12345678"]


def test_an_integrity_error_becomes_409_without_database_details():
    response = _handle(IntegrityError("Duplicate entry 'x' for key 'secret_index_name'"))

    assert response.status_code == 409
    assert "secret_index_name" not in str(response.data)


def test_an_unexpected_error_becomes_500_without_a_stack_trace():
    response = _handle(ZeroDivisionError("division by zero"))

    assert response.status_code == 500
    assert "division" not in str(response.data)
    assert "Nothing was changed" in response.data["detail"]


# --- Schema -------------------------------------------------------------------------------------

API_PATHS = [
    "/api/v1/auth/token/",
    "/api/v1/hospitals/",
    "/api/v1/hospitals/{id}/",
    "/api/v1/departments/",
    "/api/v1/departments/{id}/",
    "/api/v1/staff/",
    "/api/v1/staff/{id}/",
    "/api/v1/doctors/",
    "/api/v1/doctors/{id}/",
    "/api/v1/patients/",
    "/api/v1/patients/{id}/",
    "/api/v1/patients/{id}/deactivate/",
    "/api/v1/patients/{id}/reactivate/",
    "/api/v1/allergies/",
    "/api/v1/allergies/{id}/",
    "/api/v1/medical-history/",
    "/api/v1/medical-history/{id}/",
    "/api/v1/insurance-policies/",
    "/api/v1/insurance-policies/{id}/",
]


def test_the_schema_describes_the_staff_and_patients_endpoints(api_client):
    response = api_client.get("/api/schema/", {"format": "json"})

    assert response.status_code == 200
    schema = response.json()
    missing = [path for path in API_PATHS if path not in schema["paths"]]
    assert missing == []
    for path in API_PATHS:
        if path.endswith("{id}/"):
            assert "delete" not in schema["paths"][path], f"{path} must not offer DELETE"
    registration = schema["paths"]["/api/v1/patients/"]["post"]
    assert set(registration["responses"]) >= {"201", "409"}
    assert "allow_duplicate" in schema["components"]["schemas"]["PatientDetailRequest"]["properties"]
    assert "mrn" not in schema["components"]["schemas"]["PatientDetailRequest"]["properties"]
    assert "password" in schema["components"]["schemas"]["StaffMemberCreateRequest"]["properties"]


def test_the_schema_generates_and_validates_without_warnings(tmp_path):
    # Fails (SystemExit) on any warning or error of drf-spectacular, or an invalid OpenAPI document.
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(tmp_path / "schema.yaml"))

    assert (tmp_path / "schema.yaml").read_text().startswith("openapi: 3")
