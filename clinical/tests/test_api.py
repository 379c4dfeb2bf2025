"""The clinical API: who may do what (one table), whose rows they see, and the domain actions."""

from decimal import Decimal

import pytest
from django.utils import timezone

from clinical.choices import LabOrderStatus
from clinical.models import (
    Diagnosis,
    LabOrder,
    LabResult,
    LabTest,
    MedicalRecord,
    Prescription,
    Procedure,
    ProcedureCatalog,
    Vitals,
)
from clinical.tests.factories import (
    CheckedInAppointmentFactory,
    DiagnosisFactory,
    LabOrderFactory,
    LabResultFactory,
    LabTestFactory,
    MedicalRecordFactory,
    MedicationFactory,
    PrescriptionFactory,
    ProcedureCatalogFactory,
    ProcedureFactory,
    SignedMedicalRecordFactory,
    VitalsFactory,
)
from conftest import counted_get
from patients.models import CareAssignment
from patients.tests.factories import AllergyFactory, PatientFactory
from staff.tests.factories import DoctorFactory

pytestmark = pytest.mark.django_db

ADMIN = "Administrator"
DOCTOR = "Doctor"
NURSE = "Nurse"
RECEPTION = "Receptionist"
BILLING = "Billing Clerk"
PHARMACIST = "Pharmacist"
LAB = "Lab Technician"
PATIENT = "Patient"
ROLES = [ADMIN, DOCTOR, NURSE, RECEPTION, BILLING, PHARMACIST, LAB, PATIENT]
CHART = {ADMIN, DOCTOR, NURSE, PATIENT}

# endpoint -> action -> roles allowed (hms/roles.py). The doctor acts on their own appointment's record;
# a portal patient reads their own signed records. Nothing clinical can be deleted by anyone.
ACCESS = {
    "medical-records": {
        "list": CHART,
        "retrieve": CHART,
        "create": {DOCTOR},
        "update": {DOCTOR},
        "sign": {DOCTOR},
        "amend": {DOCTOR},
    },
    "diagnoses": {"list": CHART, "retrieve": CHART, "create": {DOCTOR}, "remove": {DOCTOR}},
    "procedures": {"list": {ADMIN, DOCTOR}, "retrieve": {ADMIN, DOCTOR}, "create": {DOCTOR}},
    "prescriptions": {
        "list": CHART | {PHARMACIST},
        "retrieve": CHART | {PHARMACIST},
        "create": {DOCTOR},
        "cancel": {DOCTOR},
    },
    "lab-orders": {
        "list": CHART | {LAB},
        "retrieve": CHART | {LAB},
        "create": {DOCTOR},
        "collect": {LAB},
        "result": {LAB},
        "correct": {LAB},
    },
    "vitals": {"list": CHART, "retrieve": CHART, "create": {NURSE}},
    "procedure-catalog": {
        "list": {ADMIN, DOCTOR, BILLING},
        "retrieve": {ADMIN, DOCTOR, BILLING},
        "create": {ADMIN},
        "update": {ADMIN},
    },
    "lab-tests": {
        "list": {ADMIN, DOCTOR, BILLING, LAB},
        "retrieve": {ADMIN, DOCTOR, BILLING, LAB},
        "create": {ADMIN},
        "update": {ADMIN},
    },
    "icd10": {"list": CHART},
}
SUCCESS = {"list": 200, "retrieve": 200, "create": 201}
MODELS = {
    "medical-records": MedicalRecord,
    "diagnoses": Diagnosis,
    "procedures": Procedure,
    "prescriptions": Prescription,
    "lab-orders": LabOrder,
    "vitals": Vitals,
    "procedure-catalog": ProcedureCatalog,
    "lab-tests": LabTest,
}
DRAFT_ACTIONS = {"create", "update", "sign", "remove"}


