"""Bills, their lines, payments, refunds, insurance claims and the hospitals' price lists.

Every change goes through billing.services (row lock on the bill, audit through simple_history);
the stored totals of a bill are written only by ``billing.services.bill_recalculate``.
"""

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from simple_history.models import HistoricalRecords

from billing.choices import ADJUDICATED_CLAIM_STATUSES, BillLineKind, BillStatus, ClaimStatus, PaymentMethod
from hms.validators import RECORDED_NOW, check_dates

CENTS = Decimal("0.01")
ZERO = Decimal("0.00")
MONEY = {"max_digits": 12, "decimal_places": 2}


def cents(value):
    """A Decimal rounded to cents (half up, as on a paper invoice)."""
    from decimal import ROUND_HALF_UP

    return Decimal(value).quantize(CENTS, rounding=ROUND_HALF_UP)


def _user_fk(**kwargs):
    return models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", editable=False, **kwargs
    )


class PriceListEntry(models.Model):
    """One hospital's price for a billable code (consultation, procedure code, lab test code, item code)."""

    hospital = models.ForeignKey("staff.Hospital", on_delete=models.PROTECT, related_name="price_list")
    kind = models.CharField(max_length=20, choices=BillLineKind.choices)
    code = models.CharField(max_length=30)
    description = models.CharField(max_length=300)
    unit_price = models.DecimalField(**MONEY, validators=[MinValueValidator(0)])
    active = models.BooleanField(default=True, help_text="Prices are deactivated, never deleted.")

    history = HistoricalRecords()

    class Meta:
        ordering = ["hospital_id", "kind", "code"]
        verbose_name = "price list entry"
        verbose_name_plural = "price list entries"
        constraints = [
            models.UniqueConstraint(
                fields=["hospital", "kind", "code"],
                name="price_unique_per_hospital_kind_code",
                violation_error_message="This hospital already has a price for this code.",
            ),
            models.CheckConstraint(
                condition=models.Q(unit_price__gte=0),
                name="price_not_negative",
                violation_error_message="The price cannot be negative.",
            ),
        ]

    def __str__(self):
        return f"{self.code} {self.description}: ${self.unit_price}"


class BillQuerySet(models.QuerySet):
    def outstanding(self):
        """Issued bills with something left to pay."""
        return self.filter(status__in=[BillStatus.ISSUED, BillStatus.PARTIALLY_PAID], balance__gt=0)


