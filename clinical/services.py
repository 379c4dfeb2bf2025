"""Every change to clinical records. Admin, pages, API and commands call these.

Rules kept here:
- A record is opened for an appointment that is checked in, in progress or completed (completed allows
  late documentation after the visit); never for a scheduled, cancelled or no-show one. One per appointment.
- Only the appointment's doctor writes its record and what hangs off it (diagnoses, procedures,
  prescriptions, lab orders), signs and amends it: anyone else, administrators and superusers included,
  gets PermissionDenied (403). Vitals and lab work are written by the roles allowed to (clinical.policies).
- A signed record is final: notes, diagnoses, procedures, prescriptions and lab orders can no longer be
  added or changed (409); the record's text changes only through ``record_amend`` with a reason, and every
  version stays in history. Work that follows an order after signing goes on: a lab order is still
  collected and resulted, and an active prescription can still be cancelled (with a reason); a dispensed one
  cannot (the patient has it).
- Each amendment is kept as a RecordAmendment (author, reason, time, each changed field before and after).
- Before signing a diagnosis can be removed: it is marked removed (who, when, why), kept in history and no longer
  counted anywhere (``Diagnosis.objects`` and ``record.diagnoses`` see active diagnoses only).
- A lab result must be one the test can physically give (LabTest.physical_min/max; never a negative
  concentration). A saved result is never edited: ``lab_result_correct`` replaces it with a reason, keeps the
  earlier value and flag, recomputes the flag and records who corrected it and when (the lab, per the role table).
- A result goes to the inbox of the doctor who ordered it; only that doctor acknowledges it (who and when kept),
  and a correction makes it unacknowledged again. A critical result is phoned through by the lab
  (``lab_result_call_record``: to whom, when, read back); a correction to another critical value is phoned again.
- Prescribing a medication the patient has an active allergy to is refused unless an override reason is
  given; the reason is kept on the prescription.
Nothing is deleted.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import TextChoices
from django.utils import timezone

from catalog.models import Item, ItemKind
from clinical import icd10, policies
from clinical.choices import (
    RECORDABLE_APPOINTMENT_STATUSES,
    LabOrderStatus,
    LabResultFlag,
    PrescriptionStatus,
    TreatmentOutcome,
)
from clinical.models import (
    VITALS_RANGES,
    CriticalResultCall,
    Diagnosis,
    LabOrder,
    LabResult,
    LabTest,
    MedicalRecord,
    Prescription,
    Procedure,
    ProcedureCatalog,
    RecordAmendment,
    Vitals,
)
from hms.audit import audited_save, refuse_fixed_changes
from hms.exceptions import Conflict
from hms.typing import ModelT, User
from patients.models import Allergy, Patient
from scheduling.models import Appointment

NOTE_FIELDS = ("chief_complaint", "clinical_notes", "outcome")


# --- Guards ---------------------------------------------------------------------------------------


def ensure_may_write(*, appointment: Appointment, acting_user: User | None) -> None:
    """Only the appointment's doctor writes its clinical record (administrators see it, they do not write it)."""
    policies.ensure_record_author(appointment=appointment, acting_user=acting_user)


def _ensure_unsigned(record: MedicalRecord, what: str = "changed") -> None:
    if record.signed_at is not None:
        raise Conflict(
            f"This medical record was signed on {record.signed_at:%m/%d/%Y} and cannot be {what}. "
            "Amend the record with a reason instead.",
            code="record_signed",
        )


def _lock_record(record: MedicalRecord) -> MedicalRecord:
    return MedicalRecord.objects.select_for_update().get(pk=record.pk)


def _writable_record(record: MedicalRecord, acting_user: User | None, what: str = "changed") -> MedicalRecord:
    record = _lock_record(record)
    ensure_may_write(appointment=record.appointment, acting_user=acting_user)
    _ensure_unsigned(record, what)
    return record


def _check_choice(field: str, value: str, choices: type[TextChoices]) -> None:
    if value not in choices.values:
        raise ValidationError({field: f"Choose one of: {', '.join(choices.values)}."})


# --- The record -----------------------------------------------------------------------------------


