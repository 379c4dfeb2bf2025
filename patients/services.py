"""Every change to patients and their chart basics. Admin, pages, API and commands call these."""

from __future__ import annotations

import datetime
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from hms.audit import apply_changes, audited_save, audited_set_active
from hms.exceptions import Conflict
from hms.roles import INSURER, has_role
from hms.sequences import next_values
from hms.typing import ModelT, User
from patients import policies
from patients.choices import BreakGlassOutcome, ConsentKind
from patients.models import (
    INSURANCE_POLICY_FIELDS,
    PATIENT_FIELDS,
    Allergy,
    BreakGlassGrant,
    CareAssignment,
    Consent,
    InsurancePolicy,
    InsurerAccount,
    MedicalHistoryEntry,
    Patient,
    Payer,
)

# What the patient services set: the patient's details, and the portal login linked to the record.
PATIENT_WRITE_FIELDS = {*PATIENT_FIELDS, "user"}
PAYER_FIELDS = {
    "name",
    "code",
    "payer_id",
    "phone",
    "email",
    "address_line1",
    "city",
    "state",
    "postal_code",
    "is_active",
}
ALLERGY_FIELDS = {"substance", "reaction", "severity", "noted_on", "is_active"}
HISTORY_FIELDS = {"condition", "onset_date", "status", "notes"}
# A chart row belongs to one patient for good.
FIXED_PATIENT = {"patient": "This entry belongs to another patient and cannot be moved."}
POLICY_FIELDS = {*INSURANCE_POLICY_FIELDS, "is_active"}


class DuplicatePatient(Conflict):
    """Registration would create a second patient with the same name and date of birth."""

    default_code = "possible_duplicate"


def luhn_check_digit(number: str) -> str:
    total = 0
    for index, char in enumerate(reversed(number)):
        digit = int(char)
        if index % 2 == 0:
            digit *= 2
            if digit > 9:
                digit -= 9
        total += digit
    return str((10 - total % 10) % 10)


MRN_SEQUENCE = "patients.mrn"


def _mrn(value: int) -> str:
    body = f"{value:07d}"
    return body + luhn_check_digit(body)


def mrn_generate() -> str:
    """The next medical record number: 7 digits from a chain-wide counter and a Luhn check digit.

    The counter never goes back, so an MRN is never reused, even for deactivated patients.
    """
    return mrn_generate_many(1)[0]


def mrn_generate_many(count: int) -> list[str]:
    """``count`` fresh MRNs with one bump of the counter (bulk imports, demo data)."""
    return [_mrn(value) for value in next_values(MRN_SEQUENCE, count)]


def patient_find_duplicates(
    *, first_name: str, last_name: str, date_of_birth: datetime.date, exclude_pk: int | None = None
) -> list[Patient]:
    qs = Patient.objects.filter(
        first_name__iexact=first_name.strip(), last_name__iexact=last_name.strip(), date_of_birth=date_of_birth
    )
    if exclude_pk:
        qs = qs.exclude(pk=exclude_pk)
    return list(qs.order_by("mrn"))


def _normalise(data: dict[str, Any]) -> dict[str, Any]:
    for key in ("first_name", "last_name", "email"):
        if isinstance(data.get(key), str):
            data[key] = data[key].strip()
    return data


@transaction.atomic
def patient_register(*, acting_user: User, allow_duplicate: bool = False, **data: Any) -> Patient:
    """Register a new patient with a fresh MRN.

    When a patient with the same name and date of birth exists, raises DuplicatePatient
    (naming their MRNs) unless ``allow_duplicate`` is set by a user who checked them.
    """
    unknown = set(data) - PATIENT_WRITE_FIELDS
    if unknown:
        raise ValidationError(f"Unknown patient fields: {', '.join(sorted(unknown))}.")
    data = _normalise(dict(data))
    patient = Patient(**data)
    patient.mrn = "0"  # placeholder so full_clean passes; the real MRN is drawn after validation
    patient.registered_by = acting_user
    patient.full_clean(exclude=["mrn"])
    if not allow_duplicate:
        duplicates = patient_find_duplicates(
            first_name=patient.first_name, last_name=patient.last_name, date_of_birth=patient.date_of_birth
        )
        if duplicates:
            mrns = [p.mrn for p in duplicates]
            raise DuplicatePatient(
                f"A patient named {patient.first_name} {patient.last_name} born {patient.date_of_birth:%m/%d/%Y} "
                f"is already registered (MRN {', '.join(mrns)}). Check it is not the same person, "
                "then confirm to register anyway.",
                extra={"duplicates": mrns},
            )
    patient.mrn = mrn_generate()
    return audited_save(patient, acting_user=acting_user)