class Bill(models.Model):
    """What a visit (or a pharmacy/misc sale) cost, line by line.

    Status: ``draft`` (lines may change) -> ``issued`` -> ``partially_paid`` -> ``paid``; or ``void``
    (with a reason; bills are never deleted). An issued bill's lines are frozen: corrections are
    adjustment lines with a reason.

    Stored totals (Decimal, cents), written only by ``bill_recalculate`` under the bill's row lock:

    - ``total``: the sum of all line amounts (adjustment lines may be negative).
    - ``insurance_covered``: the insurer's share. Once a claim is adjudicated, its approved amount
      (0 when denied); before that the estimate from the patient's primary policy valid on the
      service date: ``(total - copay) * coverage_percent / 100``, floored at 0. No policy: 0.
    - ``patient_due``: ``total - insurance_covered``, what the patient owes after insurance.
    - ``amount_paid``: all payments (any method, ``insurance`` included) minus all refunds.
    - ``insurance_paid``: payments with method ``insurance``.
    - ``balance``: ``total - amount_paid``, what is still to be received from anyone (patient and
      insurer). A payment above the balance is refused. ``patient_balance`` (a property) is the
      patient's own part of it: ``patient_due - (amount_paid - insurance_paid)``.
    """

    number = models.CharField(max_length=40, unique=True, editable=False, help_text="e.g. BOS-2026-000123")
    hospital = models.ForeignKey("staff.Hospital", on_delete=models.PROTECT, related_name="bills")
    patient = models.ForeignKey("patients.Patient", on_delete=models.PROTECT, related_name="bills")
    appointment = models.OneToOneField(
        "scheduling.Appointment",
        on_delete=models.PROTECT,
        related_name="bill",
        null=True,
        blank=True,
        help_text="The visit billed; empty for pharmacy and miscellaneous bills.",
    )
    policy = models.ForeignKey(
        "patients.InsurancePolicy",
        on_delete=models.PROTECT,
        related_name="bills",
        null=True,
        blank=True,
        editable=False,
        help_text="The primary policy valid on the service date that the insurance estimate uses.",
    )
    status = models.CharField(max_length=20, choices=BillStatus.choices, default=BillStatus.DRAFT, editable=False)
    service_date = models.DateField(help_text="The day of the visit (local to the hospital).")
    total = models.DecimalField(**MONEY, default=ZERO, editable=False)
    insurance_covered = models.DecimalField(**MONEY, default=ZERO, editable=False)
    patient_due = models.DecimalField(**MONEY, default=ZERO, editable=False)
    amount_paid = models.DecimalField(**MONEY, default=ZERO, editable=False)
    insurance_paid = models.DecimalField(**MONEY, default=ZERO, editable=False)
    balance = models.DecimalField(**MONEY, default=ZERO, editable=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    created_by = _user_fk(null=True, blank=True)
    issued_at = models.DateTimeField(null=True, blank=True, editable=False)
    issued_by = _user_fk(null=True, blank=True)
    voided_at = models.DateTimeField(null=True, blank=True, editable=False)
    voided_by = _user_fk(null=True, blank=True)
    void_reason = models.CharField(max_length=500, blank=True, editable=False)

    history = HistoricalRecords()
    objects = BillQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["hospital", "created_at"], name="bill_hospital_created_idx"),
            models.Index(fields=["patient", "created_at"], name="bill_patient_created_idx"),
            models.Index(fields=["status", "created_at"], name="bill_status_created_idx"),
            models.Index(fields=["service_date"], name="bill_service_date_idx"),
            models.Index(fields=["created_at"], name="bill_created_idx"),
            models.Index(fields=["issued_at"], name="bill_issued_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(status=BillStatus.VOID) | ~models.Q(void_reason=""),
                name="bill_void_has_reason",
                violation_error_message="A void bill needs a reason.",
            ),
            models.CheckConstraint(
                condition=models.Q(total__gte=0),
                name="bill_total_not_negative",
                violation_error_message="A bill's total cannot be negative.",
            ),
            models.CheckConstraint(
                condition=models.Q(amount_paid__gte=0),
                name="bill_amount_paid_not_negative",
                violation_error_message="More was refunded than paid.",
            ),
        ]

    def __str__(self):
        return f"Bill {self.number}"

    def get_absolute_url(self):
        try:
            return reverse("billing:bill_detail", args=[self.pk])
        except NoReverseMatch:
            return reverse("admin:billing_bill_change", args=[self.pk])

    @property
    def is_draft(self):
        return self.status == BillStatus.DRAFT

    @property
    def is_void(self):
        return self.status == BillStatus.VOID

    @property
    def patient_balance(self):
        """What the patient still owes: their due minus what they (not the insurer) paid net of refunds."""
        return max(ZERO, self.patient_due - (self.amount_paid - self.insurance_paid))