@transaction.atomic
def record_open_for_appointment(
    *, appointment: Appointment, acting_user: User, chief_complaint: str = "", clinical_notes: str = ""
) -> MedicalRecord:
    """Open the medical record of an appointment (checked in, in progress, or completed for late documentation)."""
    appointment = Appointment.objects.select_for_update().get(pk=appointment.pk)
    ensure_may_write(appointment=appointment, acting_user=acting_user)
    if appointment.status not in RECORDABLE_APPOINTMENT_STATUSES:
        raise Conflict(
            f"A medical record cannot be opened for a {appointment.get_status_display().lower()} appointment; "
            "check the patient in first (records are for checked-in, in-progress or completed visits).",
            code="appointment_not_recordable",
        )
    existing = MedicalRecord.objects.filter(appointment=appointment).first()
    if existing is not None:
        raise Conflict(
            "This appointment already has a medical record.", code="record_exists", extra={"record": existing.pk}
        )
    record = MedicalRecord(
        appointment=appointment,
        patient_id=appointment.patient_id,
        doctor_id=appointment.doctor_id,
        chief_complaint=(chief_complaint or appointment.reason or "")[:500],
        clinical_notes=clinical_notes or "",
        opened_by=acting_user,
    )
    return audited_save(record, acting_user=acting_user)


@transaction.atomic
def record_update_notes(*, record: MedicalRecord, acting_user: User, **changes: Any) -> MedicalRecord:
    """Change the complaint, notes or outcome of an unsigned record. It stays with its appointment for good."""
    changes = refuse_fixed_changes(record, changes, {"appointment": "A record belongs to its appointment for good."})
    unknown = set(changes) - set(NOTE_FIELDS)
    if unknown:
        raise ValidationError(f"These fields cannot be changed here: {', '.join(sorted(unknown))}.")
    record = _writable_record(record, acting_user)
    if "outcome" in changes and changes["outcome"]:
        _check_choice("outcome", changes["outcome"], TreatmentOutcome)
    for field, value in changes.items():
        setattr(record, field, value if value is not None else "")
    return audited_save(record, acting_user=acting_user)


@transaction.atomic
def record_sign(*, record: MedicalRecord, acting_user: User) -> MedicalRecord:
    """Sign the record: it becomes final. It needs at least one diagnosis."""
    record = _lock_record(record)
    ensure_may_write(appointment=record.appointment, acting_user=acting_user)
    if record.signed_at is not None:
        raise Conflict(f"This medical record was already signed on {record.signed_at:%m/%d/%Y}.", code="record_signed")
    if not record.diagnoses.exists():
        raise Conflict("Add at least one diagnosis before signing the record.", code="no_diagnosis")
    record.signed_at = timezone.now()
    record.signed_by = acting_user
    return audited_save(record, acting_user=acting_user)


@transaction.atomic
def record_amend(*, record: MedicalRecord, reason: str, acting_user: User, **changes: Any) -> MedicalRecord:
    """Change a signed record's complaint, notes or outcome, with a reason.

    Each amendment is its own RecordAmendment row (author, reason, time, and every changed field's text before
    and after), so the original and every later version stay readable; the record keeps the latest amendment's
    summary (``amended_at``/``amended_by``/``amendment_reason``) and every version is in its history too.
    Fields given with their current value are not changes; an amendment that changes nothing is refused (400).
    """
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "Give the reason for the amendment."})
    unknown = set(changes) - set(NOTE_FIELDS)
    if unknown:
        raise ValidationError(f"These fields cannot be amended: {', '.join(sorted(unknown))}.")
    if not changes:
        raise ValidationError("Say what the amendment changes (complaint, notes or outcome).")
    record = _lock_record(record)
    ensure_may_write(appointment=record.appointment, acting_user=acting_user)
    if record.signed_at is None:
        raise Conflict("This record is not signed yet; edit it directly instead of amending it.", code="not_signed")
    if changes.get("outcome"):
        _check_choice("outcome", changes["outcome"], TreatmentOutcome)
    originals = {}  # the text as signed: the "before" of the first amendment that changed the field
    for earlier in RecordAmendment.objects.filter(record=record).order_by("amended_at", "id"):
        for field, change in (earlier.changes or {}).items():
            originals.setdefault(field, change.get("before", ""))
    changed = {}
    for field, value in changes.items():
        value = value if value is not None else ""
        before = getattr(record, field)
        if value != before:
            changed[field] = {"before": before, "after": value, "original": originals.get(field, before)}
            setattr(record, field, value)
    if not changed:
        raise ValidationError("The amendment changes nothing: the record already says this.")
    record.amended_at = timezone.now()
    record.amended_by = acting_user
    record.amendment_reason = reason[:500]
    record._change_reason = reason[:100]
    audited_save(record, acting_user=acting_user)
    amendment = RecordAmendment(
        record=record, author=acting_user, reason=reason[:500], amended_at=record.amended_at, changes=changed
    )
    audited_save(amendment, acting_user=acting_user)
    return record