@transaction.atomic
def patient_update(*, patient: Patient, acting_user: User, **data: Any) -> Patient:
    patient = Patient.objects.select_for_update().get(pk=patient.pk)
    changed = apply_changes(patient, _normalise(dict(data)), allowed=PATIENT_WRITE_FIELDS)
    if changed:
        audited_save(patient, acting_user=acting_user)
    return patient


@transaction.atomic
def patient_set_active(*, patient: Patient, active: bool, acting_user: User) -> Patient:
    """Deactivate (or reactivate) a patient. Patients are never deleted."""
    return audited_set_active(patient, active=active, acting_user=acting_user)


def _chart_fact_add(model: type[ModelT], *, patient: Patient, acting_user: User, data: dict[str, Any]) -> ModelT:
    """Record an allergy or a medical history entry (patients.policies says who may)."""
    policies.ensure_may_write_clinical_fact(acting_user=acting_user, model=model._meta.model_name, action="add")
    return audited_save(model(patient=patient, **data), acting_user=acting_user)


def _chart_fact_update(row: ModelT, *, allowed: set[str], acting_user: User, data: dict[str, Any]) -> ModelT:
    """Change an allergy or a medical history entry under its row lock; it stays with its patient."""
    model = type(row)
    policies.ensure_may_write_clinical_fact(acting_user=acting_user, model=model._meta.model_name, action="change")
    row = model.objects.select_for_update().get(pk=row.pk)
    if apply_changes(row, data, allowed=allowed, fixed=FIXED_PATIENT):
        audited_save(row, acting_user=acting_user)
    return row


@transaction.atomic
def allergy_add(*, patient: Patient, acting_user: User, **data: Any) -> Allergy:
    return _chart_fact_add(Allergy, patient=patient, acting_user=acting_user, data=data)


@transaction.atomic
def allergy_update(*, allergy: Allergy, acting_user: User, **data: Any) -> Allergy:
    return _chart_fact_update(allergy, allowed=ALLERGY_FIELDS, acting_user=acting_user, data=data)


@transaction.atomic
def medical_history_add(*, patient: Patient, acting_user: User, **data: Any) -> MedicalHistoryEntry:
    return _chart_fact_add(MedicalHistoryEntry, patient=patient, acting_user=acting_user, data=data)


@transaction.atomic
def medical_history_update(*, entry: MedicalHistoryEntry, acting_user: User, **data: Any) -> MedicalHistoryEntry:
    return _chart_fact_update(entry, allowed=HISTORY_FIELDS, acting_user=acting_user, data=data)


def _demote_other_primaries(policy: InsurancePolicy, acting_user: User) -> None:
    # One primary policy per patient. A conditional unique constraint would be skipped on
    # MySQL/MariaDB, so the rule is held here, under the patient's row lock.
    for other in InsurancePolicy.objects.filter(patient=policy.patient, is_primary=True).exclude(pk=policy.pk):
        other.is_primary = False
        audited_save(other, acting_user=acting_user, validate=False)


