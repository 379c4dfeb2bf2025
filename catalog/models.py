"""The item master: what the chain stocks, prescribes and bills (medications, supplies, kinds of equipment).

Items are referenced from above: prescriptions (clinical), stock batches and reorder rules (inventory),
devices (scheduling.Equipment), bill lines by code (billing). The tables keep the names they had when items
lived in inventory (``inventory_item``, ``inventory_historicalitem``): the move changed no data.
"""

from django.db import models
from simple_history.models import HistoricalRecords

from catalog.choices import ItemKind

__all__ = ["Item", "ItemKind"]

MONEY = {"max_digits": 12, "decimal_places": 2}


class ItemQuerySet(models.QuerySet):
    def active(self):
        return self.filter(is_active=True)

    def medications(self):
        return self.filter(kind=ItemKind.MEDICATION)


class Item(models.Model):
    """The catalog of what is stocked: medications (prescribed and dispensed), supplies, equipment."""

    kind = models.CharField(max_length=20, choices=ItemKind.choices, default=ItemKind.MEDICATION)
    code = models.CharField(max_length=30, unique=True, help_text="The chain's item code, e.g. an NDC for drugs.")
    name = models.CharField(max_length=200, help_text="For medications the generic name, e.g. Amoxicillin.")
    form = models.CharField(max_length=50, blank=True, help_text="Tablet, capsule, syrup, injection...")
    strength = models.CharField(max_length=50, blank=True, help_text="e.g. 500 mg, 5 mg/mL.")
    unit = models.CharField(max_length=30, default="unit", help_text="What one unit of stock is: tablet, vial, box.")
    category = models.CharField(
        max_length=100, blank=True, help_text="Drug class or group, e.g. Penicillins (matched against allergies)."
    )
    unit_price = models.DecimalField(**MONEY, default=0, help_text="What a patient is billed for one unit.")
    is_active = models.BooleanField("active", default=True, help_text="Items are deactivated, never deleted.")

    history = HistoricalRecords(table_name="inventory_historicalitem")
    objects = ItemQuerySet.as_manager()

    class Meta:
        db_table = "inventory_item"
        ordering = ["name", "strength", "code"]
        indexes = [models.Index(fields=["kind", "name"], name="item_kind_name_idx")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(unit_price__gte=0),
                name="item_unit_price_not_negative",
                violation_error_message="The unit price cannot be negative.",
            ),
        ]

    def __str__(self):
        details = " ".join(part for part in (self.strength, self.form) if part)
        return f"{self.name} {details} ({self.code})" if details else f"{self.name} ({self.code})"