def record_ready_for_completion(appointment: Appointment) -> None:
    """Raise Conflict unless the appointment has a medical record with at least one diagnosis.

    Registered in ClinicalConfig.ready() as a scheduling completion check (scheduling.hooks): appointment_complete
    runs it before completing a visit.
    """
    record = MedicalRecord.objects.filter(appointment_id=appointment.pk).first()
    if record is None or not record.diagnoses.exists():
        raise Conflict(
            "The visit cannot be completed yet: it needs an open medical record with at least one diagnosis.",
            code="record_incomplete",
        )


# --- Diagnoses and procedures ---------------------------------------------------------------------


@transaction.atomic
def diagnosis_add(*, record: MedicalRecord, code: str, acting_user: User, is_primary: bool = False) -> Diagnosis:
    """Add a billable ICD-10-CM diagnosis; its description comes from the code list.

    The record's first diagnosis is primary; making another one primary demotes the previous one. A code that
    was removed from this record earlier is restored (the same row, its removal kept in history).
    """
    record = _writable_record(record, acting_user)
    code = icd10.normalise(code)
    if not icd10.is_billable(code):
        if icd10.is_known(code):
            message = f"{code} is a category, not a billable code; choose one of its more specific codes."
        else:
            message = f"{code or 'This'} is not an ICD-10-CM code."
        raise ValidationError({"code": message})
    if record.diagnoses.filter(code=code).exists():
        raise Conflict(f"{code} is already on this record.", code="duplicate_diagnosis")
    has_primary = record.diagnoses.filter(is_primary=True).exists()
    if is_primary and has_primary:
        for other in record.diagnoses.filter(is_primary=True):
            other.is_primary = False
            audited_save(other, acting_user=acting_user)
    removed = Diagnosis.all_objects.filter(record=record, code=code).first()  # removed earlier: restored
    if removed is not None:
        removed.is_primary = bool(is_primary) or not has_primary
        removed.added_by, removed.added_at = acting_user, timezone.now()
        removed.removed_at, removed.removed_by, removed.removal_reason = None, None, ""
        removed._change_reason = "Added again"
        return audited_save(removed, acting_user=acting_user)
    diagnosis = Diagnosis(
        record=record,
        patient_id=record.patient_id,
        code=code,
        description=icd10.description(code)[:300],
        is_primary=bool(is_primary) or not has_primary,
        added_by=acting_user,
    )
    return audited_save(diagnosis, acting_user=acting_user)


@transaction.atomic
def diagnosis_remove(*, diagnosis: Diagnosis, acting_user: User, reason: str = "") -> Diagnosis:
    """Remove a diagnosis from an unsigned record (a signed one answers 409: amend it instead).

    Nothing is deleted: the diagnosis is marked removed (when, by whom, why) and stays in history and the admin,
    but no longer counts (signing, completion, billing, reports, lists). When the primary diagnosis is removed,
    the earliest remaining one becomes primary.
    """
    record = _writable_record(diagnosis.record, acting_user)
    diagnosis = Diagnosis.all_objects.select_for_update().get(pk=diagnosis.pk)
    if diagnosis.removed_at is not None:
        raise Conflict(f"{diagnosis.code} was already removed from this record.", code="already_removed")
    diagnosis.removed_at = timezone.now()
    diagnosis.removed_by = acting_user
    diagnosis.removal_reason = (reason or "").strip()[:500]
    was_primary, diagnosis.is_primary = diagnosis.is_primary, False
    diagnosis._change_reason = (diagnosis.removal_reason or "Removed")[:100]
    audited_save(diagnosis, acting_user=acting_user, validate=False)
    if was_primary:
        successor = record.diagnoses.order_by("added_at", "id").first()
        if successor is not None:
            successor.is_primary = True
            audited_save(successor, acting_user=acting_user)
    return diagnosis


