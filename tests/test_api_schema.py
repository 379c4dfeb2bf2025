"""The OpenAPI schema (/api/schema/) describes what the server answers: error bodies, nullable fields,
formats and the shape of action answers. The full check is the schemathesis run in test_api_contract."""

import pytest
from django.core.management import call_command
from drf_spectacular.generators import SchemaGenerator
from rest_framework import serializers

from hms.fields import OptionalEmailField
from hms.schema import may_be_null
from patients.tests.factories import PatientFactory
from scheduling.tests.factories import AppointmentFactory

METHODS = {"get", "post", "put", "patch", "delete"}


@pytest.fixture(scope="module")
def schema():
    return SchemaGenerator().get_schema(request=None, public=True)


def operations(schema):
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            if method in METHODS:
                yield path, method, operation


def test_schema_generates_without_warnings(tmp_path):
    """drf-spectacular resolves every view, serializer and field, and the document is valid OpenAPI."""
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(tmp_path / "schema.yaml"))
    assert (tmp_path / "schema.yaml").stat().st_size > 10_000


def test_every_operation_documents_its_error_answers_with_a_json_body(schema):
    missing = []
    for path, method, operation in operations(schema):
        responses = operation["responses"]
        # Every operation needs credentials (401, 403) but the token login, which takes them (no security).
        expected = {"401", "403"} if operation.get("security") else set()
        if "{" in path:
            expected.add("404")
        if method in {"post", "put", "patch", "delete"}:
            expected.add("409")
        if "requestBody" in operation:
            expected |= {"400", "413"}
        if any(p["in"] == "query" for p in operation.get("parameters", [])):
            expected.add("400")
        missing += [f"{method.upper()} {path} {code}" for code in sorted(expected - set(responses))]
        for code, response in responses.items():
            if code.startswith("4"):
                assert "schema" in response["content"]["application/json"], (method, path, code)
    assert missing == []
    assert schema["components"]["schemas"]["Error"]["type"] == "object"


@pytest.mark.parametrize(
    ("component", "field"),
    [
        ("Appointment", "room_name"),
        ("Appointment", "department_name"),
        ("Appointment", "equipment_name"),
        ("Appointment", "telemedicine_url"),
        ("Patient", "preferred_hospital_name"),
        ("PatientDetail", "preferred_hospital_name"),
        ("StaffMember", "department_name"),
        ("BillDetail", "policy"),
        ("LabOrder", "result"),
        ("Payment", "received_by"),
        ("Patient", "email"),
        ("StaffMember", "email"),
    ],
)
def test_read_only_fields_that_can_be_empty_are_nullable(schema, component, field):
    assert schema["components"]["schemas"][component]["properties"][field].get("nullable") is True


def test_a_list_through_a_reverse_relation_is_not_nullable_for_being_a_relation():
    """A bill's lines are [] when there are none; they are null only when the role may not see them
    (hms.nested says so in the field's description), not because the relation can be empty."""
    from billing.api.serializers import BillDetailSerializer

    assert may_be_null(BillDetailSerializer().fields["lines"]) is False


def test_times_are_described_by_a_pattern_not_the_offset_requiring_time_format(schema):
    start = schema["components"]["schemas"]["Availability"]["properties"]["start_time"]
    assert "format" not in start
    assert start["pattern"].startswith("^([01][0-9]|2[0-3])")


@pytest.mark.parametrize(
    "path", ["/api/v1/inventory/stores/{id}/write-off-expired/", "/api/v1/inventory/batches/{id}/transfer/"]
)
def test_actions_answering_the_rows_they_wrote_document_a_plain_list(schema, path):
    body = schema["paths"][path]["post"]["responses"]["200"]["content"]["application/json"]["schema"]
    assert body == {"type": "array", "items": {"$ref": "#/components/schemas/StockMovement"}}


def test_request_bodies_are_documented_as_json_only(schema):
    for path, method, operation in operations(schema):
        if "requestBody" in operation:
            assert list(operation["requestBody"]["content"]) == ["application/json"], (method, path)


def test_every_read_only_field_through_a_nullable_relation_answers_null_rather_than_vanishing():
    """DRF drops a read-only field whose source hits a missing row unless it allows null (a ``default=None``
    is dropped too, from PATCH answers); the schema marks such a field nullable and required, so it must
    always be there."""
    import importlib

    offenders = []
    for app in ["staff", "patients", "catalog", "scheduling", "clinical", "billing", "inventory"]:
        module = importlib.import_module(f"{app}.api.serializers")
        for cls in vars(module).values():
            if not (isinstance(cls, type) and issubclass(cls, serializers.ModelSerializer) and hasattr(cls, "Meta")):
                continue
            for name, field in cls().fields.items():
                plain = not isinstance(field, serializers.RelatedField | serializers.BaseSerializer)
                if plain and field.read_only and may_be_null(field) and not field.allow_null:
                    offenders.append(f"{cls.__name__}.{name}")
    assert offenders == []


