"""Who may change a patient's clinical facts. patients.services calls these, so the API, the pages and the
admin refuse alike.

Allergies and medical history are clinical facts: they are recorded and changed by the clinical roles that the
role table (hms/roles.py) gives ``patients.add_allergy`` / ``change_allergy`` (and the same for medical history).
Administrators and superusers see them; they do not write them (a superuser's pass on every permission does not
count here).
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from django.core.exceptions import PermissionDenied
from django.db.models import CharField, OuterRef, Q, QuerySet, Subquery
from django.http import HttpRequest
from django.utils import timezone

from hms.permissions import granted_by_role
from hms.roles import ADMINISTRATOR, DOCTOR, NURSE, user_roles
from hms.typing import AnyUser, ModelT, User
from patients import care
from patients.models import BreakGlassGrant, CareAssignment, Patient


def ensure_may_write_clinical_fact(*, acting_user: User, model: str, action: str) -> None:
    """``model`` is "allergy" or "medicalhistoryentry"; ``action`` is "add" or "change"."""
    if not granted_by_role(acting_user, f"patients.{action}_{model}"):
        noun = "Allergies" if model == "allergy" else "Medical history entries"
        raise PermissionDenied(f"{noun} are recorded by the clinical staff whose role allows it.")


# --- Minimum necessary: who reads full charts ---------------------------------------------------------------
#
# Doctors and nurses read the full chart (allergies, history, records, diagnoses, prescriptions, lab results,
# vitals, the timeline) only of the patients they have a care relationship with (patients.care: an appointment
# at their hospital, recent or upcoming, their own appointments, an explicit CareAssignment) or for whom they
# broke the glass (an unexpired BreakGlassGrant); every other chart shows them demographics only. Pharmacists
# and lab technicians are not restricted here: the role table already limits them to the rows their work is
# about (prescriptions to dispense, orders to run), which come to them from every ward. Administrators (and
# superusers) keep their read-only oversight. A user who holds an unrestricted role besides a clinical one
# reads as that role.

CARE_RESTRICTED_ROLES = (DOCTOR, NURSE)
_UNRESTRICTED_ROLES = (ADMINISTRATOR,)
_CHART_CACHE = "_hms_chart_access"  # per request, like hms.roles' caches: {patient_id: reason or ""}


class ChartRestricted(PermissionDenied):
    """The user has no care relationship with the patient: demographics only, unless they break the glass."""

    def __init__(self, patient_id: int) -> None:
        self.patient_id = patient_id
        super().__init__(
            "You have no care relationship with this patient: their chart shows demographics only. "
            "In an emergency, break the glass (a reason is required; the privacy officer reviews it)."
        )


def care_restricted(user: AnyUser) -> bool:
    """Whether ``user`` reads full charts only of the patients in their care (doctors and nurses)."""
    if not user.is_authenticated or user.is_superuser:
        return False
    roles = user_roles(user)
    return any(role in roles for role in CARE_RESTRICTED_ROLES) and not any(r in roles for r in _UNRESTRICTED_ROLES)


def _assignment_patient_ids(user: User, now: datetime.datetime) -> list[QuerySet[CareAssignment]]:
    current = Q(until__isnull=True) | Q(until__gt=now)
    return [CareAssignment.objects.filter(current, user=user, started_at__lte=now).values("patient_id")]


def active_grant(user: AnyUser, patient_id: int, now: datetime.datetime | None = None) -> BreakGlassGrant | None:
    """The user's unexpired break-glass grant on the patient (the newest), or None."""
    if not user.is_authenticated:
        return None
    now = now or timezone.now()
    return (
        BreakGlassGrant.objects.filter(user=user, patient_id=patient_id, expires_at__gt=now)
        .order_by("-started_at")
        .first()
    )


def _reasons(user: User, patient_id: int, now: datetime.datetime) -> tuple[list[str], str | None]:
    """Every reason ``user`` may read the patient's chart, in one query (scalar subqueries): the assignment's, each
    provider's, the unexpired break-glass grant's; None where there is none."""
    text = CharField()
    assignment = (
        CareAssignment.objects.filter(Q(until__isnull=True) | Q(until__gt=now), user=user, patient_id=OuterRef("pk"),
                                      started_at__lte=now)
        .order_by("-started_at")
        .values("reason")[:1]
    )
    grant = (
        BreakGlassGrant.objects.filter(user=user, patient_id=OuterRef("pk"), expires_at__gt=now)
        .order_by("-started_at")
        .values("reason")[:1]
    )
    columns = {"care_0": Subquery(assignment, output_field=text)}
    for i, provider in enumerate(care.providers, start=1):
        columns[f"care_{i}"] = Subquery(provider.reason(user, now), output_field=text)
    columns["grant"] = Subquery(grant, output_field=text)
    row = Patient.objects.filter(pk=patient_id).values(**columns).first() or {}
    cares = [row.get(f"care_{i}") for i in range(len(care.providers) + 1)]
    cares[0] = f"assignment: {cares[0]}" if cares[0] else None
    return cares, row.get("grant")


