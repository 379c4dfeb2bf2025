"""Lab results (issue 12, bugs 3 and 4): a result must be one the test can physically give, and a saved result
is corrected with a reason, the earlier value kept and shown as corrected: service, API, pages, admin, portal."""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone
from drf_spectacular.generators import SchemaGenerator

from clinical import services
from clinical.choices import LabOrderStatus, LabResultFlag
from clinical.models import LabResult
from clinical.tests.factories import (
    LabOrderFactory,
    LabResultFactory,
    LabTestFactory,
    SignedMedicalRecordFactory,
)
from conftest import query_counter
from patients.tests.factories import PatientFactory

pytestmark = pytest.mark.django_db


def _tsh():
    return LabTestFactory(
        name="Thyroid stimulating hormone",
        unit="mIU/L",
        reference_low=Decimal("0.4"),
        reference_high=Decimal("4.0"),
        critical_low=None,
        critical_high=None,
    )


def _collected(test=None, **kwargs):
    return LabOrderFactory(
        test=test or LabTestFactory(), status=LabOrderStatus.COLLECTED, collected_at=timezone.now(), **kwargs
    )


@pytest.fixture
def tech(make_user):
    return make_user("Lab Technician")


# --- bug 3: values the test cannot physically give ----------------------------------------------


def test_a_negative_tsh_is_refused_not_saved_as_low(tech):
    order = _collected(_tsh())

    with pytest.raises(ValidationError) as info:
        services.lab_result_enter(order=order, value="-5", acting_user=tech)

    assert info.value.message_dict["value"] == [
        "-5 mIU/L is not a possible Thyroid stimulating hormone result: it cannot be negative."
    ]
    order.refresh_from_db()
    assert order.status == LabOrderStatus.COLLECTED and not LabResult.objects.exists()


def test_zero_is_a_possible_concentration(tech):
    result = services.lab_result_enter(order=_collected(_tsh()), value="0", acting_user=tech)

    assert result.flag == LabResultFlag.LOW


def test_a_value_above_the_tests_physical_maximum_is_refused(tech):
    hba1c = LabTestFactory(
        name="Hemoglobin A1c", unit="%", reference_low=Decimal("4"), reference_high=Decimal("5.6"),
        critical_low=None, critical_high=Decimal("14"), physical_max=Decimal("100"),
    )  # fmt: skip

    with pytest.raises(ValidationError, match="cannot be above 100 %"):
        services.lab_result_enter(order=_collected(hba1c), value="150", acting_user=tech)
    assert services.lab_result_enter(order=_collected(hba1c), value="100", acting_user=tech).flag == "critical"


def test_a_test_that_can_be_negative_has_no_physical_minimum(tech):
    base_excess = LabTestFactory(
        name="Base excess", unit="mmol/L", reference_low=Decimal("-2"), reference_high=Decimal("2"),
        critical_low=None, critical_high=None, physical_min=None,
    )  # fmt: skip

    result = services.lab_result_enter(order=_collected(base_excess), value="-3", acting_user=tech)

    assert (result.value, result.flag) == (Decimal("-3"), LabResultFlag.LOW)


@pytest.mark.parametrize(
    ("bounds", "field"),
    [
        ({"reference_low": Decimal("-1")}, "reference_low"),  # below the default physical minimum 0
        ({"physical_max": Decimal("300")}, "critical_high"),  # critical high 400 above the maximum
        ({"physical_min": Decimal("5"), "physical_max": Decimal("5")}, "physical_max"),
    ],
)
def test_the_catalog_keeps_every_bound_inside_the_physical_range(bounds, field):
    test = LabTestFactory.build(**bounds)

    with pytest.raises(ValidationError) as info:
        test.full_clean()

    assert field in info.value.message_dict


