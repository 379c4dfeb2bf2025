"""Clinical records: what happened in one appointment (the medical record) and what hangs off it.

Every change goes through clinical.services. Nothing here is deleted: prescriptions are cancelled,
signed records are amended with a reason and every version stays in the history tables.
"""

import json
from datetime import timedelta
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from simple_history.models import HistoricalRecords

from clinical.choices import LabOrderStatus, LabResultFlag, PrescriptionRoute, PrescriptionStatus, TreatmentOutcome
from hms.validators import RECORDED_NOW, check_dates

MONEY = {"max_digits": 12, "decimal_places": 2}


def _user_fk(related_name="+", **kwargs):
    return models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name=related_name, editable=False, **kwargs
    )


# --- Catalogs -------------------------------------------------------------------------------------


class ProcedureCatalog(models.Model):
    """A billable act (CPT-style code) and its price; billing reads the price from here."""

    code = models.CharField(max_length=20, unique=True)
    description = models.CharField(max_length=300)
    price = models.DecimalField(**MONEY, validators=[MinValueValidator(0)])
    is_active = models.BooleanField("active", default=True, help_text="Deactivate instead of deleting.")

    history = HistoricalRecords()

    class Meta:
        ordering = ["code"]
        verbose_name = "procedure (catalog)"
        verbose_name_plural = "procedure catalog"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(price__gte=0),
                name="proccat_price_not_negative",
                violation_error_message="The price cannot be negative.",
            ),
        ]

    def __str__(self):
        return f"{self.code} {self.description}"


