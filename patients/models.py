
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils import timezone
from localflavor.us.models import USZipCodeField
from simple_history.models import HistoricalRecords

from hms.model_fields import USStateField
from hms.validators import COVERAGE, PAST_ONLY, check_dates
from patients.choices import (
    AllergySeverity,
    BreakGlassOutcome,
    ConsentKind,
    EmergencyContactRelation,
    MedicalHistoryStatus,
    PatientSex,
)
from staff.models import phone_validator, zip_validator


class PatientQuerySet(models.QuerySet):
    def active(self):
        return self.filter(is_active=True)


class Patient(models.Model):
    mrn = models.CharField(
        "MRN", max_length=12, unique=True, editable=False, help_text="Medical record number, unique across the chain."
    )
    first_name = models.CharField(max_length=100)
    last_name = models.CharField(max_length=100)
    date_of_birth = models.DateField()
    sex = models.CharField(max_length=10, choices=PatientSex.choices)
    phone = models.CharField(max_length=30, blank=True, validators=[phone_validator])
    email = models.EmailField(blank=True)
    address_line1 = models.CharField("address", max_length=200, blank=True)
    address_line2 = models.CharField("address line 2", max_length=200, blank=True)
    city = models.CharField(max_length=100, blank=True)
    state = USStateField(blank=True)
    postal_code = USZipCodeField("ZIP code", blank=True, validators=[zip_validator])
    emergency_contact_name = models.CharField(max_length=200, blank=True)
    emergency_contact_relation = models.CharField(max_length=20, choices=EmergencyContactRelation.choices, blank=True)
    emergency_contact_phone = models.CharField(max_length=30, blank=True, validators=[phone_validator])
    preferred_hospital = models.ForeignKey(
        "staff.Hospital", on_delete=models.PROTECT, related_name="preferred_by_patients", null=True, blank=True
    )
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="patient_profile",
        null=True,
        blank=True,
        help_text="The portal account of this patient, if any.",
    )
    is_active = models.BooleanField("active", default=True, help_text="Patients are deactivated, never deleted.")
    registered_at = models.DateTimeField(auto_now_add=True)
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True, editable=False
    )

    history = HistoricalRecords()
    objects = PatientQuerySet.as_manager()

    class Meta:
        ordering = ["last_name", "first_name", "mrn"]
        indexes = [
            models.Index(fields=["last_name", "first_name", "mrn"], name="patient_name_mrn_idx"),
            models.Index(fields=["first_name"], name="patient_first_name_idx"),  # admin search by prefix
            models.Index(fields=["date_of_birth"], name="patient_dob_idx"),
            models.Index(fields=["registered_at"], name="patient_registered_idx"),
        ]

    def __str__(self):
        return f"{self.last_name}, {self.first_name} (MRN {self.mrn})"

    def get_absolute_url(self):
        return reverse("patients:detail", args=[self.pk])

    @property
    def full_name(self):
        return f"{self.first_name} {self.last_name}"

    def age_on(self, day):
        years = day.year - self.date_of_birth.year
        if (day.month, day.day) < (self.date_of_birth.month, self.date_of_birth.day):
            years -= 1
        return years

    @property
    def age(self):
        from django.utils import timezone

        return self.age_on(timezone.localdate())

    def clean(self):
        check_dates(self, {"date_of_birth": PAST_ONLY})  # not in the future, not more than 130 years ago


# The details of a patient that staff register and change (forms, API, back office), in the order forms show them.
PATIENT_FIELDS = (
    "first_name",
    "last_name",
    "date_of_birth",
    "sex",
    "phone",
    "email",
    "address_line1",
    "address_line2",
    "city",
    "state",
    "postal_code",
    "emergency_contact_name",
    "emergency_contact_relation",
    "emergency_contact_phone",
    "preferred_hospital",
)


class Allergy(models.Model):
    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="allergies")
    substance = models.CharField(max_length=200)
    reaction = models.CharField(max_length=200, blank=True)
    severity = models.CharField(max_length=20, choices=AllergySeverity.choices, default=AllergySeverity.MODERATE)
    noted_on = models.DateField(null=True, blank=True)
    is_active = models.BooleanField("active", default=True, help_text="Entered in error or refuted: deactivate.")
    recorded_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["patient", "substance"]
        verbose_name_plural = "allergies"

    def __str__(self):
        return f"{self.substance} ({self.get_severity_display()})"

    def clean(self):
        check_dates(self, {"noted_on": PAST_ONLY})


