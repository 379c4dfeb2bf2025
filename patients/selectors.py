"""Reads of patient data, scoped to what the user may see."""

from django.db.models import Q

from hms.roles import INSURER, PATIENT, user_roles
from patients.models import Allergy, InsurancePolicy, InsurerAccount, MedicalHistoryEntry, Patient, Payer


def is_portal_patient(user):
    """A user who is only a patient (portal account): sees nothing but their own record."""
    if not user.is_authenticated or user.is_superuser:
        return False
    roles = user_roles(user)
    return roles == [PATIENT]


def is_insurer(user):
    """A user of the Insurer group (not a superuser): sees only the claims of the payer they work for."""
    if not user.is_authenticated or user.is_superuser:
        return False
    return INSURER in user_roles(user)


def insurer_payer(user):
    """The payer an insurer user works for (their InsurerAccount), or None when they have none."""
    if not user.is_authenticated:
        return None
    account = InsurerAccount.objects.select_related("payer").filter(user=user).first()
    return account.payer if account else None


def payer_queryset_for(user):
    """Payers: all for staff who may view them; an insurer sees only their own payer."""
    qs = Payer.objects.all()
    if not user.is_authenticated or not user.has_perm("patients.view_payer"):
        return qs.none()
    if is_insurer(user):
        return qs.filter(insurer_accounts__user=user)
    return qs


def patient_queryset_for(user):
    """Patients the user may see: all for staff, their own for a portal patient, none otherwise."""
    qs = Patient.objects.select_related("preferred_hospital")
    if not user.is_authenticated:
        return qs.none()
    if is_portal_patient(user):
        return qs.filter(user=user)
    return qs


def patient_search(*, user, query="", include_inactive=False):
    qs = patient_queryset_for(user)
    if not include_inactive:
        qs = qs.filter(is_active=True)
    query = (query or "").strip()
    if query:
        terms = query.split()
        for term in terms:
            qs = qs.filter(Q(mrn__iexact=term) | Q(first_name__istartswith=term) | Q(last_name__istartswith=term))
    return qs.order_by("last_name", "first_name", "mrn")


def _chart_rows(model, user):
    qs = model.objects.select_related("patient")
    if not user.is_authenticated:
        return qs.none()
    if is_portal_patient(user):
        return qs.filter(patient__user=user)
    return qs


def allergy_queryset_for(user):
    return _chart_rows(Allergy, user)


def medical_history_queryset_for(user):
    return _chart_rows(MedicalHistoryEntry, user)


def insurance_policy_queryset_for(user):
    return _chart_rows(InsurancePolicy, user).select_related("payer")


def patient_for_user(user):
    """The patient record linked to a portal user, or None."""
    if not user.is_authenticated:
        return None
    return Patient.objects.select_related("preferred_hospital").filter(user=user).first()
