from datetime import timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator, RegexValidator
from django.db import models
from django.urls import reverse
from localflavor.us.models import USZipCodeField
from simple_history.models import HistoricalRecords

from hms.model_fields import USStateField
from hms.validators import SCHEDULE, check_dates
from staff.choices import US_TIMEZONES, StaffRole

code_validator = RegexValidator(r"^[A-Z0-9][A-Z0-9-]{0,19}$", "Use 1-20 capital letters, digits or dashes.")
zip_validator = RegexValidator(r"^\d{5}(-\d{4})?$", "Enter a ZIP code as 12345 or 12345-6789.")
phone_validator = RegexValidator(
    r"^\+?[0-9 ()\-.]{7,20}$", "Enter a phone number of digits, spaces, dashes or brackets, e.g. (617) 555-0100."
)


class HospitalQuerySet(models.QuerySet):
    def active(self):
        return self.filter(is_active=True)


class Hospital(models.Model):
    name = models.CharField(max_length=200)
    code = models.CharField(
        max_length=20, unique=True, validators=[code_validator], help_text="Short code printed on documents, e.g. BOS."
    )
    address_line1 = models.CharField("address", max_length=200)
    address_line2 = models.CharField("address line 2", max_length=200, blank=True)
    city = models.CharField(max_length=100)
    state = USStateField()
    postal_code = USZipCodeField("ZIP code", validators=[zip_validator])
    phone = models.CharField(max_length=30, blank=True, validators=[phone_validator])
    timezone = models.CharField(max_length=64, choices=US_TIMEZONES, default="America/New_York")
    is_active = models.BooleanField("active", default=True)

    history = HistoricalRecords()
    objects = HospitalQuerySet.as_manager()

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return f"{self.name} ({self.code})"

    @property
    def tzinfo(self):
        return ZoneInfo(self.timezone)


class Department(models.Model):
    hospital = models.ForeignKey(Hospital, on_delete=models.PROTECT, related_name="departments")
    name = models.CharField(max_length=100)
    code = models.CharField(max_length=20, validators=[code_validator])
    is_active = models.BooleanField("active", default=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["hospital__name", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["hospital", "code"],
                name="department_code_unique_per_hospital",
                violation_error_message="This hospital already has a department with this code.",
            ),
        ]

    def __str__(self):
        return f"{self.name} · {self.hospital.code}"


class StaffMemberQuerySet(models.QuerySet):
    def active(self):
        return self.filter(is_active=True)

    def doctors(self):
        return self.filter(role=StaffRole.DOCTOR)


class StaffMember(models.Model):
    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="staff_profile")
    hospital = models.ForeignKey(Hospital, on_delete=models.PROTECT, related_name="staff")
    department = models.ForeignKey(
        Department, on_delete=models.PROTECT, related_name="staff", null=True, blank=True
    )
    role = models.CharField(max_length=20, choices=StaffRole.choices, db_index=True)
    phone = models.CharField(max_length=30, blank=True, validators=[phone_validator])
    is_active = models.BooleanField("active", default=True)
    # Doctors only
    specialty = models.CharField(max_length=100, blank=True)
    license_number = models.CharField(max_length=50, blank=True)
    consultation_fee = models.DecimalField(
        max_digits=12, decimal_places=2, null=True, blank=True, validators=[MinValueValidator(0)]
    )

    history = HistoricalRecords()
    objects = StaffMemberQuerySet.as_manager()

    class Meta:
        ordering = ["user__last_name", "user__first_name"]
        verbose_name = "staff member"
        indexes = [models.Index(fields=["hospital", "role"], name="staff_hospital_role_idx")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(consultation_fee__isnull=True) | models.Q(consultation_fee__gte=0),
                name="staff_consultation_fee_not_negative",
                violation_error_message="The consultation fee cannot be negative.",
            ),
        ]

    def __str__(self):
        name = self.full_name
        if self.role == StaffRole.DOCTOR:
            return f"Dr. {name}" + (f" ({self.specialty})" if self.specialty else "")
        return f"{name} ({self.get_role_display()})"

    def get_absolute_url(self):
        return reverse("admin:staff_staffmember_change", args=[self.pk])

    @property
    def full_name(self):
        return self.user.get_full_name() or self.user.get_username()

    def clean(self):
        errors = {}
        if self.department_id and self.hospital_id and self.department.hospital_id != self.hospital_id:
            errors["department"] = "The department must belong to the staff member's hospital."
        if self.role == StaffRole.DOCTOR:
            if not self.specialty:
                errors["specialty"] = "A doctor needs a specialty."
            if not self.license_number:
                errors["license_number"] = "A doctor needs a license number."
            if self.consultation_fee is None:
                errors["consultation_fee"] = "A doctor needs a consultation fee."
        if errors:
            raise ValidationError(errors)


class ShiftQuerySet(models.QuerySet):
    def active(self):
        return self.filter(is_cancelled=False)

    def overlapping(self, start, end):
        return self.filter(start__lt=end, end__gt=start)


class Shift(models.Model):
    """One person's working period in a department; one person's shifts never overlap."""

    staff_member = models.ForeignKey(StaffMember, on_delete=models.PROTECT, related_name="shifts")
    department = models.ForeignKey(Department, on_delete=models.PROTECT, related_name="shifts")
    start = models.DateTimeField()
    end = models.DateTimeField()
    notes = models.CharField(max_length=200, blank=True)
    is_cancelled = models.BooleanField("cancelled", default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True, editable=False
    )

    history = HistoricalRecords()
    objects = ShiftQuerySet.as_manager()

    class Meta:
        ordering = ["start", "staff_member"]
        indexes = [
            models.Index(fields=["department", "start"], name="shift_department_start_idx"),
            models.Index(fields=["staff_member", "start"], name="shift_member_start_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end__gt=models.F("start")),
                name="shift_ends_after_start",
                violation_error_message="A shift must end after it starts.",
            ),
        ]

    def __str__(self):
        local_start = self.start.astimezone(self.department.hospital.tzinfo)
        return f"{self.staff_member.full_name} · {self.department.name} · {local_start:%Y-%m-%d %H:%M}"

    def clean(self):
        check_dates(self, {"start": SCHEDULE, "end": SCHEDULE})
        errors = {}
        if self.start and self.end and self.end - self.start > timedelta(hours=24):
            errors["end"] = "A shift cannot be longer than 24 hours."
        if (
            self.staff_member_id
            and self.department_id
            and self.department.hospital_id != self.staff_member.hospital_id
        ):
            errors["department"] = "The department must belong to the staff member's hospital."
        if errors:
            raise ValidationError(errors)