class MedicalHistoryEntry(models.Model):
    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="medical_history")
    condition = models.CharField(max_length=200)
    onset_date = models.DateField(null=True, blank=True)
    status = models.CharField(max_length=20, choices=MedicalHistoryStatus.choices, default=MedicalHistoryStatus.ACTIVE)
    notes = models.TextField(blank=True)
    recorded_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["patient", "-onset_date", "condition"]
        verbose_name = "medical history entry"
        verbose_name_plural = "medical history entries"

    def __str__(self):
        return f"{self.condition} ({self.get_status_display()})"

    def clean(self):
        check_dates(self, {"onset_date": PAST_ONLY})


class PayerQuerySet(models.QuerySet):
    def active(self):
        return self.filter(is_active=True)


class Payer(models.Model):
    """An insurance company (or public program) that pays claims: the "payer" of insurance policies.

    Insurer users belong to one payer (``InsurerAccount``) and see and decide only its claims.
    Payers are deactivated, never deleted.
    """

    name = models.CharField(max_length=200, unique=True)
    code = models.CharField(
        max_length=12, unique=True, help_text="A short code, e.g. AET."
    )
    payer_id = models.CharField(
        "payer ID", max_length=20, blank=True, help_text="The electronic payer ID claims are sent to, if known."
    )
    phone = models.CharField("claims phone", max_length=30, blank=True, validators=[phone_validator])
    email = models.EmailField("claims email", blank=True)
    address_line1 = models.CharField("claims address", max_length=200, blank=True)
    city = models.CharField(max_length=100, blank=True)
    state = USStateField(blank=True)
    postal_code = USZipCodeField("ZIP code", blank=True, validators=[zip_validator])
    is_active = models.BooleanField("active", default=True, help_text="Payers are deactivated, never deleted.")

    history = HistoricalRecords()
    objects = PayerQuerySet.as_manager()

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name

    def clean(self):
        if self.name:
            self.name = self.name.strip()
        if self.code:
            self.code = self.code.strip().upper()