class LabTest(models.Model):
    """A lab test with its reference range (normal interval) and critical bounds."""

    code = models.CharField(max_length=20, unique=True)
    name = models.CharField(max_length=200)
    unit = models.CharField(max_length=30, blank=True)
    reference_low = models.DecimalField(max_digits=12, decimal_places=3, null=True, blank=True)
    reference_high = models.DecimalField(max_digits=12, decimal_places=3, null=True, blank=True)
    critical_low = models.DecimalField(
        max_digits=12, decimal_places=3, null=True, blank=True, help_text="At or below this, the result is critical."
    )
    critical_high = models.DecimalField(
        max_digits=12, decimal_places=3, null=True, blank=True, help_text="At or above this, the result is critical."
    )
    physical_min = models.DecimalField(
        "physical minimum",
        max_digits=12,
        decimal_places=3,
        null=True,
        blank=True,
        default=Decimal(0),
        help_text="The lowest value the test can physically give; results below it are refused. 0 for a "
        "concentration or a count (never negative); empty only for a test that can be negative (base excess).",
    )
    physical_max = models.DecimalField(
        "physical maximum",
        max_digits=12,
        decimal_places=3,
        null=True,
        blank=True,
        help_text="The highest value the test can physically give (100 for a percentage); results above are refused.",
    )
    price = models.DecimalField(**MONEY, validators=[MinValueValidator(0)])
    is_active = models.BooleanField("active", default=True, help_text="Deactivate instead of deleting.")

    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(physical_min__isnull=True)
                | models.Q(physical_max__isnull=True)
                | models.Q(physical_max__gt=models.F("physical_min")),
                name="labtest_physical_range",
                violation_error_message="The physical maximum must be above the physical minimum.",
            ),
            models.CheckConstraint(
                condition=models.Q(price__gte=0),
                name="labtest_price_not_negative",
                violation_error_message="The price cannot be negative.",
            ),
            models.CheckConstraint(
                condition=models.Q(reference_low__isnull=True)
                | models.Q(reference_high__isnull=True)
                | models.Q(reference_high__gte=models.F("reference_low")),
                name="labtest_reference_range",
                violation_error_message="The reference range must end at or above where it starts.",
            ),
        ]

    def __str__(self):
        return f"{self.name} ({self.code})"

    @property
    def reference_range(self):
        low = "" if self.reference_low is None else f"{self.reference_low.normalize():f}"
        high = "" if self.reference_high is None else f"{self.reference_high.normalize():f}"
        return f"{low}–{high} {self.unit}".strip()

    def flag_for(self, value):
        """low / normal / high / critical. The reference bounds themselves are normal; at or beyond a
        critical bound (when set) is critical."""
        value = Decimal(value)
        if self.critical_low is not None and value <= self.critical_low:
            return LabResultFlag.CRITICAL
        if self.critical_high is not None and value >= self.critical_high:
            return LabResultFlag.CRITICAL
        if self.reference_low is not None and value < self.reference_low:
            return LabResultFlag.LOW
        if self.reference_high is not None and value > self.reference_high:
            return LabResultFlag.HIGH
        return LabResultFlag.NORMAL

    @property
    def physical_range(self):
        low = "" if self.physical_min is None else f"{self.physical_min.normalize():f}"
        high = "" if self.physical_max is None else f"{self.physical_max.normalize():f}"
        return f"{low}–{high} {self.unit}".strip()

    def check_result_value(self, value):
        """Refuse (ValidationError on ``value``) a result the test cannot physically give, e.g. a negative TSH."""
        value = Decimal(value)
        too_low = self.physical_min is not None and value < self.physical_min
        too_high = self.physical_max is not None and value > self.physical_max
        if not (too_low or too_high):
            return
        shown = f"{value.normalize():f} {self.unit}".strip()
        if too_low and self.physical_min == 0:
            reason = "it cannot be negative"
        elif too_low:
            reason = f"it cannot be below {self.physical_min.normalize():f} {self.unit}".rstrip()
        else:
            reason = f"it cannot be above {self.physical_max.normalize():f} {self.unit}".rstrip()
        raise ValidationError({"value": f"{shown} is not a possible {self.name} result: {reason}."})

    def clean(self):
        errors = {}
        low, high = self.reference_low, self.reference_high
        pmin, pmax = self.physical_min, self.physical_max
        if pmin is not None and pmax is not None and pmax <= pmin:
            errors["physical_max"] = "The physical maximum must be above the physical minimum."
        for field in ("reference_low", "reference_high", "critical_low", "critical_high"):
            bound = getattr(self, field)
            if bound is None:
                continue
            if pmin is not None and bound < pmin:
                errors.setdefault(field, "Every bound must lie within the physical range (at or above its minimum).")
            elif pmax is not None and bound > pmax:
                errors.setdefault(field, "Every bound must lie within the physical range (at or below its maximum).")
        if low is not None and high is not None and high < low:
            errors["reference_high"] = "The reference range must end at or above where it starts."
        if self.critical_low is not None and low is not None and self.critical_low >= low:
            errors["critical_low"] = "The critical low bound must be below the reference range."
        if self.critical_high is not None and high is not None and self.critical_high <= high:
            errors["critical_high"] = "The critical high bound must be above the reference range."
        if errors:
            raise ValidationError(errors)


# --- The medical record ---------------------------------------------------------------------------