@transaction.atomic
def procedure_add(
    *, record: MedicalRecord, catalog_entry: ProcedureCatalog, acting_user: User, quantity: int = 1, notes: str = ""
) -> Procedure:
    """Record a procedure from the catalog; its code, description and price are copied."""
    record = _writable_record(record, acting_user)
    catalog_entry = ProcedureCatalog.objects.get(pk=catalog_entry.pk)
    if not catalog_entry.is_active:
        raise Conflict(f"{catalog_entry} is no longer offered (inactive).", code="procedure_inactive")
    procedure = Procedure(
        record=record,
        catalog_entry=catalog_entry,
        code=catalog_entry.code,
        description=catalog_entry.description,
        unit_price=catalog_entry.price,
        quantity=quantity,
        notes=notes or "",
        added_by=acting_user,
    )
    return audited_save(procedure, acting_user=acting_user)


# --- Prescriptions --------------------------------------------------------------------------------


def matching_allergies(*, patient: Patient, medication: Item) -> list[Allergy]:
    """The patient's active allergies whose substance matches the medication's name or category
    (case-insensitive, either containing the other: 'penicillin' matches 'Penicillins')."""
    targets = [t.lower() for t in (medication.name, medication.category) if t]
    found = []
    for allergy in Allergy.objects.filter(patient=patient, is_active=True).order_by("substance"):
        substance = allergy.substance.strip().lower()
        if substance and any(substance in target or target in substance for target in targets):
            found.append(allergy)
    return found


class AllergyConflict(Conflict):
    default_code = "allergy"


@transaction.atomic
def prescription_create(
    *,
    record: MedicalRecord,
    medication: Item,
    dose: str,
    frequency: str,
    duration_days: int,
    quantity: int,
    acting_user: User,
    route: str = "oral",
    instructions: str = "",
    allergy_override_reason: str = "",
) -> Prescription:
    """Prescribe a medication. A recorded active allergy to it refuses the prescription (409, naming the
    allergy) unless ``allergy_override_reason`` says why it is prescribed anyway."""
    record = _writable_record(record, acting_user)
    medication = Item.objects.get(pk=medication.pk)
    if medication.kind != ItemKind.MEDICATION:
        raise ValidationError({"medication": f"{medication.name} is not a medication."})
    if not medication.is_active:
        raise Conflict(f"{medication} is no longer stocked (inactive).", code="medication_inactive")
    override = (allergy_override_reason or "").strip()
    allergies = matching_allergies(patient=record.patient, medication=medication)
    if allergies and not override:
        names = ", ".join(
            f"{a.substance} ({a.get_severity_display().lower()}{', ' + a.reaction if a.reaction else ''})"
            for a in allergies
        )
        raise AllergyConflict(
            f"{record.patient.full_name} has a recorded allergy to {names}; {medication.name} was not prescribed. "
            "Give an override reason to prescribe it anyway.",
            extra={"allergies": [a.substance for a in allergies]},
        )
    prescription = Prescription(
        record=record,
        patient_id=record.patient_id,
        medication=medication,
        dose=dose,
        route=route,
        frequency=frequency,
        duration_days=duration_days,
        quantity=quantity,
        instructions=instructions or "",
        allergy_override_reason=override if allergies else "",
        prescribed_by=acting_user,
    )
    return audited_save(prescription, acting_user=acting_user)


