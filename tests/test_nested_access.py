"""Nested data obeys the role table: for every API serializer that embeds another model's data, each role
sees it only if the role table lets it view that model (issue 10, item 2).

The serializers are found by walking every ``<app>/api/serializers.py`` (and the router's viewsets); the
nestings are found from the fields themselves, not from hms/nested.py, so a new serializer that embeds
another model without the guard fails here until it is guarded and given an object graph below.
"""

import importlib
import inspect
from types import SimpleNamespace

import pytest
from rest_framework import serializers
from rest_framework.test import APIRequestFactory

from billing.tests.factories import bill_with_money_and_claim
from clinical.tests.factories import (
    CriticalResultCallFactory,
    DiagnosisFactory,
    LabResultFactory,
    MedicalRecordFactory,
    MedicationFactory,
    PrescriptionFactory,
)
from hms.api import api_modules, router
from hms.nested import source_field_label
from hms.roles import ALL_GROUPS, RESTRICTED_FIELDS, ROLE_PERMISSIONS, codenames_for
from inventory import selectors as inventory_selectors
from inventory.models import StockMovement
from inventory.tests.factories import BatchFactory
from patients.tests.factories import (
    AllergyFactory,
    InsurancePolicyFactory,
    MedicalHistoryEntryFactory,
    PatientFactory,
)
from scheduling.tests.factories import AppointmentFactory
from staff.tests.factories import UserFactory

# --- finding every serializer and every field that shows another model's data -------------------------------------


def api_serializer_classes():
    found = {}
    serializer_modules = [
        importlib.import_module(urls.__name__.removesuffix(".urls") + ".serializers") for urls in api_modules()
    ]
    serializer_modules.append(importlib.import_module("hms.access_api"))  # hms's own: the access log, security events
    for module in serializer_modules:
        for _, cls in inspect.getmembers(module, inspect.isclass):
            if not issubclass(cls, serializers.BaseSerializer) or cls.__module__ != module.__name__:
                continue
            if issubclass(cls, serializers.ModelSerializer) and not hasattr(cls, "Meta"):
                continue  # an abstract base (ChartRowSerializer): its subclasses are walked
            found[cls.__name__] = cls
    return found


SERIALIZERS = api_serializer_classes()


def own_model(serializer):
    return getattr(getattr(serializer, "Meta", None), "model", None)


def exposures(cls):
    """[(field, requirement)] of a serializer class: requirement is ("model", "app.model") for a row of another
    model (a nested model serializer, or a field declared in Meta.nested_models), ("field", "app.model.field")
    for a restricted field (hms.roles.RESTRICTED_FIELDS) shown directly or through a dotted source."""
    serializer = cls()
    model = own_model(cls)
    declared = getattr(getattr(cls, "Meta", None), "nested_models", {})
    found = []
    for name, field in serializer.fields.items():
        if field.write_only:
            continue
        inner = field.child if isinstance(field, serializers.ListSerializer) else field
        if isinstance(inner, serializers.ModelSerializer) and own_model(inner) is not model:
            found.append((name, ("model", own_model(inner)._meta.label_lower)))
        if name in declared:
            found.append((name, ("model", declared[name]._meta.label_lower)))
        source = field.source or name
        label = source_field_label(model, source.split(".")) if source != "*" else None
        if label in RESTRICTED_FIELDS:
            found.append((name, ("field", label)))
    return found


EXPOSING = {name: exposures(cls) for name, cls in sorted(SERIALIZERS.items()) if exposures(cls)}


def role_may(role, requirement):
    """What the role table (not the database, not hms/nested.py) says about one requirement."""
    perms = {f"{app}.{codename}" for app, codename in codenames_for(ROLE_PERMISSIONS.get(role, {}))}
    kind, label = requirement
    if kind == "model":
        app, model = label.split(".")
        return f"{app}.view_{model}" in perms
    return any(perm in perms for perm in RESTRICTED_FIELDS[label])


# --- one real object graph per serializer ---------------------------------------------------------------------------


def patient_with_chart():
    patient = PatientFactory()
    AllergyFactory(patient=patient, substance="Penicillin")
    MedicalHistoryEntryFactory(patient=patient, condition="Asthma")
    InsurancePolicyFactory(patient=patient)
    return patient


def record_with_diagnosis():
    record = MedicalRecordFactory()
    DiagnosisFactory(record=record)
    return record


def lab_order_with_result():
    return LabResultFactory().order


def appointment_with_reason():
    return AppointmentFactory(reason="Chest pain on exertion")


def movement():
    return StockMovement.objects.get(batch=BatchFactory())


def dispense_result():
    prescription = PrescriptionFactory()
    return SimpleNamespace(prescription=prescription, dispensed=1, total_dispensed=1, remaining=59,
                           movements=[movement()])


def dispense_context():
    medication = MedicationFactory(name="Amoxicillin", category="Penicillins")
    prescription = PrescriptionFactory(medication=medication)
    AllergyFactory(patient=prescription.record.patient, substance="Penicillin")
    return inventory_selectors.prescription_dispense_context(prescription)


