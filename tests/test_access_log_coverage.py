"""Every API viewset and back-office admin showing patient rows says where a row's patient is
(``audit_patient_field``, hms.access), so the read audit notes them: a new endpoint or admin of patient data
cannot ship unaudited."""

from django.contrib import admin

from hms.access import patient_of  # noqa: F401  (the paths are read by hms.access.patient_of)
from hms.admin import AccessLoggedAdmin
from hms.api import router
from hms.testing.api import API_ROOT, SUITES
from patients.models import Patient
from tests import test_api_suite_coverage  # noqa: F401  (imports every declaration: SUITES filled)


def patient_path(model, depth=2):
    """How ``model``'s rows reach a patient ("self", "patient", "bill__patient"), or None."""
    if model is Patient:
        return "self"
    links = [f for f in model._meta.concrete_fields if f.is_relation]
    for field in links:
        if field.related_model is Patient:
            return field.name
    if depth > 1:
        for field in links:
            sub = patient_path(field.related_model, depth - 1)
            if sub is not None:
                return field.name if sub == "self" else f"{field.name}__{sub}"
    return None


def _resolves(model, path):
    if path == "self":
        return model is Patient
    for name in path.split("__"):
        model = model._meta.get_field(name).related_model
    return model is Patient


def test_every_viewset_of_patient_rows_declares_where_the_patient_is():
    missing, wrong = [], []
    for prefix, viewset, _ in router.registry:
        suite = SUITES.get(f"{API_ROOT}{prefix}/")
        model = getattr(suite, "model", None)
        if model is None or patient_path(model) is None:
            continue
        declared = viewset.__dict__.get("audit_patient_field") or getattr(viewset, "audit_patient_field", None)
        if not declared:
            missing.append(f"{prefix} ({viewset.__name__})")
        elif not _resolves(model, declared):
            wrong.append(f"{prefix}: {declared!r} does not lead to a patient")
    assert not missing, "These viewsets list patient rows without audit_patient_field: " + ", ".join(missing)
    assert not wrong, wrong


def test_every_admin_of_patient_rows_declares_where_the_patient_is():
    missing, wrong = [], []
    for model, model_admin in admin.site._registry.items():
        if patient_path(model) is None:
            continue
        declared = getattr(model_admin, "audit_patient_field", None)
        if not isinstance(model_admin, AccessLoggedAdmin) or not declared:
            missing.append(type(model_admin).__name__)
        elif not _resolves(model, declared):
            wrong.append(f"{type(model_admin).__name__}: {declared!r}")
    assert not missing, "These admins show patient rows without audit_patient_field: " + ", ".join(missing)
    assert not wrong, wrong


def test_the_walk_finds_the_patient_models():
    from billing.models import Claim
    from clinical.models import Vitals

    assert (patient_path(Patient), patient_path(Vitals), patient_path(Claim)) == ("self", "patient", "bill__patient")