def care_reason(user: AnyUser, patient_id: int, now: datetime.datetime | None = None) -> str | None:
    """Why ``user`` cares for the patient ("care: appointment: ..."), or None without a care relationship."""
    if not user.is_authenticated:
        return None
    cares, _grant = _reasons(user, patient_id, now or timezone.now())
    return next((f"care: {reason}" for reason in cares if reason), None)


def access_reason(user: AnyUser, patient_id: int) -> str | None:
    """Why ``user`` may read the patient's full chart, for the access log: "care: ..." (a care relationship),
    "break-glass: <reason>" (an unexpired grant), or None (neither). One query."""
    if not user.is_authenticated:
        return None
    cares, grant = _reasons(user, patient_id, timezone.now())
    care_text = next((f"care: {reason}" for reason in cares if reason), None)
    return care_text or (f"break-glass: {grant}" if grant else None)


def chart_access_reason(user: AnyUser, patient_id: int) -> str:
    """access_reason, read once per request (cached on the user object, like hms.roles' caches): "" for none."""
    cache = user.__dict__.setdefault(_CHART_CACHE, {})
    if patient_id not in cache:
        cache[patient_id] = access_reason(user, patient_id) or ""
    return cache[patient_id]


def may_read_chart(user: AnyUser, patient_id: int) -> bool:
    """Whether ``user`` reads the patient's full chart (not only demographics). Answered once per request."""
    if not user.is_authenticated:
        return False
    if not care_restricted(user):
        return True
    return bool(chart_access_reason(user, patient_id))


def logged_access_reason(request: HttpRequest, patient_ids: Iterable[int]) -> str:
    """The access log's ``reason`` for a request that read one patient's chart (hms.access.REASON_HOOKS): the care
    relationship or break-glass reason this request's chart check already found ("" otherwise: no query here)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or len(patient_ids) != 1:
        return ""
    return user.__dict__.get(_CHART_CACHE, {}).get(next(iter(patient_ids)), "")


def ensure_may_read_chart(user: AnyUser, patient_id: int) -> None:
    if not may_read_chart(user, patient_id):
        raise ChartRestricted(patient_id)


def forget_chart_access(user: AnyUser) -> None:
    user.__dict__.pop(_CHART_CACHE, None)


def in_care(user: AnyUser, patient_path: str = "patient") -> Q | None:
    """A condition on ``patient_path`` keeping the rows of patients whose full chart ``user`` reads, or None when
    the user is not restricted. Subqueries only (indexed), never a Python list: a list stays one query."""
    if not care_restricted(user):
        return None
    now = timezone.now()
    subqueries = [
        *_assignment_patient_ids(user, now),
        BreakGlassGrant.objects.filter(user=user, expires_at__gt=now).values("patient_id"),
    ]
    for provider in care.providers:
        subqueries.extend(provider.patient_ids(user, now))
    condition = Q()
    for subquery in subqueries:
        condition |= Q(**{f"{patient_path}__in": subquery})
    return condition


def scope_to_care(qs: QuerySet[ModelT], user: AnyUser, patient_path: str = "patient") -> QuerySet[ModelT]:
    """``qs`` without the rows of patients outside the user's care (see in_care)."""
    condition = in_care(user, patient_path)
    return qs if condition is None else qs.filter(condition)


# --- Break-glass reviews, care assignments and consents: who may act -----------------------------------------


def ensure_may_break_glass(*, acting_user: User) -> None:
    if not care_restricted(acting_user):
        raise PermissionDenied("Break the glass is for clinical staff without a care relationship.")


def ensure_may_review_break_glass(*, acting_user: User) -> None:
    if not acting_user.has_perm("patients.change_breakglassgrant"):
        raise PermissionDenied("Break-glass grants are reviewed by the privacy officer.")


def ensure_may_assign_care(*, acting_user: User) -> None:
    if not acting_user.has_perm("patients.add_careassignment"):
        raise PermissionDenied("Care assignments are made by the staff whose role allows it.")


def ensure_may_record_consent(*, acting_user: User, patient: Patient) -> None:
    if acting_user.has_perm("patients.change_consent"):
        return
    if patient.user_id is not None and patient.user_id == getattr(acting_user, "pk", None):
        return  # a patient records their own consent in the portal
    raise PermissionDenied("Consents are recorded by the desk or by the patient.")