@pytest.mark.django_db
def test_a_blank_email_or_join_link_is_answered_as_null(api_as):
    patient = PatientFactory(email="")
    AppointmentFactory(patient=patient)
    client = api_as("Receptionist")
    assert client.get(f"/api/v1/patients/{patient.pk}/").json()["email"] is None
    assert client.get("/api/v1/appointments/").json()["results"][0]["telemedicine_url"] is None


@pytest.mark.django_db
def test_null_or_blank_email_in_input_means_none():
    field = OptionalEmailField(required=False)
    assert field.run_validation(None) == ""
    assert field.run_validation("") == ""
    assert field.run_validation("a@example.com") == "a@example.com"


def test_an_api_url_that_matches_no_route_answers_json_404(client):
    response = client.get("/api/v1/patients/not-a-number.json/")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"detail": "Not found."}


@pytest.mark.django_db
def test_an_out_of_range_spo2_answers_400_with_its_percent_sign_not_500(api_as):
    patient = PatientFactory()
    response = api_as("Nurse").post("/api/v1/vitals/", {"patient": patient.pk, "spo2": 0}, format="json")
    assert response.status_code == 400
    assert response.json() == {"spo2": ["SpO2 must be between 50 and 100 %."]}


@pytest.mark.django_db
def test_bmi_is_null_when_height_or_weight_was_not_measured(api_as, schema, without_care_restriction):
    from clinical.tests.factories import VitalsFactory

    VitalsFactory(weight_kg=None)
    assert api_as("Nurse").get("/api/v1/vitals/").json()["results"][0]["bmi"] is None
    assert schema["components"]["schemas"]["Vitals"]["properties"]["bmi"]["nullable"] is True


@pytest.mark.django_db
def test_a_patch_answer_keeps_the_null_fields_of_a_missing_relation(api_as):
    patient = PatientFactory(preferred_hospital=None)
    response = api_as("Receptionist").patch(f"/api/v1/patients/{patient.pk}/", {}, format="json")
    assert response.status_code == 200
    assert response.json()["preferred_hospital_name"] is None


def test_page_and_page_size_are_documented_as_whole_numbers_of_one_or_more(schema):
    parameters = {p["name"]: p["schema"] for p in schema["paths"]["/api/v1/rooms/"]["get"]["parameters"]}
    assert parameters["page"] == {"type": "integer", "minimum": 1}
    assert parameters["page_size"] == {"type": "integer", "minimum": 1}


def test_id_filters_are_documented_as_whole_numbers_not_decimals(schema):
    parameters = {p["name"]: p["schema"] for p in schema["paths"]["/api/v1/allergies/"]["get"]["parameters"]}
    assert parameters["patient"]["type"] == "integer"
    assert parameters["patient"]["minimum"] == 0


@pytest.mark.django_db
def test_a_filter_value_with_a_percent_sign_is_refused_with_400_not_500(api_as):
    response = api_as("Doctor").get("/api/v1/medical-history/", {"status": "50%off"})
    assert response.status_code == 400
    assert "50%off" in response.json()["status"][0]


@pytest.mark.django_db
def test_a_payer_without_a_state_is_documented_as_blank(schema):
    state = schema["components"]["schemas"]["Payer"]["properties"]["state"]
    assert {"$ref": "#/components/schemas/BlankEnum"} in state["oneOf"]


def test_query_parameters_say_what_the_strict_filters_take(schema):
    """An empty value means "no filter"; booleans are read from the spellings hms.filters takes; a decimal
    in a body may be a numeric string or a number (hms.serializers)."""
    parameters = {p["name"]: p for p in schema["paths"]["/api/v1/allergies/"]["get"]["parameters"]}
    assert parameters["is_active"]["allowEmptyValue"] is True
    assert {"type": "boolean"} in parameters["is_active"]["schema"]["anyOf"]
    alerts = {p["name"]: p for p in schema["paths"]["/api/v1/inventory/alerts/"]["get"]["parameters"]}
    assert "allowEmptyValue" not in alerts["days"]
    price = schema["components"]["schemas"]["LabTestRequest"]["properties"]["price"]
    assert {"type": "number"} in price["anyOf"]


@pytest.mark.django_db
def test_the_payer_list_refuses_a_junk_is_active_filter(api_as):
    response = api_as("Billing Clerk").get("/api/v1/payers/", {"is_active": "-58800"})
    assert response.status_code == 400
    assert "is_active" in response.json()