class MedicalRecord(models.Model):
    """The documentation of one appointment. Signed records are final: later changes are amendments."""

    appointment = models.OneToOneField(
        "scheduling.Appointment", on_delete=models.PROTECT, related_name="medical_record"
    )
    patient = models.ForeignKey(
        "patients.Patient", on_delete=models.PROTECT, related_name="medical_records", editable=False
    )
    doctor = models.ForeignKey(
        "staff.StaffMember", on_delete=models.PROTECT, related_name="medical_records", editable=False
    )
    chief_complaint = models.CharField(max_length=500, blank=True)
    clinical_notes = models.TextField(blank=True)
    outcome = models.CharField("treatment outcome", max_length=20, choices=TreatmentOutcome.choices, blank=True)
    opened_at = models.DateTimeField(default=timezone.now, editable=False)
    opened_by = _user_fk(null=True, blank=True)
    signed_at = models.DateTimeField(null=True, blank=True, editable=False)
    signed_by = _user_fk(null=True, blank=True)
    amended_at = models.DateTimeField(null=True, blank=True, editable=False)
    amended_by = _user_fk(null=True, blank=True)
    amendment_reason = models.CharField(
        max_length=500, blank=True, editable=False, help_text="Why the last amendment was made (each is in history)."
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["-opened_at", "-id"]
        indexes = [
            models.Index(fields=["opened_at"], name="mrec_opened_idx"),
            models.Index(fields=["patient", "opened_at"], name="mrec_patient_opened_idx"),
            models.Index(fields=["doctor", "opened_at"], name="mrec_doctor_opened_idx"),
            # The doctor's unsigned records, oldest first (the start page).
            models.Index(fields=["doctor", "signed_at", "opened_at"], name="mrec_doctor_unsigned_idx"),
            models.Index(fields=["signed_at"], name="mrec_signed_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(signed_at__isnull=True) | models.Q(signed_by__isnull=False),
                name="mrec_signed_has_signer",
                violation_error_message="A signed record names who signed it.",
            ),
        ]

    def __str__(self):
        return f"Record of {self.patient.full_name} (MRN {self.patient.mrn}) · {self.opened_at:%m/%d/%Y}"

    @property
    def is_signed(self):
        return self.signed_at is not None


# --- visit: amendments and removed diagnoses (issue 12) ---------------------------------------------


class RecordAmendment(models.Model):
    """One amendment of a signed record: who changed what, when and why. ``changes`` holds each changed field's
    text before and after ({"clinical_notes": {"before": "...", "after": "..."}}), so the original stays readable
    however many amendments follow. Written only by clinical.services.record_amend; never changed or deleted."""

    record = models.ForeignKey(MedicalRecord, on_delete=models.PROTECT, related_name="amendments", editable=False)
    author = _user_fk()
    reason = models.CharField(max_length=500, editable=False)
    amended_at = models.DateTimeField(default=timezone.now, editable=False)
    changes = models.JSONField(default=dict, editable=False, help_text="Field -> {before, after}.")

    history = HistoricalRecords()

    class Meta:
        ordering = ["-amended_at", "-id"]
        indexes = [
            models.Index(fields=["record", "amended_at"], name="amendment_record_at_idx"),
            models.Index(fields=["amended_at"], name="amendment_at_idx"),
        ]

    def __str__(self):
        return f"Amendment of {self.amended_at:%m/%d/%Y %H:%M}: {self.reason}"

    FIELD_LABELS = {"chief_complaint": "Chief complaint", "clinical_notes": "Clinical notes", "outcome": "Outcome"}

    @property
    def change_list(self):
        return amendment_change_list(self.changes)


def amendment_change_list(changes):
    """An amendment's changes as [{"label", "original", "before", "after"}] in a stable field order, outcomes by
    their label. ``original`` is the text as signed; ``before`` what the amendment replaced (the same text when it
    is the field's first amendment)."""
    if isinstance(changes, str):  # read back through a JSON text column (the timeline's query)
        changes = json.loads(changes or "{}")
    changes = changes if isinstance(changes, dict) else {}
    rows = []
    for field, label in RecordAmendment.FIELD_LABELS.items():
        if field not in changes:
            continue
        change = changes[field]
        values = {key: change.get(key, "") for key in ("before", "after")}
        values["original"] = change.get("original", values["before"])
        if field == "outcome":
            values = {key: _outcome_label(value) for key, value in values.items()}
        rows.append({"field": field, "label": label, **values})
    return rows


def _outcome_label(value):
    return TreatmentOutcome(value).label if value in TreatmentOutcome.values else (value or "")


class ActiveDiagnosisManager(models.Manager):
    """Diagnoses that count: a removed one (``removed_at`` set) is kept, with its history, but no longer counts for
    signing, completion, billing, reports, lists or the API. It is the default manager, so ``record.diagnoses``
    and every ``Diagnosis.objects`` read see active rows only; ``Diagnosis.all_objects`` sees every row (admin)."""

    def get_queryset(self):
        return super().get_queryset().filter(removed_at__isnull=True)


class AllDiagnosesManager(models.Manager):
    """Every diagnosis, removed ones included: the admin, history and the services that restore or remove one."""


class RecordPatientMixin:
    """A row of a record that carries the record's patient (for the chart's timeline): filled in on save."""

    def save(self, *args, **kwargs):
        if self.patient_id is None and self.record_id is not None:
            self.patient_id = self.record.patient_id
        super().save(*args, **kwargs)


class Diagnosis(RecordPatientMixin, models.Model):
    record = models.ForeignKey(MedicalRecord, on_delete=models.PROTECT, related_name="diagnoses")
    # The record's patient, copied so that a patient's diagnoses are read newest first along one index
    # (the chart's timeline) instead of through every record the patient has.
    patient = models.ForeignKey(
        "patients.Patient", on_delete=models.PROTECT, related_name="diagnoses", editable=False
    )
    code = models.CharField("ICD-10-CM code", max_length=10, help_text="A billable ICD-10-CM code, e.g. E11.9.")
    description = models.CharField(max_length=300, editable=False)
    is_primary = models.BooleanField("primary", default=False)
    added_by = _user_fk(null=True, blank=True)
    added_at = models.DateTimeField(default=timezone.now, editable=False)
    # Removed before signing (clinical.services.diagnosis_remove): kept, no longer counted. Nullable or with a
    # database default, so bulk loaders that do not name these columns keep working.
    removed_at = models.DateTimeField(null=True, blank=True, editable=False)
    removed_by = _user_fk(null=True, blank=True)
    removal_reason = models.CharField(max_length=500, blank=True, default="", db_default="", editable=False)

    history = HistoricalRecords()
    objects = ActiveDiagnosisManager()
    all_objects = AllDiagnosesManager()

    class Meta:
        ordering = ["record_id", "-is_primary", "added_at", "id"]
        base_manager_name = "all_objects"
        verbose_name_plural = "diagnoses"
        indexes = [
            models.Index(fields=["code"], name="diagnosis_code_idx"),
            models.Index(fields=["added_at"], name="diagnosis_added_idx"),  # the API list, newest first
            models.Index(fields=["patient", "added_at"], name="diagnosis_patient_added_idx"),  # timeline
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["record", "code"],
                name="diagnosis_code_once_per_record",
                violation_error_message="This diagnosis is already on the record.",
            ),
        ]

    def __str__(self):
        return f"{self.code} {self.description}"