def _record_for(role, user, *, signed):
    """A record of the user's own appointment (doctor) or own chart (patient), else of someone else; a nurse is
    assigned to the patient's care (minimum necessary: tests/test_care_access.py)."""
    doctor = user.staff_profile if role == DOCTOR else DoctorFactory()
    patient = PatientFactory(user=user) if role == PATIENT else PatientFactory()
    if role == NURSE:
        CareAssignment.objects.create(patient=patient, user=user, reason="On the ward")
    appointment = CheckedInAppointmentFactory(doctor=doctor, patient=patient)
    factory = SignedMedicalRecordFactory if signed else MedicalRecordFactory
    return factory(appointment=appointment)


def _scene(endpoint, action, role, user):
    """(target row, create payload) for one case of the table."""
    record = _record_for(role, user, signed=action not in DRAFT_ACTIONS)
    if endpoint == "medical-records":
        if action == "create":
            appointment = CheckedInAppointmentFactory(doctor=record.doctor, patient=record.patient)
            return record, {"appointment": appointment.pk, "chief_complaint": "Cough"}
        if action == "sign":
            DiagnosisFactory(record=record)
        return record, None
    if endpoint == "diagnoses":
        return DiagnosisFactory(record=record), {"record": record.pk, "code": "I10"}
    if endpoint == "procedures":
        payload = {"record": record.pk, "catalog_entry": ProcedureCatalogFactory().pk, "quantity": 1}
        return ProcedureFactory(record=record), payload
    if endpoint == "prescriptions":
        payload = {
            "record": record.pk,
            "medication": MedicationFactory().pk,
            "dose": "1 tablet",
            "frequency": "daily",
            "duration_days": 10,
            "quantity": 10,
        }
        return PrescriptionFactory(record=record), payload
    if endpoint == "lab-orders":
        if action == "correct":
            return LabResultFactory(order__record=record).order, None
        status = LabOrderStatus.COLLECTED if action == "result" else LabOrderStatus.ORDERED
        return LabOrderFactory(record=record, status=status), {"record": record.pk, "test": LabTestFactory().pk}
    if endpoint == "vitals":
        return VitalsFactory(patient=record.patient), {"patient": record.patient.pk, "heart_rate": 80}
    if endpoint == "procedure-catalog":
        return ProcedureCatalogFactory(), {"code": "99214", "description": "Office visit, level 4", "price": "160.00"}
    if endpoint == "lab-tests":
        return LabTestFactory(), {"code": "HGB", "name": "Hemoglobin", "unit": "g/dL", "price": "12.00"}
    return None, None


UPDATES = {
    "medical-records": {"clinical_notes": "Better today."},
    "procedure-catalog": {"price": "99.00"},
    "lab-tests": {"price": "20.00"},
}
ACTION_BODIES = {"amend": {"reason": "Typo", "clinical_notes": "Corrected."}, "cancel": {"reason": "Nausea"},
                 "result": {"value": "85"}, "correct": {"value": "90", "reason": "Wrong sample"}}  # fmt: skip


def _call(client, endpoint, action, target, payload):
    collection = f"/api/v1/{endpoint}/"
    if endpoint == "icd10":
        return client.get(collection, {"search": "E11.9"})
    detail = f"{collection}{target.pk}/"
    if action == "list":
        return client.get(collection)
    if action == "retrieve":
        return client.get(detail)
    if action == "create":
        return client.post(collection, payload)
    if action == "update":
        return client.patch(detail, UPDATES[endpoint])
    if action == "delete":
        return client.delete(detail)
    return client.post(f"{detail}{action}/", ACTION_BODIES.get(action, {}))


ROLE_CASES = [
    pytest.param(endpoint, action, role, role in allowed, id=f"{endpoint}-{action}-{role}")
    for endpoint, actions in ACCESS.items()
    for action, allowed in actions.items()
    for role in ROLES
]


def _snapshot(endpoint):
    model = MODELS.get(endpoint)
    if model is None:
        return None
    return model.objects.count(), model.history.count(), LabResult.objects.count()


