"""Reads of inventory: lists for the API and pages, stock on hand, the dispensing view, alerts.

Inventory is not patient data: staff with the model permission see every hospital's stock. The
dispensing context shows the patient's allergies; it is read by pharmacists through the dispense page/API.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from django.db.models import F, IntegerField, OuterRef, Q, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from django_filters import FilterSet

from catalog.models import Item
from clinical.models import Prescription
from hms.typing import ModelT
from inventory.choices import AlertKind, StockMovementKind, StoreKind
from inventory.models import Batch, StockLevelRule, StockMovement, Store
from staff.models import Hospital

DEFAULT_ALERT_DAYS = 30


def _filtered(
    qs: QuerySet[ModelT], filterset_class: type[FilterSet] | None, filters: Mapping[str, Any] | None
) -> QuerySet[ModelT]:
    if filters is None or filterset_class is None:
        return qs
    filterset = filterset_class(filters, queryset=qs)
    return filterset.qs if filterset.is_valid() else qs.none()


def store_list(*, filters: Mapping[str, Any] | None = None) -> QuerySet[Store]:
    from inventory.filters import StoreFilterSet

    return _filtered(Store.objects.select_related("hospital"), StoreFilterSet, filters)


def batch_list(*, filters: Mapping[str, Any] | None = None) -> QuerySet[Batch]:
    from inventory.filters import BatchFilterSet

    qs = Batch.objects.select_related("item", "store__hospital").order_by("expiry_date", "id")
    return _filtered(qs, BatchFilterSet, filters)


def movement_list(*, filters: Mapping[str, Any] | None = None) -> QuerySet[StockMovement]:
    from inventory.filters import StockMovementFilterSet

    qs = StockMovement.objects.select_related("batch__item", "batch__store__hospital", "created_by")
    return _filtered(qs, StockMovementFilterSet, filters)




# --- Stock on hand ------------------------------------------------------------------------------------


def stock_on_hand(*, item: Item, store: Store, today: date | None = None, include_expired: bool = False) -> int:
    """Units of ``item`` in ``store``; by default only unexpired batches count (expired stock is unusable)."""
    qs = Batch.objects.filter(item=item, store=store)
    if not include_expired:
        qs = qs.usable(today)
    return qs.aggregate(total=Coalesce(Sum("quantity_on_hand"), 0))["total"]


def ledger_mismatches() -> list[tuple[int, str, str, int, int, int]]:
    """Batches whose quantity on hand differs from the sum of their movements: one aggregate query.

    Returns [(batch id, lot number, item code, store id, quantity on hand, ledger sum)].
    """
    rows = (
        Batch.objects.annotate(ledger=Coalesce(Sum("movements__quantity"), Value(0), output_field=IntegerField()))
        .exclude(quantity_on_hand=F("ledger"))
        .order_by("pk")
        .values_list("pk", "lot_number", "item__code", "store_id", "quantity_on_hand", "ledger")
    )
    return list(rows)


def dispensed_quantity(prescription: Prescription) -> int:
    """Units dispensed for a prescription, less units returned: from the ledger."""
    total = StockMovement.objects.filter(
        prescription=prescription, kind__in=[StockMovementKind.DISPENSE, StockMovementKind.RETURN]
    ).aggregate(total=Coalesce(Sum("quantity"), 0))["total"]
    return -total


def last_dispense(prescription: Prescription) -> StockMovement | None:
    """The latest dispense movement of a prescription (who and when), or None."""
    return (
        StockMovement.objects.filter(prescription=prescription, kind=StockMovementKind.DISPENSE)
        .select_related("created_by")
        .order_by("-created_at", "-id")
        .first()
    )


def returnable_quantity(*, prescription: Prescription, batch: Batch) -> int:
    """Units of ``batch`` dispensed for ``prescription`` and not returned yet."""
    total = StockMovement.objects.filter(
        prescription=prescription, batch=batch, kind__in=[StockMovementKind.DISPENSE, StockMovementKind.RETURN]
    ).aggregate(total=Coalesce(Sum("quantity"), 0))["total"]
    return max(-total, 0)


# --- Dispensing ---------------------------------------------------------------------------------------


@dataclass
class DispenseContext:
    prescription: object
    patient: object
    allergies: list  # the patient's active allergies, all shown to the pharmacist
    matching_allergies: list  # those matching the medication's name or class
    stores: list  # active pharmacies of the visit's hospital
    store: object  # the store the proposal is for (None when the hospital has no pharmacy)
    dispensed: int
    remaining: int
    available: int  # unexpired units in the store
    proposal: list = field(default_factory=list)  # [(batch, units)], first expiry first out
    shortfall: int = 0  # units the proposal cannot cover


def fefo_batches(*, item: Item, store: Store, today: date | None = None) -> list[Batch]:
    """The unexpired batches of an item in a store that have stock, soonest expiry first."""
    return list(
        Batch.objects.usable(today).filter(item=item, store=store, quantity_on_hand__gt=0).select_related("item").fefo()
    )


def prescription_dispense_context(
    prescription: Prescription, *, store: Store | None = None, today: date | None = None
) -> DispenseContext:
    """What the pharmacist sees before dispensing: allergies, what is left to dispense and a FEFO proposal."""
    from clinical.services import matching_allergies
    from patients.models import Allergy

    patient = prescription.record.patient
    hospital_id = prescription.record.appointment.hospital_id
    stores = list(Store.objects.active().filter(hospital_id=hospital_id, kind=StoreKind.PHARMACY).order_by("name"))
    if store is None and stores:
        store = stores[0]
    dispensed = dispensed_quantity(prescription)
    remaining = max(prescription.quantity - dispensed, 0) if prescription.status == "active" else 0
    batches = fefo_batches(item=prescription.medication, store=store, today=today) if store else []
    proposal, left = [], remaining
    for batch in batches:
        if left <= 0:
            break
        take = min(batch.quantity_on_hand, left)
        proposal.append((batch, take))
        left -= take
    return DispenseContext(
        prescription=prescription,
        patient=patient,
        allergies=list(Allergy.objects.filter(patient=patient, is_active=True).order_by("substance")),
        matching_allergies=matching_allergies(patient=patient, medication=prescription.medication),
        stores=stores,
        store=store,
        dispensed=dispensed,
        remaining=remaining,
        available=sum(b.quantity_on_hand for b in batches),
        proposal=proposal,
        shortfall=left,
    )


# --- Alerts -------------------------------------------------------------------------------------------


@dataclass
class Alert:
    kind: str  # AlertKind
    item: object
    store: object
    message: str
    batch: object = None
    quantity: int = 0  # on hand (usable units for low stock; the batch's units for expiry)
    reorder_level: int | None = None
    reorder_quantity: int | None = None
    expiry_date: date | None = None
    days_left: int | None = None


def low_stock_rules(*, hospital: Hospital | None = None, today: date | None = None) -> QuerySet[StockLevelRule]:
    """Reorder rules whose item is at or below its reorder level in the store (unexpired stock counts)."""
    today = today or timezone.localdate()
    on_hand = (
        Batch.objects.filter(item=OuterRef("item"), store=OuterRef("store"), expiry_date__gte=today)
        .values("item")
        .annotate(total=Sum("quantity_on_hand"))
        .values("total")
    )
    qs = (
        StockLevelRule.objects.filter(item__is_active=True, store__is_active=True)
        .annotate(on_hand=Coalesce(Subquery(on_hand, output_field=IntegerField()), Value(0)))
        .filter(on_hand__lte=F("reorder_level"))
        .select_related("item", "store__hospital")
        .order_by("store__hospital__name", "store__name", "item__name", "pk")
    )
    if hospital is not None:
        qs = qs.filter(store__hospital=hospital)
    return qs


def expiring_batches(
    *, days: int = DEFAULT_ALERT_DAYS, hospital: Hospital | None = None, today: date | None = None
) -> QuerySet[Batch]:
    """Batches with stock that expired, or expire within ``days`` days (the last day included)."""
    today = today or timezone.localdate()
    qs = (
        Batch.objects.filter(quantity_on_hand__gt=0, expiry_date__lte=today + timedelta(days=days))
        .filter(Q(store__is_active=True))
        .select_related("item", "store__hospital")
        .fefo()
    )
    if hospital is not None:
        qs = qs.filter(store__hospital=hospital)
    return qs


def inventory_alerts(
    *, days: int = DEFAULT_ALERT_DAYS, hospital: Hospital | None = None, today: date | None = None
) -> list[Alert]:
    """Low stock (per item and store) and expiry (expired, or expiring within ``days`` days) alerts."""
    today = today or timezone.localdate()
    alerts = []
    for rule in low_stock_rules(hospital=hospital, today=today):
        alerts.append(
            Alert(
                kind=AlertKind.LOW_STOCK,
                item=rule.item,
                store=rule.store,
                quantity=rule.on_hand,
                reorder_level=rule.reorder_level,
                reorder_quantity=rule.reorder_quantity,
                message=f"{rule.item} at {rule.store}: {rule.on_hand} {rule.item.unit}(s) on hand, "
                f"reorder level {rule.reorder_level}; reorder {rule.reorder_quantity}.",
            )
        )
    for batch in expiring_batches(days=days, hospital=hospital, today=today):
        days_left = (batch.expiry_date - today).days
        expired = days_left < 0
        alerts.append(
            Alert(
                kind=AlertKind.EXPIRED if expired else AlertKind.EXPIRING,
                item=batch.item,
                store=batch.store,
                batch=batch,
                quantity=batch.quantity_on_hand,
                expiry_date=batch.expiry_date,
                days_left=days_left,
                message=(
                    f"{batch.item} lot {batch.lot_number} at {batch.store}: {batch.quantity_on_hand} "
                    + (f"expired on {batch.expiry_date:%m/%d/%Y}." if expired else f"expire in {days_left} day(s).")
                ),
            )
        )
    return alerts