class Procedure(models.Model):
    """A procedure done in the visit; code, description and unit price are copied from the catalog
    when it is added, so later catalog changes do not rewrite what was done (or billed)."""

    record = models.ForeignKey(MedicalRecord, on_delete=models.PROTECT, related_name="procedures")
    catalog_entry = models.ForeignKey(ProcedureCatalog, on_delete=models.PROTECT, related_name="procedures")
    code = models.CharField(max_length=20, editable=False)
    description = models.CharField(max_length=300, editable=False)
    unit_price = models.DecimalField(**MONEY, editable=False)
    quantity = models.PositiveSmallIntegerField(default=1, validators=[MinValueValidator(1), MaxValueValidator(100)])
    notes = models.TextField(blank=True)
    added_by = _user_fk(null=True, blank=True)
    added_at = models.DateTimeField(default=timezone.now, editable=False)

    history = HistoricalRecords()

    class Meta:
        ordering = ["record_id", "added_at", "id"]
        indexes = [models.Index(fields=["added_at"], name="procedure_added_idx")]  # the API list, newest first
        constraints = [
            models.CheckConstraint(
                condition=models.Q(quantity__gte=1),
                name="procedure_quantity_positive",
                violation_error_message="The quantity must be at least 1.",
            ),
        ]

    def __str__(self):
        return f"{self.code} {self.description} × {self.quantity}"

    @property
    def total(self):
        return self.unit_price * self.quantity