class BillLine(models.Model):
    """One charge: code, description, quantity, unit price and amount (quantity x unit price, in cents)."""

    bill = models.ForeignKey(Bill, on_delete=models.PROTECT, related_name="lines")
    kind = models.CharField(max_length=20, choices=BillLineKind.choices)
    code = models.CharField(max_length=30, blank=True)
    description = models.CharField(max_length=300)
    quantity = models.PositiveIntegerField(default=1, validators=[MinValueValidator(1)])
    unit_price = models.DecimalField(**MONEY, help_text="Negative only on adjustment lines.")
    amount = models.DecimalField(**MONEY, editable=False)
    reason = models.CharField(max_length=500, blank=True, help_text="Why an adjustment was made.")
    source = models.CharField(
        max_length=100, blank=True, db_index=True, help_text='What the charge is for, e.g. "clinical.procedure:12".'
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    created_by = _user_fk(null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["bill_id", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(quantity__gte=1),
                name="billline_quantity_positive",
                violation_error_message="The quantity must be at least 1.",
            ),
            models.CheckConstraint(
                condition=models.Q(kind=BillLineKind.ADJUSTMENT) | models.Q(unit_price__gte=0),
                name="billline_price_not_negative",
                violation_error_message="Only adjustments can have a negative price.",
            ),
        ]

    def __str__(self):
        return f"{self.code} {self.description} × {self.quantity}".strip()

    def save(self, *args, **kwargs):
        if self.unit_price is not None and self.quantity:
            self.amount = cents(self.unit_price * self.quantity)
        super().save(*args, **kwargs)

    def clean(self):
        errors = {}
        if self.kind == BillLineKind.ADJUSTMENT and not self.reason.strip():
            errors["reason"] = "An adjustment needs a reason."
        if self.kind != BillLineKind.ADJUSTMENT and self.unit_price is not None and self.unit_price < 0:
            errors["unit_price"] = "Only adjustments can have a negative price."
        if self.kind == BillLineKind.ADJUSTMENT and self.unit_price == 0:
            errors["unit_price"] = "An adjustment of zero changes nothing."
        if self.unit_price is not None and self.quantity:
            self.amount = cents(self.unit_price * self.quantity)
        if errors:
            raise ValidationError(errors)


class Payment(models.Model):
    bill = models.ForeignKey(Bill, on_delete=models.PROTECT, related_name="payments")
    amount = models.DecimalField(**MONEY, validators=[MinValueValidator(CENTS)])
    method = models.CharField(max_length=20, choices=PaymentMethod.choices)
    reference = models.CharField(max_length=100, blank=True, help_text="Card slip, transfer or check reference.")
    received_by = _user_fk(null=True, blank=True)
    received_at = models.DateTimeField(default=timezone.now)
    idempotency_key = models.CharField(
        max_length=100,
        null=True,
        blank=True,
        editable=False,
        help_text="The client's key of the request, if any: unique per user (received_by) and bill.",
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["-received_at", "-id"]
        indexes = [models.Index(fields=["received_at"], name="payment_received_idx")]
        constraints = [
            models.UniqueConstraint(
                fields=["bill", "received_by", "idempotency_key"],
                name="payment_idempotency_key_unique_per_user_bill",
                violation_error_message="You already recorded a payment with this idempotency key on this bill.",
            ),
            models.CheckConstraint(
                condition=models.Q(amount__gt=0),
                name="payment_amount_positive",
                violation_error_message="A payment must be more than zero.",
            ),
        ]

    def __str__(self):
        return f"${self.amount} {self.get_method_display()} on {self.bill.number}"

    def clean(self):
        check_dates(self, {"received_at": RECORDED_NOW})


class Refund(models.Model):
    bill = models.ForeignKey(Bill, on_delete=models.PROTECT, related_name="refunds")
    payment = models.ForeignKey(
        Payment,
        on_delete=models.PROTECT,
        related_name="refunds",
        null=True,
        blank=True,
        help_text="The payment refunded, if one.",
    )
    amount = models.DecimalField(**MONEY, validators=[MinValueValidator(CENTS)])
    reason = models.CharField(max_length=500)
    refunded_by = _user_fk(null=True, blank=True)
    refunded_at = models.DateTimeField(default=timezone.now)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-refunded_at", "-id"]
        indexes = [models.Index(fields=["refunded_at"], name="refund_refunded_idx")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(amount__gt=0),
                name="refund_amount_positive",
                violation_error_message="A refund must be more than zero.",
            ),
        ]

    def __str__(self):
        return f"Refund ${self.amount} on {self.bill.number}"

    def clean(self):
        check_dates(self, {"refunded_at": RECORDED_NOW})
        if not (self.reason or "").strip():
            raise ValidationError({"reason": "A refund needs a reason."})


class Claim(models.Model):
    """A request to the insurer of the bill's policy to pay its share.

    ``draft`` -> ``submitted`` -> ``in_review`` -> ``approved`` | ``partially_approved`` | ``denied``;
    approved and partially approved claims -> ``paid`` (which records an ``insurance`` payment on the
    bill); a denied claim may be resubmitted with a note (back to ``submitted``).
    """

    bill = models.OneToOneField(Bill, on_delete=models.PROTECT, related_name="claim")
    policy = models.ForeignKey("patients.InsurancePolicy", on_delete=models.PROTECT, related_name="claims")
    status = models.CharField(max_length=20, choices=ClaimStatus.choices, default=ClaimStatus.DRAFT, editable=False)
    claimed_amount = models.DecimalField(
        **MONEY, default=ZERO, editable=False, help_text="The insurer's share asked for (set on submission)."
    )
    approved_amount = models.DecimalField(**MONEY, null=True, blank=True, editable=False)
    adjudication_reason = models.CharField(max_length=500, blank=True, editable=False)
    resubmission_note = models.CharField(max_length=500, blank=True, editable=False)
    submission_count = models.PositiveSmallIntegerField(default=0, editable=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    created_by = _user_fk(null=True, blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True, editable=False)
    reviewed_at = models.DateTimeField(null=True, blank=True, editable=False)
    adjudicated_at = models.DateTimeField(null=True, blank=True, editable=False)
    paid_at = models.DateTimeField(null=True, blank=True, editable=False)
    payment = models.OneToOneField(
        Payment, on_delete=models.PROTECT, related_name="claim", null=True, blank=True, editable=False
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["status", "created_at"], name="claim_status_created_idx"),
            models.Index(fields=["created_at"], name="claim_created_idx"),
            models.Index(fields=["adjudicated_at"], name="claim_adjudicated_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(approved_amount__isnull=True) | models.Q(approved_amount__gte=0),
                name="claim_approved_not_negative",
                violation_error_message="The approved amount cannot be negative.",
            ),
        ]

    def __str__(self):
        return f"Claim {self.pk} on {self.bill.number} ({self.get_status_display()})"

    @property
    def is_adjudicated(self):
        return self.status in ADJUDICATED_CLAIM_STATUSES


class BillDailyTotal(models.Model):
    """Roll-up (issue 11): the issued bills of each local issue day at their hospital, by status: how many,
    their totals, and the balances still open (balance > 0). Read by the dashboard instead of the bills.

    Kept up to date inside the billing services' transactions (``billing.rollups``) and rebuilt from the bills
    by ``manage.py rebuild_rollups`` (``--check`` compares). Drafts (never issued) are not counted.
    """

    day = models.DateField(help_text="The bill's local issue day at its hospital.")
    hospital = models.ForeignKey("staff.Hospital", on_delete=models.PROTECT, related_name="+")
    status = models.CharField(max_length=20, choices=BillStatus.choices)
    count = models.IntegerField(default=0)
    total = models.DecimalField(max_digits=14, decimal_places=2, default=0)
    open_count = models.IntegerField(default=0, help_text="Bills with a balance above zero.")
    open_balance = models.DecimalField(max_digits=14, decimal_places=2, default=0)

    class Meta:
        ordering = ["day", "hospital_id", "status"]
        verbose_name = "bill daily total"
        constraints = [
            models.UniqueConstraint(
                fields=["day", "hospital", "status"],
                name="bill_daily_total_unique_key",
                violation_error_message="The roll-up has one row per day, hospital and status.",
            ),
        ]

    def __str__(self):
        return f"{self.day} {self.hospital_id} {self.status}: {self.count} bills, {self.total}"


class MoneyDailyTotal(models.Model):
    """Roll-up (issue 11): payments received and refunds made on each local day at the bill's hospital, split
    by whether the bill is now void (reports leave void bills out). Kept like ``BillDailyTotal``."""

    PAYMENT, REFUND = "payment", "refund"

    day = models.DateField(help_text="The local day of the payment or refund at the bill's hospital.")
    hospital = models.ForeignKey("staff.Hospital", on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=10, choices=[(PAYMENT, "Payment"), (REFUND, "Refund")])
    bill_void = models.BooleanField(default=False)
    amount = models.DecimalField(max_digits=14, decimal_places=2, default=0)

    class Meta:
        ordering = ["day", "hospital_id", "kind", "bill_void"]
        verbose_name = "money daily total"
        constraints = [
            models.UniqueConstraint(
                fields=["day", "hospital", "kind", "bill_void"],
                name="money_daily_total_unique_key",
                violation_error_message="The roll-up has one row per day, hospital, kind and void flag.",
            ),
        ]

    def __str__(self):
        return f"{self.day} {self.hospital_id} {self.kind}{' (void bill)' if self.bill_void else ''}: {self.amount}"