@transaction.atomic
def insurance_policy_add(*, patient: Patient, acting_user: User, **data: Any) -> InsurancePolicy:
    Patient.objects.select_for_update().get(pk=patient.pk)
    policy = InsurancePolicy(patient=patient, **data)
    _check_payer_for_policy(policy, changed=True)
    policy.full_clean()
    if not InsurancePolicy.objects.filter(patient=patient, is_primary=True, is_active=True).exists():
        policy.is_primary = policy.is_active  # the first active policy is the primary one
    audited_save(policy, acting_user=acting_user, validate=False)
    if policy.is_primary:
        _demote_other_primaries(policy, acting_user)
    return policy


@transaction.atomic
def insurance_policy_update(*, policy: InsurancePolicy, acting_user: User, **data: Any) -> InsurancePolicy:
    Patient.objects.select_for_update().get(pk=policy.patient_id)
    policy = InsurancePolicy.objects.select_for_update().get(pk=policy.pk)
    previous_payer = policy.payer_id
    if apply_changes(policy, data, allowed=POLICY_FIELDS, fixed=FIXED_PATIENT):
        _check_payer_for_policy(policy, changed=policy.payer_id != previous_payer)
        if not policy.is_active:
            policy.is_primary = False
        audited_save(policy, acting_user=acting_user)
        if policy.is_primary:
            _demote_other_primaries(policy, acting_user)
    return policy


def _check_payer_for_policy(policy: InsurancePolicy, *, changed: bool) -> None:
    if changed and policy.payer_id and not Payer.objects.filter(pk=policy.payer_id, is_active=True).exists():
        raise ValidationError({"payer": "This payer is inactive; choose an active payer."})


# Payers and the insurer users who work for them --------------------------------------------------


def _normalise_payer(data: dict[str, Any]) -> dict[str, Any]:
    for key in ("name", "code", "payer_id", "email"):
        if isinstance(data.get(key), str):
            data[key] = data[key].strip()
    if isinstance(data.get("code"), str):
        data["code"] = data["code"].upper()
    return data


@transaction.atomic
def payer_create(*, acting_user: User, **data: Any) -> Payer:
    unknown = set(data) - PAYER_FIELDS
    if unknown:
        raise ValidationError(f"Unknown payer fields: {', '.join(sorted(unknown))}.")
    return audited_save(Payer(**_normalise_payer(dict(data))), acting_user=acting_user)


@transaction.atomic
def payer_update(*, payer: Payer, acting_user: User, **data: Any) -> Payer:
    payer = Payer.objects.select_for_update().get(pk=payer.pk)
    if apply_changes(payer, _normalise_payer(dict(data)), allowed=PAYER_FIELDS):
        audited_save(payer, acting_user=acting_user)
    return payer


@transaction.atomic
def insurer_account_assign(*, user: User, payer: Payer, acting_user: User) -> InsurerAccount:
    """Link an Insurer-group user to the one payer whose claims they see and decide (or move them to another).

    Refused: users outside the Insurer group (staff and patients never get a payer's view), inactive payers.
    """
    if not has_role(user, INSURER):
        raise ValidationError({"user": f"Only users in the {INSURER} group work for a payer; add the group first."})
    if not payer.is_active:
        raise ValidationError({"payer": "This payer is inactive."})
    account = InsurerAccount.objects.select_for_update().filter(user=user).first()
    if account is None:
        account = InsurerAccount(user=user, payer=payer)
    elif account.payer_id == payer.pk:
        return account
    else:
        account.payer = payer
    return audited_save(account, acting_user=acting_user)


# --- Minimum necessary: break the glass, care assignments -------------------------------------------------