class Prescription(RecordPatientMixin, models.Model):
    record = models.ForeignKey(MedicalRecord, on_delete=models.PROTECT, related_name="prescriptions")
    # The record's patient, copied for the chart's timeline (see Diagnosis.patient).
    patient = models.ForeignKey(
        "patients.Patient", on_delete=models.PROTECT, related_name="prescriptions", editable=False
    )
    medication = models.ForeignKey(
        "catalog.Item",
        on_delete=models.PROTECT,
        related_name="prescriptions",
        limit_choices_to={"kind": "medication"},
    )
    dose = models.CharField(max_length=100, help_text="e.g. 500 mg, 1 tablet, 2 puffs.")
    route = models.CharField(max_length=20, choices=PrescriptionRoute.choices, default=PrescriptionRoute.ORAL)
    frequency = models.CharField(max_length=100, help_text="e.g. twice daily, every 8 hours.")
    duration_days = models.PositiveSmallIntegerField(validators=[MinValueValidator(1), MaxValueValidator(365)])
    quantity = models.PositiveIntegerField(validators=[MinValueValidator(1)], help_text="Units to dispense.")
    instructions = models.TextField(blank=True)
    status = models.CharField(
        max_length=20, choices=PrescriptionStatus.choices, default=PrescriptionStatus.ACTIVE, editable=False
    )
    allergy_override_reason = models.CharField(
        max_length=500,
        blank=True,
        help_text="Why the medication was prescribed despite a recorded allergy of the patient.",
    )
    prescribed_by = _user_fk(null=True, blank=True)
    prescribed_at = models.DateTimeField(default=timezone.now, editable=False)
    cancelled_by = _user_fk(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True, editable=False)
    cancellation_reason = models.CharField(max_length=500, blank=True, editable=False)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-prescribed_at", "-id"]
        indexes = [
            models.Index(fields=["prescribed_at"], name="rx_prescribed_idx"),
            models.Index(fields=["status", "prescribed_at"], name="rx_status_prescribed_idx"),
            models.Index(fields=["patient", "prescribed_at"], name="rx_patient_prescribed_idx"),  # timeline
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(duration_days__gte=1) & models.Q(duration_days__lte=365),
                name="rx_duration_range",
                violation_error_message="The duration must be 1 to 365 days.",
            ),
            models.CheckConstraint(
                condition=models.Q(quantity__gte=1),
                name="rx_quantity_positive",
                violation_error_message="The quantity must be at least 1.",
            ),
        ]

    def __str__(self):
        return f"{self.medication.name} {self.dose} {self.frequency} for {self.duration_days} days"


class LabOrder(models.Model):
    record = models.ForeignKey(MedicalRecord, on_delete=models.PROTECT, related_name="lab_orders")
    test = models.ForeignKey(LabTest, on_delete=models.PROTECT, related_name="orders")
    status = models.CharField(
        max_length=20, choices=LabOrderStatus.choices, default=LabOrderStatus.ORDERED, editable=False
    )
    ordered_by = _user_fk(null=True, blank=True)
    ordered_at = models.DateTimeField(default=timezone.now, editable=False)
    collected_by = _user_fk(null=True, blank=True)
    collected_at = models.DateTimeField(null=True, blank=True, editable=False)
    resulted_at = models.DateTimeField(null=True, blank=True, editable=False)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-ordered_at", "-id"]
        indexes = [
            models.Index(fields=["ordered_at"], name="laborder_ordered_idx"),
            models.Index(fields=["status", "ordered_at"], name="laborder_status_ordered_idx"),
            models.Index(fields=["status", "resulted_at"], name="laborder_status_resulted_idx"),  # lab worklist
        ]

    def __str__(self):
        return f"{self.test.name} · {self.get_status_display()}"