@pytest.mark.parametrize(("endpoint", "action", "role", "allowed"), ROLE_CASES)
def test_each_role_may_do_what_the_role_table_allows(api_as, make_user, endpoint, action, role, allowed):
    user = make_user(role)
    target, payload = _scene(endpoint, action, role, user)
    before = _snapshot(endpoint)

    response = _call(api_as(user), endpoint, action, target, payload)

    if allowed:
        assert response.status_code == SUCCESS.get(action, 200), response.data
        if action == "list" and endpoint != "icd10":
            listed = [row["id"] for row in response.data["results"]]
            assert listed == [target.pk] if role == PATIENT else target.pk in listed
    else:
        assert response.status_code == 403, response.data
        assert _snapshot(endpoint) == before


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("endpoint", [e for e in ACCESS if e != "icd10"])
def test_nothing_clinical_can_be_deleted(api_as, make_user, endpoint, role):
    user = make_user(role)
    target, _ = _scene(endpoint, "retrieve", role, user)

    response = api_as(user).delete(f"/api/v1/{endpoint}/{target.pk}/")

    assert response.status_code in (403, 405)
    assert MODELS[endpoint].objects.filter(pk=target.pk).exists()


SUPERUSER_WRITES = [
    pytest.param(endpoint, action, id=f"{endpoint}-{action}")
    for endpoint, actions in ACCESS.items()
    for action in actions
    if endpoint not in ("procedure-catalog", "lab-tests", "icd10") and action not in ("list", "retrieve")
]


@pytest.mark.parametrize(("endpoint", "action"), SUPERUSER_WRITES)
def test_a_superuser_who_is_not_the_clinician_writes_no_clinical_content(api_as, make_user, endpoint, action):
    # A superuser passes every model permission; the clinical services still refuse them (403, nothing saved).
    user = make_user(ADMIN)
    user.is_superuser = user.is_staff = True
    user.save()
    target, payload = _scene(endpoint, action, ADMIN, user)
    before = _snapshot(endpoint)

    response = _call(api_as(user), endpoint, action, target, payload)

    assert response.status_code == 403, response.data
    assert _snapshot(endpoint) == before


def test_a_superuser_cannot_amend_another_doctors_signed_record_through_the_api(api_as, admin_user_obj):
    record = SignedMedicalRecordFactory()
    notes = record.clinical_notes

    response = api_as(admin_user_obj).post(
        f"/api/v1/medical-records/{record.pk}/amend/", {"reason": "Correction", "clinical_notes": "Rewritten"}
    )

    assert response.status_code == 403
    assert "Only the doctor of this appointment" in response.data["detail"]
    record.refresh_from_db()
    assert record.clinical_notes == notes and record.amended_at is None


@pytest.mark.parametrize("endpoint", list(ACCESS))
def test_anonymous_requests_answer_401(api_client, endpoint):
    assert api_client.get(f"/api/v1/{endpoint}/").status_code == 401


# --- Doctors write only their own appointments' records -----------------------------------------


@pytest.mark.usefixtures("without_care_restriction")  # care: tests/test_care_access.py
def test_a_doctor_may_not_write_another_doctors_record(api_as):
    record = MedicalRecordFactory()
    client = api_as(DOCTOR)

    responses = [
        client.patch(f"/api/v1/medical-records/{record.pk}/", {"clinical_notes": "Mine now"}),
        client.post("/api/v1/diagnoses/", {"record": record.pk, "code": "I10"}),
        client.post(f"/api/v1/medical-records/{record.pk}/sign/"),
    ]

    assert [r.status_code for r in responses] == [403, 403, 403]
    record.refresh_from_db()
    assert record.clinical_notes == "Feels well. Adherent to medication." and not record.diagnoses.exists()


def test_opening_a_record_twice_or_for_a_scheduled_visit_answers_409(api_as):
    record = MedicalRecordFactory()
    client = api_as(record.doctor.user)
    scheduled = CheckedInAppointmentFactory(doctor=record.doctor, status="scheduled")

    twice = client.post("/api/v1/medical-records/", {"appointment": record.appointment.pk})
    too_early = client.post("/api/v1/medical-records/", {"appointment": scheduled.pk})

    assert (twice.status_code, twice.data["record"]) == (409, record.pk)
    assert too_early.status_code == 409 and "check the patient in" in too_early.data["detail"]
    assert MedicalRecord.objects.count() == 1


