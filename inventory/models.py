"""Inventory: stores, batches (lots) of catalog items (catalog.Item) and the stock ledger; dispensing.

Quantities are whole units of the item's ``unit`` (tablets, vials, boxes): PositiveIntegerField on batches,
a signed IntegerField on movements. Nothing in HMS needs fractions of a unit; a liquid is stocked by the
bottle. A batch's ``quantity_on_hand`` is a cached sum of its movements: only inventory.services write
either, both in one transaction, and ``manage.py stock_check`` proves they agree.

The ledger (StockMovement) is append-only: a saved movement cannot be changed or deleted. Mistakes are
corrected by a new adjustment. Stores, batches and reorder rules keep their history (simple-history).
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.utils import timezone
from simple_history.models import HistoricalRecords

from hms.validators import RECORDED_NOW, SHELF_LIFE, check_dates
from inventory.choices import (
    INCOMING_MOVEMENTS,
    OUTGOING_MOVEMENTS,
    StockMovementKind,
    StoreKind,
)

__all__ = ["Batch", "StockLevelRule", "StockMovement", "Store"]

MONEY = {"max_digits": 12, "decimal_places": 2}


class StoreQuerySet(models.QuerySet):
    def active(self):
        return self.filter(is_active=True)


class Store(models.Model):
    """A place stock is kept: a hospital's pharmacy or a supply room."""

    hospital = models.ForeignKey("staff.Hospital", on_delete=models.PROTECT, related_name="stores")
    name = models.CharField(max_length=100)
    code = models.CharField(max_length=20, help_text="Short code, unique within the hospital, e.g. PHARM.")
    kind = models.CharField(max_length=20, choices=StoreKind.choices, default=StoreKind.PHARMACY)
    is_active = models.BooleanField("active", default=True, help_text="Stores are deactivated, never deleted.")

    history = HistoricalRecords()
    objects = StoreQuerySet.as_manager()

    class Meta:
        ordering = ["hospital__name", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["hospital", "code"],
                name="store_code_unique_per_hospital",
                violation_error_message="This hospital already has a store with this code.",
            ),
        ]

    def __str__(self):
        return f"{self.name} · {self.hospital.code}"


class StockLevelRule(models.Model):
    """When to reorder an item in one store: at or below ``reorder_level`` units, order ``reorder_quantity``."""

    item = models.ForeignKey("catalog.Item", on_delete=models.PROTECT, related_name="stock_rules")
    store = models.ForeignKey(Store, on_delete=models.PROTECT, related_name="stock_rules")
    reorder_level = models.PositiveIntegerField(default=0)
    reorder_quantity = models.PositiveIntegerField(default=0)

    history = HistoricalRecords()

    class Meta:
        ordering = ["store_id", "item__name"]
        verbose_name = "reorder rule"
        constraints = [
            models.UniqueConstraint(
                fields=["item", "store"],
                name="stockrule_item_store_unique",
                violation_error_message="This store already has a reorder rule for this item.",
            ),
        ]

    def __str__(self):
        return f"{self.item.name} at {self.store.name}: reorder {self.reorder_quantity} at {self.reorder_level}"


class BatchQuerySet(models.QuerySet):
    def usable(self, today=None):
        """Not expired on ``today``: a batch is usable through its expiry date."""
        return self.filter(expiry_date__gte=today or timezone.localdate())

    def expired(self, today=None):
        return self.filter(expiry_date__lt=today or timezone.localdate())

    def fefo(self):
        return self.order_by("expiry_date", "id")


class Batch(models.Model):
    """One delivery (lot) of an item in a store, with its expiry date. Expired after its expiry date."""

    item = models.ForeignKey("catalog.Item", on_delete=models.PROTECT, related_name="batches")
    store = models.ForeignKey(Store, on_delete=models.PROTECT, related_name="batches")
    lot_number = models.CharField(max_length=50)
    expiry_date = models.DateField(help_text="Usable through this date.")
    unit_cost = models.DecimalField(**MONEY, default=0, validators=[MinValueValidator(0)])
    supplier = models.CharField(max_length=200, blank=True)
    quantity_on_hand = models.PositiveIntegerField(
        default=0, editable=False, help_text="Whole units of the item; always the sum of the batch's movements."
    )
    received_at = models.DateTimeField(default=timezone.now, editable=False)

    history = HistoricalRecords()
    objects = BatchQuerySet.as_manager()

    class Meta:
        ordering = ["expiry_date", "id"]
        verbose_name_plural = "batches"
        indexes = [
            models.Index(fields=["store", "item", "expiry_date"], name="batch_store_item_expiry_idx"),
            models.Index(fields=["expiry_date"], name="batch_expiry_idx"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["item", "store", "lot_number"],
                name="batch_lot_unique_per_store",
                violation_error_message="This store already has a batch of this item with this lot number.",
            ),
            models.CheckConstraint(
                condition=models.Q(unit_cost__gte=0),
                name="batch_unit_cost_not_negative",
                violation_error_message="The unit cost cannot be negative.",
            ),
        ]

    def __str__(self):
        return f"{self.item.name} lot {self.lot_number} (exp. {self.expiry_date:%m/%d/%Y})"

    def clean(self):
        check_dates(self, {"expiry_date": SHELF_LIFE})

    def is_expired(self, today=None):
        return self.expiry_date < (today or timezone.localdate())


class StockMovementQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise TypeError("Stock movements are never changed: record a new adjustment instead.")

    def delete(self):
        raise TypeError("Stock movements are never deleted: record a new adjustment instead.")


class StockMovement(models.Model):
    """One line of the append-only stock ledger. Positive quantities add to the batch, negative take from it."""

    batch = models.ForeignKey(Batch, on_delete=models.PROTECT, related_name="movements")
    kind = models.CharField(max_length=20, choices=StockMovementKind.choices)
    quantity = models.IntegerField(help_text="Signed whole units: + into the batch, - out of it.")
    prescription = models.ForeignKey(
        "clinical.Prescription",
        on_delete=models.PROTECT,
        related_name="stock_movements",
        null=True,
        blank=True,
        help_text="The prescription dispensed (or returned).",
    )
    transfer_of = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        related_name="transfer_in_rows",
        null=True,
        blank=True,
        help_text="On a transfer in: the transfer out it pairs with.",
    )
    note = models.CharField(max_length=500, blank=True, help_text="What it was for; the reason of an adjustment.")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    objects = StockMovementQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["created_at"], name="movement_created_idx"),
            models.Index(fields=["kind", "created_at"], name="movement_kind_created_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(kind__in=[k.value for k in INCOMING_MOVEMENTS], quantity__gt=0)
                    | models.Q(kind__in=[k.value for k in OUTGOING_MOVEMENTS], quantity__lt=0)
                    | (models.Q(kind=StockMovementKind.ADJUSTMENT.value) & ~models.Q(quantity=0))
                ),
                name="movement_quantity_sign",
                violation_error_message="Receipts, transfers in and returns add stock; dispenses, transfers out "
                "and write-offs take it; adjustments are never zero.",
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.quantity:+d} · {self.batch}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise TypeError("Stock movements are never changed: record a new adjustment instead.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise TypeError("Stock movements are never deleted: record a new adjustment instead.")

    def clean(self):
        check_dates(self, {"created_at": RECORDED_NOW})
        if self.kind == StockMovementKind.ADJUSTMENT and not (self.note or "").strip():
            raise ValidationError({"note": "Give the reason for the adjustment."})