GRAPHS = {
    "PatientDetailSerializer": patient_with_chart,
    "MedicalRecordSerializer": record_with_diagnosis,
    "LabOrderSerializer": lab_order_with_result,
    "ResultsInboxSerializer": lambda: CriticalResultCallFactory().result,
    "BillSerializer": bill_with_money_and_claim,
    "BillDetailSerializer": bill_with_money_and_claim,
    "AppointmentSerializer": appointment_with_reason,
    "WriteOffSerializer": lambda: {"written_off": [movement()]},
    "DispenseResultSerializer": dispense_result,
    "DispenseContextSerializer": dispense_context,
}


# --- the tests -------------------------------------------------------------------------------------------------------


def test_the_walk_finds_every_nesting_it_must_and_each_has_an_object_graph():
    fields = {(cls, name) for cls, found in EXPOSING.items() for name, _ in found}
    assert {
        ("PatientDetailSerializer", "allergies"),
        ("PatientDetailSerializer", "medical_history"),
        ("PatientDetailSerializer", "insurance_policies"),
        ("MedicalRecordSerializer", "diagnoses"),
        ("LabOrderSerializer", "result"),
        ("BillDetailSerializer", "lines"),
        ("BillDetailSerializer", "payments"),
        ("BillDetailSerializer", "refunds"),
        ("BillDetailSerializer", "policy"),
        ("BillSerializer", "claim"),
        ("AppointmentSerializer", "reason"),
        ("DispenseContextSerializer", "allergies"),
    } <= fields
    assert set(EXPOSING) <= set(GRAPHS), "add an object graph for each new serializer that nests another model"
    routed = {viewset.serializer_class.__name__ for _, viewset, _ in router.registry
              if getattr(viewset, "serializer_class", None)}
    assert routed <= set(SERIALIZERS)


@pytest.mark.usefixtures("without_care_restriction")  # care: tests/test_care_access.py
@pytest.mark.django_db
@pytest.mark.parametrize("serializer_name", sorted(EXPOSING))
def test_each_role_sees_nested_data_only_if_the_role_table_lets_it_view_that_model(make_user, serializer_name):
    cls = SERIALIZERS[serializer_name]
    instance = GRAPHS[serializer_name]()
    shown, hidden = set(), set()
    for role in ALL_GROUPS:
        request = APIRequestFactory().get("/")
        request.user = make_user(role)

        data = cls(instance, context={"request": request}).data

        for name, requirement in EXPOSING[serializer_name]:
            assert name in data, f"{serializer_name}.{name} must stay in the answer (null when hidden)"
            others = [req for field, req in EXPOSING[serializer_name] if field == name]
            if all(role_may(role, req) for req in others):
                assert data[name] not in (None, [], ""), f"{role} may see {serializer_name}.{name}"
                shown.add(name)
            else:
                assert data[name] is None, f"{role} may not see {serializer_name}.{name} ({requirement[1]})"
                hidden.add(name)
    assert shown or hidden


def test_across_the_api_some_role_is_refused_and_some_allowed_each_nesting():
    """Not vacuous: every nesting found is hidden from at least one role and shown to at least one."""
    for serializer_name, found in EXPOSING.items():
        for name, requirement in found:
            answers = {role_may(role, requirement) for role in ALL_GROUPS}
            assert answers == {True, False}, f"{serializer_name}.{name}: {requirement}"


def test_without_a_request_nothing_guarded_is_shown(db):
    from patients.api.serializers import PatientDetailSerializer

    data = PatientDetailSerializer(patient_with_chart()).data

    assert data["allergies"] is None and data["medical_history"] is None and data["insurance_policies"] is None
    assert data["mrn"]


# --- aggregated answers and pages built outside serializers ---------------------------------------------------------


def user_with(*perms):
    from django.contrib.auth.models import Permission

    user = UserFactory()
    for perm in perms:
        app, codename = perm.split(".")
        user.user_permissions.add(Permission.objects.get(content_type__app_label=app, codename=codename))
    return user


@pytest.mark.django_db
def test_the_clinical_timeline_leaves_out_the_kinds_of_rows_the_user_may_not_view(api_as):
    record = record_with_diagnosis()
    reader = user_with("patients.view_patient", "clinical.view_medicalrecord")  # records, not diagnoses
    clinician = user_with("patients.view_patient", "clinical.view_medicalrecord", "clinical.view_diagnosis")

    limited = api_as(reader).get(f"/api/v1/patients/{record.patient_id}/history/")
    full = api_as(clinician).get(f"/api/v1/patients/{record.patient_id}/history/")

    assert limited.status_code == full.status_code == 200
    assert {event["kind"] for event in limited.data["results"]} == {"visit"}
    assert {event["kind"] for event in full.data["results"]} == {"visit", "diagnosis"}


@pytest.mark.django_db
def test_the_clinical_chart_page_shows_the_allergy_banner_only_to_users_who_may_view_allergies(client):
    from django.urls import reverse

    patient = patient_with_chart()
    without = user_with("patients.view_patient", "clinical.view_medicalrecord")
    with_allergies = user_with("patients.view_patient", "clinical.view_medicalrecord", "patients.view_allergy")

    pages = {}
    for name, user in (("without", without), ("with", with_allergies)):
        client.force_login(user)
        response = client.get(reverse("clinical:chart", args=[patient.pk]))
        assert response.status_code == 200
        pages[name] = response.content.decode()

    assert "Penicillin" in pages["with"]
    assert "Penicillin" not in pages["without"]