@transaction.atomic
def break_glass(
    *, patient: Patient, reason: str, acting_user: User, now: datetime.datetime | None = None
) -> BreakGlassGrant:
    """Open the full chart of a patient outside the user's care for BREAK_GLASS_HOURS, for ``reason`` (required,
    at least BREAK_GLASS_REASON_MIN_LENGTH characters). Reported to the privacy officer (the review page and
    ``manage.py break_glass_digest``). An unexpired grant of the same user on the same patient is answered as is.
    """
    policies.ensure_may_break_glass(acting_user=acting_user)
    reason = (reason or "").strip()
    minimum = settings.BREAK_GLASS_REASON_MIN_LENGTH
    if len(reason) < minimum:
        raise ValidationError({"reason": f"Say why you need this chart (at least {minimum} characters)."})
    now = now or timezone.now()
    current = policies.active_grant(acting_user, patient.pk, now=now)
    if current is not None:
        return current
    grant = BreakGlassGrant(
        user=acting_user,
        patient=patient,
        reason=reason,
        started_at=now,
        expires_at=now + timedelta(hours=settings.BREAK_GLASS_HOURS),
    )
    audited_save(grant, acting_user=acting_user)
    policies.forget_chart_access(acting_user)
    return grant


@transaction.atomic
def break_glass_review(
    *, grant: BreakGlassGrant, outcome: str, note: str, acting_user: User
) -> BreakGlassGrant:
    """The privacy officer's review of a grant: appropriate or not, with a note (required when inappropriate)."""
    policies.ensure_may_review_break_glass(acting_user=acting_user)
    grant = BreakGlassGrant.objects.select_for_update().get(pk=grant.pk)
    if grant.is_reviewed:
        raise Conflict("This break-glass grant has been reviewed already.")
    if outcome not in BreakGlassOutcome.values:
        raise ValidationError({"outcome": f"Choose from: {', '.join(BreakGlassOutcome.values)}."})
    note = (note or "").strip()
    if outcome == BreakGlassOutcome.INAPPROPRIATE and not note:
        raise ValidationError({"note": "Say what was wrong and what follows."})
    grant.outcome, grant.review_note = outcome, note
    grant.reviewed_by, grant.reviewed_at = acting_user, timezone.now()
    return audited_save(grant, acting_user=acting_user)


@transaction.atomic
def care_assign(
    *, patient: Patient, user: User, reason: str, acting_user: User, until: datetime.datetime | None = None
) -> CareAssignment:
    """Put ``patient`` in ``user``'s care (until ``until``; open-ended when None)."""
    policies.ensure_may_assign_care(acting_user=acting_user)
    if not user.is_active:
        raise ValidationError({"user": "This user is inactive."})
    assignment = CareAssignment(
        patient=patient, user=user, reason=(reason or "").strip(), until=until, created_by=acting_user
    )
    audited_save(assignment, acting_user=acting_user)
    policies.forget_chart_access(user)
    return assignment


@transaction.atomic
def care_assignment_end(*, assignment: CareAssignment, acting_user: User) -> CareAssignment:
    """End an assignment now (it is kept, with ``until`` the moment it ended)."""
    policies.ensure_may_assign_care(acting_user=acting_user)
    assignment = CareAssignment.objects.select_for_update().get(pk=assignment.pk)
    now = timezone.now()
    if assignment.until is not None and assignment.until <= now:
        raise Conflict("This care assignment has ended already.")
    assignment.until = max(now, assignment.started_at + timedelta(microseconds=1))
    return audited_save(assignment, acting_user=acting_user)


# --- Consents ---------------------------------------------------------------------------------------------


@transaction.atomic
def consent_record(*, patient: Patient, kind: str, granted: bool, acting_user: User, note: str = "") -> Consent:
    """Record that the patient granted (or withdrew) consent of ``kind``; each change keeps a history row."""
    policies.ensure_may_record_consent(acting_user=acting_user, patient=patient)
    if kind not in ConsentKind.values:
        raise ValidationError({"kind": f"Choose from: {', '.join(ConsentKind.values)}."})
    consent = Consent.objects.select_for_update().filter(patient=patient, kind=kind).first()
    if consent is None:
        consent = Consent(patient=patient, kind=kind, granted=granted)
    elif consent.granted == bool(granted) and consent.note == (note or ""):
        return consent
    consent.granted = bool(granted)
    consent.note = (note or "").strip()
    consent.changed_at = timezone.now()
    consent.changed_by = acting_user if getattr(acting_user, "is_authenticated", False) else None
    return audited_save(consent, acting_user=acting_user)