class InsurerAccount(models.Model):
    """Links a user of the Insurer group to the one payer they work for (assigned by administrators)."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="insurer_account")
    payer = models.ForeignKey(Payer, on_delete=models.PROTECT, related_name="insurer_accounts")
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["payer", "user"]
        verbose_name = "insurer account"

    def __str__(self):
        return f"{self.user} for {self.payer}"


class InsurancePolicyQuerySet(models.QuerySet):
    def valid_on(self, day):
        return self.filter(is_active=True, valid_from__lte=day).filter(
            models.Q(valid_to__isnull=True) | models.Q(valid_to__gte=day)
        )


class InsurancePolicy(models.Model):
    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="insurance_policies")
    payer = models.ForeignKey(Payer, on_delete=models.PROTECT, related_name="policies")
    policy_number = models.CharField(max_length=50)
    group_number = models.CharField(max_length=50, blank=True)
    coverage_percent = models.DecimalField(
        max_digits=5,
        decimal_places=2,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
        help_text="Share of the bill after copay that the insurer pays, 0-100.",
    )
    copay = models.DecimalField(max_digits=12, decimal_places=2, default=0, validators=[MinValueValidator(0)])
    valid_from = models.DateField()
    valid_to = models.DateField(null=True, blank=True)
    is_primary = models.BooleanField("primary", default=False)
    is_active = models.BooleanField("active", default=True)

    history = HistoricalRecords()
    objects = InsurancePolicyQuerySet.as_manager()

    class Meta:
        ordering = ["patient", "-is_primary", "-valid_from"]
        verbose_name_plural = "insurance policies"
        constraints = [
            models.UniqueConstraint(
                fields=["payer", "policy_number", "patient"],
                name="insurance_policy_unique_per_patient",
                violation_error_message="This patient already has this policy.",
            ),
            models.CheckConstraint(
                condition=models.Q(coverage_percent__gte=0) & models.Q(coverage_percent__lte=100),
                name="insurance_coverage_percent_range",
                violation_error_message="Coverage must be between 0 and 100 percent.",
            ),
            models.CheckConstraint(
                condition=models.Q(copay__gte=0),
                name="insurance_copay_not_negative",
                violation_error_message="The copay cannot be negative.",
            ),
            models.CheckConstraint(
                condition=models.Q(valid_to__isnull=True) | models.Q(valid_to__gte=models.F("valid_from")),
                name="insurance_valid_range",
                violation_error_message="The policy must end on or after the day it starts.",
            ),
        ]

    def __str__(self):
        return f"{self.payer_name} {self.policy_number}" + (" (primary)" if self.is_primary else "")

    @property
    def payer_name(self):
        return self.payer.name if self.payer_id else ""

    def is_valid_on(self, day):
        return self.is_active and self.valid_from <= day and (self.valid_to is None or self.valid_to >= day)

    def clean(self):
        check_dates(self, {"valid_from": COVERAGE, "valid_to": COVERAGE})


# What staff enter for an insurance policy (forms, API, back office), in the order forms show it.
INSURANCE_POLICY_FIELDS = (
    "payer",
    "policy_number",
    "group_number",
    "coverage_percent",
    "copay",
    "valid_from",
    "valid_to",
    "is_primary",
)


# --- Minimum necessary: care relationships, break-glass grants, consents (patients.policies) -------------------


class CareAssignment(models.Model):
    """An explicit care relationship: ``user`` cares for ``patient`` until ``until`` (open-ended when empty).

    Appointments give clinical staff their usual care relationships (patients.care's providers); an assignment
    covers the rest (a covering nurse, a consultant). Ended by ``patients.services.care_assignment_end``
    (``until`` set to the moment it ended); never deleted."""

    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="care_assignments")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="care_assignments")
    reason = models.CharField(max_length=300)
    started_at = models.DateTimeField(default=timezone.now)
    until = models.DateTimeField(null=True, blank=True, help_text="Empty: until ended.")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True, editable=False
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["-started_at", "-id"]
        verbose_name = "care assignment"
        indexes = [
            models.Index(fields=["user", "until"], name="careassign_user_until_idx"),
            models.Index(fields=["patient", "started_at"], name="careassign_patient_idx"),
        ]

    def __str__(self):
        return f"{self.user} cares for {self.patient}"

    def is_current(self, now=None):
        now = now or timezone.now()
        return self.started_at <= now and (self.until is None or self.until > now)

    def clean(self):
        if self.until is not None and self.started_at and self.until <= self.started_at:
            raise ValidationError({"until": "The assignment must end after it starts."})


class BreakGlassGrant(models.Model):
    """Emergency access: ``user`` read the full chart of ``patient`` without a care relationship, for
    ``reason``, from ``started_at`` until ``expires_at`` (patients.services.break_glass). Reviewed by the
    privacy officer (``outcome``, ``review_note``); never deleted."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="break_glass_grants")
    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="break_glass_grants")
    reason = models.CharField(max_length=500)
    started_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    outcome = models.CharField(max_length=20, choices=BreakGlassOutcome.choices, blank=True)
    review_note = models.CharField(max_length=1000, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-started_at", "-id"]
        verbose_name = "break-glass grant"
        indexes = [
            models.Index(fields=["user", "expires_at"], name="breakglass_user_expires_idx"),
            models.Index(fields=["reviewed_at", "started_at"], name="breakglass_review_idx"),
            models.Index(fields=["started_at"], name="breakglass_started_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(expires_at__gt=models.F("started_at")),
                name="breakglass_expires_after_start",
                violation_error_message="A break-glass grant must expire after it starts.",
            ),
        ]

    def __str__(self):
        return f"Break-glass: {self.user} on {self.patient} at {self.started_at:%Y-%m-%d %H:%M}"

    def is_active(self, now=None):
        return self.expires_at > (now or timezone.now())

    @property
    def is_reviewed(self):
        return self.reviewed_at is not None


class Consent(models.Model):
    """What the patient agreed to, one row per kind: granted or withdrawn, when and who recorded it (each change
    in the history). No row: not given (consents are opt-in). Written by patients.services.consent_record."""

    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="consents")
    kind = models.CharField(max_length=20, choices=ConsentKind.choices)
    granted = models.BooleanField()
    changed_at = models.DateTimeField(default=timezone.now)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    note = models.CharField(max_length=300, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["patient", "kind"]
        constraints = [
            models.UniqueConstraint(
                fields=["patient", "kind"],
                name="consent_one_per_kind",
                violation_error_message="This patient already has a consent of this kind; change it instead.",
            ),
        ]
        indexes = [models.Index(fields=["kind", "granted", "patient"], name="consent_kind_granted_idx")]

    def __str__(self):
        state = "granted" if self.granted else "withdrawn"
        return f"{self.get_kind_display()} {state} for {self.patient}"