def test_a_negative_result_answers_400_in_the_api_and_nothing_is_saved(api_as):
    order = _collected(_tsh())

    response = api_as("Lab Technician").post(f"/api/v1/lab-orders/{order.pk}/result/", {"value": "-5"})

    assert response.status_code == 400
    assert "cannot be negative" in str(response.json())
    assert not LabResult.objects.exists()


def test_a_negative_result_is_a_form_error_on_the_page(client, tech):
    order = _collected(_tsh())
    client.force_login(tech)

    response = client.post(reverse("clinical:lab_result", args=[order.pk]), {"value": "-5"})

    assert response.status_code == 400
    assert "it cannot be negative" in response.content.decode()
    assert not LabResult.objects.exists()


# --- bug 4: correcting a saved result -----------------------------------------------------------


def test_the_lab_corrects_a_result_with_a_reason_and_the_earlier_value_is_kept(tech):
    result = LabResultFactory(value=Decimal("85"))  # glucose, normal

    corrected = services.lab_result_correct(result=result, value="450", reason="Wrong patient's tube", acting_user=tech)

    corrected.refresh_from_db()
    assert (corrected.value, corrected.flag) == (Decimal("450"), LabResultFlag.CRITICAL)
    assert (corrected.previous_value, corrected.previous_flag) == (Decimal("85"), LabResultFlag.NORMAL)
    assert corrected.correction_reason == "Wrong patient's tube"
    assert corrected.corrected_by == tech and corrected.corrected_at is not None and corrected.is_corrected
    assert str(corrected) == "450 mg/dL (Critical), corrected"
    versions = list(corrected.history.order_by("history_date").values_list("value", "flag", "history_user"))
    assert versions == [(Decimal("85"), "normal", None), (Decimal("450"), "critical", tech.pk)]


def test_a_second_correction_keeps_the_value_it_replaced(tech):
    result = LabResultFactory(value=Decimal("85"))
    services.lab_result_correct(result=result, value="120", reason="Typo", acting_user=tech)

    services.lab_result_correct(result=result, value="12", reason="Decimal point", acting_user=tech)

    result.refresh_from_db()
    assert (result.value, result.previous_value) == (Decimal(12), Decimal(120))
    assert result.correction_reason == "Decimal point"
    assert [v.value for v in result.history.order_by("history_date")] == [Decimal(85), Decimal(120), Decimal(12)]


@pytest.mark.parametrize(
    ("value", "reason", "error"),
    [
        ("90", "  ", ValidationError),  # no reason
        ("", "Typo", ValidationError),  # no value
        ("-1", "Typo", ValidationError),  # not physically possible
        ("85", "Typo", Exception),  # the same value: a Conflict (409)
    ],
)
def test_a_correction_without_reason_or_new_possible_value_is_refused_and_nothing_changes(tech, value, reason, error):
    result = LabResultFactory(value=Decimal("85"))

    with pytest.raises(error):
        services.lab_result_correct(result=result, value=value, reason=reason, acting_user=tech)

    result.refresh_from_db()
    assert (result.value, result.corrected_at, result.history.count()) == (Decimal("85"), None, 1)


@pytest.mark.parametrize("who", ["Doctor", "Administrator", "Nurse", "superuser"])
def test_only_the_lab_corrects_results_not_doctors_or_administrators_or_superusers(make_user, admin_user_obj, who):
    user = admin_user_obj if who == "superuser" else make_user(who)
    result = LabResultFactory(value=Decimal("85"))

    with pytest.raises(PermissionDenied):
        services.lab_result_correct(result=result, value="90", reason="Typo", acting_user=user)

    result.refresh_from_db()
    assert result.value == Decimal("85") and result.corrected_at is None


def test_the_api_corrects_a_result_and_shows_it_corrected(api_as, make_user):
    tech = make_user("Lab Technician")
    order = LabResultFactory(value=Decimal("85")).order

    response = api_as(tech).post(f"/api/v1/lab-orders/{order.pk}/correct/", {"value": "250", "reason": "Typo"})

    assert response.status_code == 200, response.content
    result = response.json()["result"]
    assert (result["value"], result["flag"], result["is_corrected"]) == ("250.000", "high", True)
    assert (result["previous_value"], result["previous_flag"]) == ("85.000", "normal")
    assert result["correction_reason"] == "Typo" and result["corrected_by"] == tech.pk and result["corrected_at"]