@transaction.atomic
def prescription_cancel(*, prescription: Prescription, reason: str, acting_user: User) -> Prescription:
    """Cancel an active prescription (also after the record was signed); the reason is kept."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "Give the reason for cancelling the prescription."})
    prescription = Prescription.objects.select_for_update().get(pk=prescription.pk)
    ensure_may_write(appointment=prescription.record.appointment, acting_user=acting_user)
    if prescription.status == PrescriptionStatus.DISPENSED:
        raise Conflict(
            f"{prescription.medication.name} was already dispensed by the pharmacy, so the prescription cannot be "
            "cancelled: the patient has the medication. Tell the patient to stop it, and record that in the notes.",
            code="already_dispensed",
        )
    if prescription.status != PrescriptionStatus.ACTIVE:
        raise Conflict(
            f"A {prescription.get_status_display().lower()} prescription cannot be cancelled.",
            code="invalid_transition",
        )
    prescription.status = PrescriptionStatus.CANCELLED
    prescription.cancelled_at = timezone.now()
    prescription.cancelled_by = acting_user
    prescription.cancellation_reason = reason[:500]
    return audited_save(prescription, acting_user=acting_user)


# --- Labs -----------------------------------------------------------------------------------------


@transaction.atomic
def lab_order_create(*, record: MedicalRecord, test: LabTest, acting_user: User) -> LabOrder:
    record = _writable_record(record, acting_user)
    test = LabTest.objects.get(pk=test.pk)
    if not test.is_active:
        raise Conflict(f"{test} is no longer offered (inactive).", code="lab_test_inactive")
    order = LabOrder(record=record, test=test, ordered_by=acting_user)
    return audited_save(order, acting_user=acting_user)


@transaction.atomic
def lab_order_collect(*, order: LabOrder, acting_user: User) -> LabOrder:
    """The sample was taken: ordered -> collected."""
    policies.ensure_may_enter_lab_results(acting_user=acting_user)
    order = LabOrder.objects.select_for_update().get(pk=order.pk)
    if order.status != LabOrderStatus.ORDERED:
        raise Conflict(
            f"This lab order is already {order.get_status_display().lower()}; only ordered tests are collected.",
            code="invalid_transition",
        )
    order.status = LabOrderStatus.COLLECTED
    order.collected_at = timezone.now()
    order.collected_by = acting_user
    return audited_save(order, acting_user=acting_user)


@transaction.atomic
def lab_result_enter(
    *, order: LabOrder, value: Decimal | str | None, acting_user: User, comment: str = ""
) -> LabResult:
    """Enter the result of a collected order; the flag comes from the test's reference range."""
    policies.ensure_may_enter_lab_results(acting_user=acting_user)
    order = LabOrder.objects.select_for_update().get(pk=order.pk)
    if order.status == LabOrderStatus.ORDERED:
        raise Conflict(
            "The sample has not been collected yet; collect it before entering the result.", code="not_collected"
        )
    if order.status == LabOrderStatus.RESULTED:
        raise Conflict("This lab order already has a result.", code="already_resulted")
    if value is None or value == "":
        raise ValidationError({"value": "Enter the result value."})
    result = LabResult(
        order=order,
        value=value,
        comment=comment or "",
        resulted_by=acting_user,
        doctor_id=order.record.doctor_id,  # the ordering doctor, whose inbox the result goes to
        patient_id=order.record.patient_id,
    )
    result.full_clean(exclude=["unit", "flag"])
    order.test.check_result_value(result.value)
    result.unit = order.test.unit
    result.flag = order.test.flag_for(result.value)
    audited_save(result, acting_user=acting_user, validate=False)
    order.status = LabOrderStatus.RESULTED
    order.resulted_at = result.resulted_at
    audited_save(order, acting_user=acting_user)
    return result


@transaction.atomic
def lab_result_correct(*, result: LabResult, value: Decimal | str | None, reason: str, acting_user: User) -> LabResult:
    """Correct a saved result with a reason: the value is replaced, the flag recomputed, the earlier value and
    flag kept on the result (``previous_value``/``previous_flag``) and every version in its history."""
    policies.ensure_may_correct_lab_results(acting_user=acting_user)
    result = LabResult.objects.select_for_update().select_related("order__test").get(pk=result.pk)
    reason = (reason or "").strip()
    errors = {}
    if value is None or value == "":
        errors["value"] = "Enter the corrected value."
    if not reason:
        errors["reason"] = "Give the reason for the correction."
    if errors:
        raise ValidationError(errors)
    test = result.order.test
    previous_value, previous_flag = result.value, result.flag
    result.value = value
    result.correction_reason = reason
    result.full_clean(exclude=["unit", "flag", "previous_flag"])
    test.check_result_value(result.value)
    if result.value == previous_value:
        shown = f"{previous_value.normalize():f} {result.unit}".strip()
        raise Conflict(f"The result is already {shown}; a correction changes the value.", code="unchanged")
    result.previous_value, result.previous_flag = previous_value, previous_flag
    result.flag = test.flag_for(result.value)
    result.corrected_at = timezone.now()
    result.corrected_by = acting_user
    # The ordering doctor sees the correction in their inbox again; a critical value is phoned through again.
    result.acknowledged, result.acknowledged_at, result.acknowledged_by = False, None, None
    if result.flag == LabResultFlag.CRITICAL:
        result.last_call = None
    return audited_save(result, acting_user=acting_user, validate=False)


class AlreadyAcknowledged(Conflict):
    default_code = "already_acknowledged"


class AlreadyCalled(Conflict):
    default_code = "already_called"