def test_a_signed_record_answers_409_to_a_patch_and_is_amended_with_history(api_as):
    record = MedicalRecordFactory()
    client = api_as(record.doctor.user)
    client.post("/api/v1/diagnoses/", {"record": record.pk, "code": "J06.9"})
    signed = client.post(f"/api/v1/medical-records/{record.pk}/sign/")
    assert signed.status_code == 200 and signed.data["is_signed"] is True

    patched = client.patch(f"/api/v1/medical-records/{record.pk}/", {"clinical_notes": "Sneaky edit"})
    no_reason = client.post(f"/api/v1/medical-records/{record.pk}/amend/", {"clinical_notes": "Edit"})
    amended = client.post(
        f"/api/v1/medical-records/{record.pk}/amend/", {"reason": "Late lab result", "outcome": "improved"}
    )

    assert patched.status_code == 409 and "Amend the record" in patched.data["detail"]
    assert no_reason.status_code == 400 and "reason" in no_reason.data
    assert amended.status_code == 200, amended.data
    assert (amended.data["outcome"], amended.data["amendment_reason"]) == ("improved", "Late lab result")
    outcomes = [v.outcome for v in MedicalRecord.history.filter(id=record.pk).order_by("history_id")]
    assert outcomes == ["", "", "improved"]


# --- Diagnoses and ICD-10 -----------------------------------------------------------------------


def test_an_invalid_icd10_code_is_a_field_error(api_as):
    record = MedicalRecordFactory()

    response = api_as(record.doctor.user).post("/api/v1/diagnoses/", {"record": record.pk, "code": "M54.5"})

    assert response.status_code == 400
    assert "not a billable code" in response.data["code"][0]
    assert not Diagnosis.objects.exists()


def test_a_valid_code_gets_its_official_description(api_as):
    record = MedicalRecordFactory()

    response = api_as(record.doctor.user).post("/api/v1/diagnoses/", {"record": record.pk, "code": "m54.50"})

    assert response.status_code == 201, response.data
    assert (response.data["code"], response.data["description"]) == ("M54.50", "Low back pain, unspecified")
    assert response.data["is_primary"] is True


def test_icd10_search_by_code_start_and_by_words_is_paginated(api_as):
    client = api_as(DOCTOR)

    by_code = client.get("/api/v1/icd10/", {"search": "E11.6"})
    by_words = client.get("/api/v1/icd10/", {"search": "essential hypertension"})
    by_dotless = client.get("/api/v1/icd10/", {"search": "j069"})
    nothing = client.get("/api/v1/icd10/", {"search": "zzzz qqqq"})
    page = client.get("/api/v1/icd10/", {"search": "diabetes", "page_size": 5})

    assert by_code.data["results"][0]["code"].startswith("E11.6")
    assert all(row["code"].startswith("E11.6") for row in by_code.data["results"])
    assert {"code": "I10", "description": "Essential (primary) hypertension"} in by_words.data["results"]
    assert by_dotless.data["results"][0] == {
        "code": "J06.9",
        "description": "Acute upper respiratory infection, unspecified",
    }
    assert nothing.data["count"] == 0
    assert len(page.data["results"]) == 5 and page.data["count"] > 5 and page.data["next"]
    assert all(row["code"] != "E11" for row in client.get("/api/v1/icd10/", {"search": "E11"}).data["results"])


# --- Prescriptions and allergies ----------------------------------------------------------------