def test_the_api_answers_400_403_404_and_409_to_refused_corrections(api_as, make_user):
    resulted = LabResultFactory(value=Decimal("85")).order
    pending = _collected()
    lab = api_as("Lab Technician")
    url = "/api/v1/lab-orders/{}/correct/"

    no_reason = lab.post(url.format(resulted.pk), {"value": "90"})
    negative = lab.post(url.format(resulted.pk), {"value": "-90", "reason": "Typo"})
    doctor = api_as("Doctor").post(url.format(resulted.pk), {"value": "90", "reason": "Typo"})
    missing = lab.post(url.format(999999), {"value": "90", "reason": "Typo"})
    not_resulted = lab.post(url.format(pending.pk), {"value": "90", "reason": "Typo"})
    unchanged = lab.post(url.format(resulted.pk), {"value": "85.0", "reason": "Typo"})

    assert (no_reason.status_code, negative.status_code, doctor.status_code) == (400, 400, 403)
    assert "reason" in no_reason.json() and "cannot be negative" in str(negative.json())
    assert (missing.status_code, not_resulted.status_code, unchanged.status_code) == (404, 409, 409)
    assert not_resulted.json()["code"] == "not_resulted" and unchanged.json()["code"] == "unchanged"
    result = LabResult.objects.get(order=resulted)
    assert result.value == Decimal("85") and result.corrected_at is None


def test_the_correction_endpoint_is_documented_with_its_refusals():
    schema = SchemaGenerator().get_schema(request=None, public=True)
    operation = schema["paths"]["/api/v1/lab-orders/{id}/correct/"]["post"]

    assert {"200", "400", "403", "404", "409"} <= set(operation["responses"])
    assert "LabResultCorrection" in str(operation["requestBody"])
    assert "LabOrder" in str(operation["responses"]["200"])


def test_a_resulted_orders_page_opens_its_correction_form_instead_of_404(client, tech):
    order = LabResultFactory(value=Decimal("85")).order
    client.force_login(tech)

    response = client.get(reverse("clinical:lab_result", args=[order.pk]), follow=True)

    assert response.status_code == 200
    assert response.redirect_chain[-1][0] == reverse("clinical:lab_correct", args=[order.pk])
    body = response.content.decode()
    assert 'id="saved-result"' in body and "85 mg/dL" in body and 'name="reason"' in body


def test_the_lab_corrects_a_result_on_the_page_and_the_worklist_shows_it_corrected(client, tech):
    order = LabResultFactory(value=Decimal("85")).order
    client.force_login(tech)

    response = client.post(
        reverse("clinical:lab_correct", args=[order.pk]), {"value": "30", "reason": "Haemolysed sample"}, follow=True
    )

    assert response.status_code == 200
    result = LabResult.objects.get(order=order)
    assert (result.value, result.flag, result.corrected_by) == (Decimal("30"), "critical", tech)
    body = response.content.decode()
    assert "Corrected Glucose, fasting" in body  # the success message
    assert "badge warn corrected" in body and "was 85 mg/dL (Normal)" in body and "Haemolysed sample" in body
    assert f"by {tech.get_full_name() or tech.username}" in body  # who corrected it
    assert reverse("clinical:lab_correct", args=[order.pk]) in body  # the Correct link on the resulted tab


def test_a_correction_without_a_reason_is_a_form_error_on_the_page(client, tech):
    order = LabResultFactory(value=Decimal("85")).order
    client.force_login(tech)

    response = client.post(reverse("clinical:lab_correct", args=[order.pk]), {"value": "90", "reason": ""})

    assert response.status_code == 400
    assert "This field is required" in response.content.decode()
    assert LabResult.objects.get(order=order).value == Decimal("85")