@transaction.atomic
def lab_result_acknowledge(*, result: LabResult, acting_user: User) -> LabResult:
    """The ordering doctor has seen the result: who and when are kept on the result (and in its history).

    Only the doctor who ordered the test acknowledges it (403 for anyone else); acknowledging it again is
    refused with "already acknowledged" (409, code ``already_acknowledged``) and changes nothing."""
    result = LabResult.objects.select_for_update().get(pk=result.pk)
    policies.ensure_may_acknowledge_result(result=result, acting_user=acting_user)
    if result.acknowledged_at is not None:
        raise AlreadyAcknowledged(
            f"This result was already acknowledged on {timezone.localtime(result.acknowledged_at):%m/%d/%Y %I:%M %p}.",
            extra={"acknowledged_at": result.acknowledged_at.isoformat()},
        )
    result.acknowledged, result.acknowledged_at, result.acknowledged_by = True, timezone.now(), acting_user
    return audited_save(result, acting_user=acting_user, validate=False)


@transaction.atomic
def lab_result_call_record(
    *,
    result: LabResult,
    called_to: str,
    acting_user: User,
    called_at: datetime.datetime | None = None,
    read_back_confirmed: bool = False,
    notes: str = "",
) -> CriticalResultCall:
    """Record that the lab phoned a critical result through: to whom (required), when (default now, never in the
    future nor before the result), whether it was read back. The result leaves the lab's "To call" queue.

    Only critical results are phoned (409 ``not_critical``); a result already phoned through (its current value)
    answers 409 ``already_called``. A correction to another critical value needs a new call."""
    policies.ensure_may_record_result_calls(acting_user=acting_user)
    result = LabResult.objects.select_for_update().get(pk=result.pk)
    if result.flag != LabResultFlag.CRITICAL:
        raise Conflict(
            f"Only critical results are phoned through; this one is {result.get_flag_display().lower()}.",
            code="not_critical",
        )
    if result.last_call_id is not None:
        call = CriticalResultCall.objects.select_related("called_by").get(pk=result.last_call_id)
        who = (call.called_by.get_full_name() or call.called_by.get_username()) if call.called_by else "someone"
        raise AlreadyCalled(
            f"This result was already phoned through: {who} called {call.called_to} at "
            f"{timezone.localtime(call.called_at):%m/%d/%Y %I:%M %p}.",
            extra={"call": call.pk},
        )
    called_to = (called_to or "").strip()
    if not called_to:
        raise ValidationError({"called_to": "Say who took the call (name and role)."})
    call = CriticalResultCall(
        result=result,
        called_to=called_to,
        called_at=called_at or timezone.now(),
        called_by=acting_user,
        read_back_confirmed=bool(read_back_confirmed),
        notes=notes or "",
        value=result.value,
    )
    audited_save(call, acting_user=acting_user)
    result.last_call = call
    audited_save(result, acting_user=acting_user, validate=False)
    return call


# --- Vitals ---------------------------------------------------------------------------------------


@transaction.atomic
def vitals_record(
    *,
    patient: Patient,
    acting_user: User,
    appointment: Appointment | None = None,
    recorded_at: datetime.datetime | None = None,
    **measurements: Any,
) -> Vitals:
    """Record a set of vital signs; implausible values are refused with a message per field."""
    policies.ensure_may_record_vitals(acting_user=acting_user)
    unknown = set(measurements) - set(VITALS_RANGES)
    if unknown:
        raise ValidationError(f"Unknown measurements: {', '.join(sorted(unknown))}.")
    if appointment is not None:
        if appointment.patient_id != patient.pk:
            raise ValidationError({"appointment": "This appointment is another patient's."})
        if appointment.status not in RECORDABLE_APPOINTMENT_STATUSES:
            raise Conflict(
                f"Vitals cannot be recorded for a {appointment.get_status_display().lower()} appointment.",
                code="appointment_not_recordable",
            )
    vitals = Vitals(
        patient=patient,
        appointment=appointment,
        recorded_by=acting_user,
        recorded_at=recorded_at or timezone.now(),
        **measurements,
    )
    return audited_save(vitals, acting_user=acting_user)


# --- Catalogs -------------------------------------------------------------------------------------


@transaction.atomic
def catalog_save(*, instance: ModelT, acting_user: User) -> ModelT:
    """Create or change a catalog entry (procedure, lab test, inventory item); deactivate, never delete."""
    return audited_save(instance, acting_user=acting_user)