def test_an_allergy_answers_409_naming_it_and_an_override_reason_lets_it_through(api_as):
    record = MedicalRecordFactory()
    AllergyFactory(patient=record.patient, substance="Penicillin", reaction="Hives")
    amoxicillin = MedicationFactory(name="Amoxicillin", category="Penicillins", strength="500 mg")
    client = api_as(record.doctor.user)
    payload = {
        "record": record.pk,
        "medication": amoxicillin.pk,
        "dose": "500 mg",
        "frequency": "three times daily",
        "duration_days": 7,
        "quantity": 21,
    }

    refused = client.post("/api/v1/prescriptions/", payload)
    assert refused.status_code == 409
    assert "Penicillin" in refused.data["detail"] and refused.data["allergies"] == ["Penicillin"]
    assert not Prescription.objects.exists()

    allowed = client.post("/api/v1/prescriptions/", {**payload, "allergy_override_reason": "Tolerated in 2024"})
    assert allowed.status_code == 201, allowed.data
    assert allowed.data["allergy_override_reason"] == "Tolerated in 2024"
    assert Prescription.objects.get().allergy_override_reason == "Tolerated in 2024"


def test_cancelling_a_prescription_keeps_it_with_the_reason(api_as):
    rx = PrescriptionFactory()
    client = api_as(rx.record.doctor.user)

    response = client.post(f"/api/v1/prescriptions/{rx.pk}/cancel/", {"reason": "Switched drug"})
    again = client.post(f"/api/v1/prescriptions/{rx.pk}/cancel/", {"reason": "Again"})

    assert response.status_code == 200
    assert (response.data["status"], response.data["cancellation_reason"]) == ("cancelled", "Switched drug")
    assert again.status_code == 409


# --- Labs ---------------------------------------------------------------------------------------


def test_the_lab_sees_orders_without_clinical_notes_and_enters_flagged_results(api_as):
    order = LabOrderFactory(record=SignedMedicalRecordFactory(clinical_notes="Confidential note"))
    client = api_as(LAB)

    listed = client.get("/api/v1/lab-orders/")
    too_early = client.post(f"/api/v1/lab-orders/{order.pk}/result/", {"value": "50"})
    collected = client.post(f"/api/v1/lab-orders/{order.pk}/collect/")
    resulted = client.post(f"/api/v1/lab-orders/{order.pk}/result/", {"value": "39.5", "comment": "Repeated"})
    notes = client.get(f"/api/v1/medical-records/{order.record.pk}/")

    assert "Confidential note" not in str(listed.data)
    assert not {"clinical_notes", "chief_complaint"} & set(listed.data["results"][0])
    assert too_early.status_code == 409
    assert collected.status_code == 200 and collected.data["status"] == "collected"
    assert resulted.status_code == 200, resulted.data
    assert resulted.data["status"] == "resulted"
    assert (resulted.data["result"]["flag"], resulted.data["result"]["value"]) == ("critical", "39.500")
    assert notes.status_code == 403


def test_a_result_value_that_is_not_a_number_is_400(api_as):
    order = LabOrderFactory(status=LabOrderStatus.COLLECTED)

    response = api_as(LAB).post(f"/api/v1/lab-orders/{order.pk}/result/", {"value": "positive"})

    assert response.status_code == 400 and "value" in response.data
    assert not LabResult.objects.exists()


# --- Vitals -------------------------------------------------------------------------------------


def test_implausible_vitals_answer_400_with_the_field_message(api_as):
    patient = PatientFactory()
    client = api_as(NURSE)

    response = client.post("/api/v1/vitals/", {"patient": patient.pk, "systolic_bp": 400, "diastolic_bp": 80})
    inverted = client.post("/api/v1/vitals/", {"patient": patient.pk, "systolic_bp": 80, "diastolic_bp": 90})
    ok = client.post("/api/v1/vitals/", {"patient": patient.pk, "weight_kg": "81.00", "height_cm": "180.0"})

    assert response.status_code == 400
    assert "between 50 and 300" in response.data["systolic_bp"][0]
    assert inverted.status_code == 400 and "below the systolic" in inverted.data["diastolic_bp"][0]
    assert ok.status_code == 201 and ok.data["bmi"] == "25.0"
    assert Vitals.objects.count() == 1 and Vitals.objects.get().recorded_by == client.user