@pytest.mark.parametrize("role", ["Doctor", "Nurse", "Receptionist"])
def test_other_roles_cannot_open_the_correction_page(client, make_user, role):
    order = LabResultFactory().order
    client.force_login(make_user(role))

    assert client.get(reverse("clinical:lab_correct", args=[order.pk])).status_code == 403


def test_the_ordering_doctor_sees_the_corrected_value_marked_as_corrected(client, tech):
    result = LabResultFactory(value=Decimal("85"))
    services.lab_result_correct(result=result, value="250", reason="Typo in entry", acting_user=tech)
    appointment = result.order.record.appointment
    client.force_login(appointment.doctor.user)

    body = client.get(reverse("clinical:visit", args=[appointment.pk])).content.decode()

    assert "250 mg/dL" in body and "badge warn corrected" in body
    assert "was 85 mg/dL (Normal)" in body and "Typo in entry" in body


def test_the_patient_portal_shows_the_corrected_value_marked_as_corrected(client, make_user, tech):
    user = make_user("Patient")
    patient = PatientFactory(user=user)
    record = SignedMedicalRecordFactory(appointment__patient=patient, patient=patient)
    result = LabResultFactory(order__record=record, value=Decimal("85"))
    services.lab_result_correct(result=result, value="120", reason="Transcription error", acting_user=tech)
    client.force_login(user)

    body = client.get(reverse("clinical:my_history")).content.decode()

    assert "120 mg/dL (High), corrected" in body
    assert "badge warn corrected" in body and "was 85 mg/dL (Normal)" in body and "Transcription error" in body


def test_the_back_office_shows_the_correction_read_only_with_the_history(client, admin_user_obj, tech):
    result = LabResultFactory(value=Decimal("85"))
    services.lab_result_correct(result=result, value="90", reason="Recalibrated analyser", acting_user=tech)
    LabResultFactory()  # never corrected: not in the "corrected" filter
    client.force_login(admin_user_obj)

    page = client.get(reverse("admin:clinical_labresult_change", args=[result.pk])).content.decode()
    history = client.get(reverse("admin:clinical_labresult_history", args=[result.pk]))
    listing = client.get(reverse("admin:clinical_labresult_changelist"), {"corrected_at__isnull": "False"})

    assert "Recalibrated analyser" in page and "Correction" in page and 'name="value"' not in page
    assert history.status_code == 200 and history.context["page_obj"].paginator.count == 2  # entered, corrected
    assert listing.status_code == 200 and listing.context["cl"].result_count == 1


def test_the_resulted_worklist_costs_the_same_queries_for_3_or_30_corrected_results(client, tech):
    client.force_login(tech)
    url = reverse("clinical:lab_worklist") + "?status=resulted"

    def add(count):
        for _ in range(count):
            services.lab_result_correct(result=LabResultFactory(), value="120", reason="Typo", acting_user=tech)

    def queries():
        with query_counter() as ctx:
            assert client.get(url).status_code == 200
        return len(ctx)

    add(3)
    small = queries()
    add(27)

    assert queries() == small


def test_the_catalog_api_sets_the_physical_range_and_refuses_bounds_outside_it(api_as):
    admin = api_as("Administrator")
    base = {"code": "HBA1C", "name": "Hemoglobin A1c", "unit": "%", "price": "28.00"}

    outside = admin.post("/api/v1/lab-tests/", {**base, "reference_high": "120", "physical_max": "100"})
    created = admin.post("/api/v1/lab-tests/", {**base, "reference_high": "5.6", "physical_max": "100"})

    assert outside.status_code == 400 and "reference_high" in outside.json()
    assert created.status_code == 201, created.content
    assert (created.json()["physical_min"], created.json()["physical_max"]) == ("0.000", "100.000")