class LabResult(models.Model):
    order = models.OneToOneField(LabOrder, on_delete=models.PROTECT, related_name="result")
    value = models.DecimalField(max_digits=12, decimal_places=3)
    unit = models.CharField(max_length=30, blank=True, editable=False)
    flag = models.CharField(max_length=20, choices=LabResultFlag.choices, editable=False)
    comment = models.CharField(max_length=500, blank=True)
    resulted_by = _user_fk(null=True, blank=True)
    resulted_at = models.DateTimeField(default=timezone.now, editable=False)
    # A correction (clinical.services.lab_result_correct) replaces value and flag; the latest one is described
    # here, and every earlier version stays in the history table.
    corrected_at = models.DateTimeField(null=True, blank=True, editable=False)
    corrected_by = _user_fk(null=True, blank=True)
    correction_reason = models.CharField(max_length=500, blank=True, editable=False)
    previous_value = models.DecimalField(
        max_digits=12,
        decimal_places=3,
        null=True,
        blank=True,
        editable=False,
        help_text="The value before the correction.",
    )
    previous_flag = models.CharField(max_length=20, choices=LabResultFlag.choices, blank=True, editable=False)
    # The results inbox (clinical.selectors.results_inbox): the ordering doctor (the doctor of the order's record),
    # copied here so the inbox reads one table along one index; the flag's urgency (critical 2, low/high 1,
    # normal 0) so "critical first, then abnormal, then normal, newest first" is one index order.
    doctor = models.ForeignKey(
        "staff.StaffMember",
        on_delete=models.PROTECT,
        related_name="lab_results",
        editable=False,
        verbose_name="ordering doctor",
    )
    flag_priority = models.PositiveSmallIntegerField(default=0, editable=False)
    # The patient (of the order's record), copied for the chart's timeline: a patient's results newest first
    # along one index instead of through every record and order the patient has.
    patient = models.ForeignKey(
        "patients.Patient", on_delete=models.PROTECT, related_name="lab_results", editable=False
    )
    # Acknowledged by the ordering doctor (clinical.services.lab_result_acknowledge); a correction clears it.
    # ``acknowledged`` says the same as ``acknowledged_at`` being set (a constraint holds it; save() keeps it):
    # an equality the inbox index can lead with, for acknowledged results as for unacknowledged ones.
    acknowledged = models.BooleanField(default=False, editable=False)
    acknowledged_at = models.DateTimeField(null=True, blank=True, editable=False)
    acknowledged_by = _user_fk(null=True, blank=True)
    # A critical result is phoned through by the lab (CriticalResultCall); this is the call of the current value
    # (a correction to another critical value clears it: the new value is phoned again). Empty: still to call.
    last_call = models.OneToOneField(
        "CriticalResultCall", on_delete=models.PROTECT, null=True, blank=True, editable=False, related_name="+"
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["-resulted_at", "-id"]
        indexes = [
            models.Index(fields=["resulted_at"], name="labresult_resulted_idx"),
            models.Index(fields=["patient", "resulted_at"], name="labresult_patient_idx"),  # the timeline
            # The doctor's inbox, unacknowledged (or acknowledged) first page: critical first, newest first.
            models.Index(
                fields=["doctor", "acknowledged", "flag_priority", "resulted_at"], name="labresult_inbox_idx"
            ),
            # The whole inbox (acknowledged or not) in the same order.
            models.Index(fields=["doctor", "flag_priority", "resulted_at"], name="labresult_doctor_priority_idx"),
            # The lab's "To call" queue: critical results without a call, oldest first.
            models.Index(fields=["flag_priority", "last_call", "resulted_at"], name="labresult_to_call_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(acknowledged=True, acknowledged_at__isnull=False)
                | models.Q(acknowledged=False, acknowledged_at__isnull=True),
                name="labresult_acknowledged_has_time",
                violation_error_message="An acknowledged result says when it was acknowledged.",
            ),
        ]

    def __str__(self):
        text = f"{self.value.normalize():f} {self.unit} ({self.get_flag_display()})".replace("  ", " ")
        return f"{text}, corrected" if self.is_corrected else text

    def save(self, *args, **kwargs):
        self.flag_priority = FLAG_PRIORITY.get(self.flag, 0)
        self.acknowledged = self.acknowledged_at is not None
        if self.doctor_id is None and self.order_id is not None:
            self.doctor_id = self.order.record.doctor_id
        if self.patient_id is None and self.order_id is not None:
            self.patient_id = self.order.record.patient_id
        super().save(*args, **kwargs)

    @property
    def is_corrected(self):
        return self.corrected_at is not None

    @property
    def is_critical(self):
        return self.flag == LabResultFlag.CRITICAL

    @property
    def previous_display(self):
        """'5.2 mIU/L (Normal)': what the result said before its latest correction ('' if never corrected)."""
        if self.previous_value is None:
            return ""
        flag = LabResultFlag(self.previous_flag).label if self.previous_flag else ""
        return f"{self.previous_value.normalize():f} {self.unit} ({flag})".replace("  ", " ")


# How urgent a flag is, for the results inbox's order (critical first, then abnormal, then normal).
FLAG_PRIORITY = {LabResultFlag.CRITICAL: 2, LabResultFlag.LOW: 1, LabResultFlag.HIGH: 1, LabResultFlag.NORMAL: 0}


class CriticalResultCall(models.Model):
    """The lab phoned a critical result through: to whom, when, by whom, and whether it was read back."""

    result = models.ForeignKey(LabResult, on_delete=models.PROTECT, related_name="calls")
    called_to = models.CharField(
        "called to", max_length=200, help_text="Who took the call, e.g. Dr. Lee (ordering doctor) or RN Park."
    )
    called_at = models.DateTimeField("time of the call", default=timezone.now)
    called_by = _user_fk(null=True, blank=True)
    read_back_confirmed = models.BooleanField(
        "read back confirmed", default=False, help_text="The person called read the result back."
    )
    notes = models.TextField(blank=True)
    # The value phoned through (a later correction changes the result, not what was said on the phone).
    value = models.DecimalField(max_digits=12, decimal_places=3, editable=False)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-called_at", "-id"]
        verbose_name = "critical result call"
        indexes = [models.Index(fields=["called_at"], name="critcall_called_idx")]

    def __str__(self):
        return f"Called to {self.called_to} at {timezone.localtime(self.called_at):%m/%d/%Y %I:%M %p}"

    def clean(self):
        check_dates(self, {"called_at": RECORDED_NOW})
        if self.called_at and self.called_at > timezone.now() + timedelta(minutes=1):
            raise ValidationError({"called_at": "The time of the call cannot be in the future."})
        if self.called_at and self.result_id and self.called_at < self.result.resulted_at - timedelta(minutes=1):
            raise ValidationError({"called_at": "The call cannot come before the result was entered."})


# --- Vitals ---------------------------------------------------------------------------------------

# field -> (lowest plausible, highest plausible, unit). Outside these, a value is a typo, not a patient.
VITALS_RANGES = {
    "systolic_bp": (50, 300, "mmHg"),
    "diastolic_bp": (20, 200, "mmHg"),
    "heart_rate": (20, 300, "/min"),
    "temperature_c": (25, 45, "°C"),
    "respiratory_rate": (4, 80, "/min"),
    "spo2": (50, 100, "%"),
    "weight_kg": (Decimal("0.3"), 500, "kg"),
    "height_cm": (20, 260, "cm"),
}
VITALS_LABELS = {
    "systolic_bp": "Systolic blood pressure",
    "diastolic_bp": "Diastolic blood pressure",
    "heart_rate": "Heart rate",
    "temperature_c": "Temperature",
    "respiratory_rate": "Respiratory rate",
    "spo2": "SpO2",
    "weight_kg": "Weight",
    "height_cm": "Height",
}


def _range_validators(field):
    low, high, unit = VITALS_RANGES[field]
    # Validators and constraints %-format their messages: a literal % is written %%.
    message = f"{VITALS_LABELS[field]} must be between {low} and {high} {unit}.".replace("%", "%%")
    return [MinValueValidator(low, message=message), MaxValueValidator(high, message=message)]


def _range_constraint(field, short):
    low, high, unit = VITALS_RANGES[field]
    return models.CheckConstraint(
        condition=models.Q(**{f"{field}__isnull": True}) | models.Q(**{f"{field}__gte": low, f"{field}__lte": high}),
        name=f"vitals_{short}_range",
        violation_error_message=f"{VITALS_LABELS[field]} must be between {low} and {high} {unit}.".replace("%", "%%"),
    )


class Vitals(models.Model):
    """One set of vital signs of a patient, usually taken by a nurse at a visit (``appointment``).

    BMI is derived, not stored: the ``bmi`` property (weight kg / height m², one decimal) when both
    weight and height were measured in this set.
    """

    patient = models.ForeignKey("patients.Patient", on_delete=models.PROTECT, related_name="vitals")
    appointment = models.ForeignKey(
        "scheduling.Appointment", on_delete=models.PROTECT, related_name="vitals", null=True, blank=True
    )
    systolic_bp = models.PositiveSmallIntegerField(
        "systolic BP (mmHg)", null=True, blank=True, validators=_range_validators("systolic_bp")
    )
    diastolic_bp = models.PositiveSmallIntegerField(
        "diastolic BP (mmHg)", null=True, blank=True, validators=_range_validators("diastolic_bp")
    )
    heart_rate = models.PositiveSmallIntegerField(
        "heart rate (/min)", null=True, blank=True, validators=_range_validators("heart_rate")
    )
    temperature_c = models.DecimalField(
        "temperature (°C)",
        max_digits=4,
        decimal_places=1,
        null=True,
        blank=True,
        validators=_range_validators("temperature_c"),
    )
    respiratory_rate = models.PositiveSmallIntegerField(
        "respiratory rate (/min)", null=True, blank=True, validators=_range_validators("respiratory_rate")
    )
    spo2 = models.PositiveSmallIntegerField("SpO2 (%)", null=True, blank=True, validators=_range_validators("spo2"))
    weight_kg = models.DecimalField(
        "weight (kg)", max_digits=5, decimal_places=2, null=True, blank=True, validators=_range_validators("weight_kg")
    )
    height_cm = models.DecimalField(
        "height (cm)", max_digits=4, decimal_places=1, null=True, blank=True, validators=_range_validators("height_cm")
    )
    recorded_by = _user_fk(null=True, blank=True)
    recorded_at = models.DateTimeField(default=timezone.now)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-recorded_at", "-id"]
        verbose_name = "vitals"
        verbose_name_plural = "vitals"
        indexes = [
            models.Index(fields=["recorded_at"], name="vitals_recorded_idx"),
            models.Index(fields=["patient", "recorded_at"], name="vitals_patient_recorded_idx"),
        ]
        constraints = [
            _range_constraint("systolic_bp", "sys"),
            _range_constraint("diastolic_bp", "dia"),
            _range_constraint("heart_rate", "hr"),
            _range_constraint("temperature_c", "temp"),
            _range_constraint("respiratory_rate", "rr"),
            _range_constraint("spo2", "spo2"),
            _range_constraint("weight_kg", "weight"),
            _range_constraint("height_cm", "height"),
            models.CheckConstraint(
                condition=models.Q(systolic_bp__isnull=True)
                | models.Q(diastolic_bp__isnull=True)
                | models.Q(diastolic_bp__lt=models.F("systolic_bp")),
                name="vitals_dia_below_sys",
                violation_error_message="The diastolic pressure must be below the systolic pressure.",
            ),
        ]

    def __str__(self):
        return f"Vitals of {self.patient.full_name} · {self.recorded_at:%m/%d/%Y %H:%M}"

    @property
    def bmi(self):
        if not self.weight_kg or not self.height_cm:
            return None
        metres = Decimal(self.height_cm) / 100
        return (Decimal(self.weight_kg) / (metres * metres)).quantize(Decimal("0.1"))

    @property
    def blood_pressure(self):
        if self.systolic_bp is None or self.diastolic_bp is None:
            return ""
        return f"{self.systolic_bp}/{self.diastolic_bp}"

    def clean(self):
        check_dates(self, {"recorded_at": RECORDED_NOW})
        if all(getattr(self, field) is None for field in VITALS_RANGES):
            raise ValidationError("Enter at least one measurement.")
        if (self.systolic_bp is None) != (self.diastolic_bp is None):
            raise ValidationError({"diastolic_bp": "Enter both the systolic and the diastolic pressure."})
        numbers = (int, Decimal)
        if (
            isinstance(self.systolic_bp, numbers)
            and isinstance(self.diastolic_bp, numbers)
            and (self.diastolic_bp >= self.systolic_bp)
        ):
            raise ValidationError({"diastolic_bp": "The diastolic pressure must be below the systolic pressure."})
        if self.appointment_id and self.patient_id and self.appointment.patient_id != self.patient_id:
            raise ValidationError({"appointment": "This appointment is another patient's."})