# --- A portal patient sees their own signed history only ---------------------------------------


@pytest.fixture
def portal(api_as, make_user):
    user = make_user(PATIENT)
    own = PatientFactory(user=user)
    signed = SignedMedicalRecordFactory(appointment__patient=own, patient=own)
    draft = MedicalRecordFactory(appointment__patient=own, patient=own)
    other = SignedMedicalRecordFactory()
    for record in (signed, draft, other):
        DiagnosisFactory(record=record, code="I10" if record is draft else "E11.9")
        PrescriptionFactory(record=record)
        LabResultFactory(order__record=record)
    return api_as(user), own, signed, draft, other


@pytest.mark.parametrize(
    ("endpoint", "record_of"),
    [
        ("medical-records", lambda row: row["id"]),
        ("diagnoses", lambda row: row["record"]),
        ("prescriptions", lambda row: row["record"]),
        ("lab-orders", lambda row: row["record"]),
    ],
)
def test_a_portal_patient_lists_only_their_own_signed_rows(portal, endpoint, record_of):
    client, own, signed, draft, other = portal

    response = client.get(f"/api/v1/{endpoint}/")

    assert response.status_code == 200
    assert [record_of(row) for row in response.data["results"]] == [signed.pk]


def test_drafts_and_other_patients_records_answer_404_to_a_portal_patient(portal):
    client, own, signed, draft, other = portal

    assert client.get(f"/api/v1/medical-records/{signed.pk}/").status_code == 200
    assert client.get(f"/api/v1/medical-records/{draft.pk}/").status_code == 404
    assert client.get(f"/api/v1/medical-records/{other.pk}/").status_code == 404
    assert client.get(f"/api/v1/diagnoses/{draft.diagnoses.get().pk}/").status_code == 404


def test_a_portal_patient_sees_their_own_history_without_drafts(portal):
    client, own, signed, draft, other = portal
    VitalsFactory(patient=own)

    response = client.get(f"/api/v1/patients/{own.pk}/history/")
    others = client.get(f"/api/v1/patients/{other.patient.pk}/history/")

    assert response.status_code == 200
    kinds = sorted(row["kind"] for row in response.data["results"])
    assert kinds == ["diagnosis", "lab_result", "prescription", "visit", "vitals"]
    assert {row["record"] for row in response.data["results"]} == {signed.pk, None}
    assert "I10" not in str(response.data)
    assert others.status_code == 404


@pytest.mark.usefixtures("without_care_restriction")  # care: tests/test_care_access.py
def test_staff_see_the_whole_history_newest_first_and_can_filter_it(portal, api_as):
    client, own, signed, draft, other = portal
    doctor = api_as(DOCTOR)

    response = doctor.get(f"/api/v1/patients/{own.pk}/history/")
    diagnoses = doctor.get(f"/api/v1/patients/{own.pk}/history/", {"kind": "diagnosis"})
    bad = doctor.get(f"/api/v1/patients/{own.pk}/history/", {"kind": "gossip", "date_after": "soon"})

    assert response.status_code == 200
    times = [row["at"] for row in response.data["results"]]
    assert times == sorted(times, reverse=True)
    assert {row["record"] for row in response.data["results"]} == {signed.pk, draft.pk}
    assert sorted(row["detail"]["code"] for row in diagnoses.data["results"]) == ["E11.9", "I10"]
    assert bad.status_code == 400
    assert api_as(RECEPTION).get(f"/api/v1/patients/{own.pk}/history/").status_code == 403


# --- Query counts at two data sizes -------------------------------------------------------------


def _fill_history(patient, n):
    for _ in range(n):
        record = SignedMedicalRecordFactory(appointment__patient=patient, patient=patient)
        DiagnosisFactory(record=record)
        PrescriptionFactory(record=record)
        LabResultFactory(order__record=record)
        VitalsFactory(patient=patient, appointment=record.appointment)


@pytest.mark.usefixtures("without_care_restriction")  # care: tests/test_care_access.py
def test_the_history_takes_the_same_queries_for_3_or_30_visits(api_as):
    small, large = PatientFactory(), PatientFactory()
    _fill_history(small, 3)
    _fill_history(large, 30)
    client = api_as(NURSE)

    small_count, small_response = counted_get(client, f"/api/v1/patients/{small.pk}/history/")
    large_count, large_response = counted_get(client, f"/api/v1/patients/{large.pk}/history/")

    assert len(small_response.data["results"]) == 15 and len(large_response.data["results"]) == 50
    assert small_response.data["next"] is None and large_response.data["next"]
    assert small_count == large_count


@pytest.mark.parametrize(
    "endpoint", ["medical-records", "diagnoses", "procedures", "prescriptions", "lab-orders", "vitals"]
)
@pytest.mark.usefixtures("without_care_restriction")  # care: tests/test_care_access.py
def test_list_endpoints_take_the_same_queries_for_3_or_30_rows(api_as, endpoint):
    client = api_as(ADMIN)
    rows = {
        "medical-records": lambda: DiagnosisFactory(record=SignedMedicalRecordFactory()),
        "diagnoses": DiagnosisFactory,
        "procedures": ProcedureFactory,
        "prescriptions": PrescriptionFactory,
        "lab-orders": lambda: LabResultFactory(),
        "vitals": VitalsFactory,
    }[endpoint]
    for _ in range(3):
        rows()
    small, _ = counted_get(client, f"/api/v1/{endpoint}/")
    for _ in range(27):
        rows()
    large, response = counted_get(client, f"/api/v1/{endpoint}/")

    assert len(response.data["results"]) == 30
    assert small == large


def test_catalog_changes_are_audited_and_prices_are_decimal(api_as):
    client = api_as(ADMIN)

    created = client.post("/api/v1/lab-tests/", {"code": "A1C", "name": "HbA1c", "unit": "%", "price": "25.50",
                                                 "reference_low": "4.0", "reference_high": "5.6"})  # fmt: skip
    bad_range = client.post("/api/v1/lab-tests/", {"code": "X", "name": "X", "price": "1", "reference_low": "9",
                                                   "reference_high": "1"})  # fmt: skip

    assert created.status_code == 201, created.data
    test = LabTest.objects.get(code="A1C")
    assert test.price == Decimal("25.50") and test.history.get().history_user == client.user
    assert bad_range.status_code == 400 and not LabTest.objects.filter(code="X").exists()


def test_records_filter_by_patient_doctor_date_code_and_signed(api_as):
    diabetes = DiagnosisFactory(record=SignedMedicalRecordFactory(), code="E11.9")
    cold = DiagnosisFactory(record=MedicalRecordFactory(), code="J06.9")
    client = api_as(ADMIN)
    today = timezone.localdate(diabetes.record.opened_at).isoformat()  # the filter reads local days

    def ids(**params):
        return [row["id"] for row in client.get("/api/v1/medical-records/", params).data["results"]]

    assert ids(patient=diabetes.record.patient_id) == [diabetes.record.pk]
    assert ids(doctor=cold.record.doctor_id) == [cold.record.pk]
    assert ids(code="E11") == [diabetes.record.pk]
    assert ids(signed="false") == [cold.record.pk]
    assert sorted(ids(date_after=today, date_before=today)) == sorted([diabetes.record.pk, cold.record.pk])
    assert ids(date_after="2000-01-01", date_before="2000-01-02") == []


@pytest.mark.usefixtures("without_care_restriction")  # care: tests/test_care_access.py
def test_prescriptions_filter_by_status(api_as):
    active = PrescriptionFactory()
    cancelled = PrescriptionFactory(status="cancelled")
    client = api_as(DOCTOR)

    response = client.get("/api/v1/prescriptions/", {"status": "cancelled"})

    assert [row["id"] for row in response.data["results"]] == [cancelled.pk]
    assert active.pk not in [row["id"] for row in response.data["results"]]
