"""Reads behind the pharmacist pages: the dispensing queue, stock by store, a batch's ledger, dashboard counts.

Every list joins what its rows show, so a page runs the same number of queries whatever the number of rows.
Inventory is not patient data (any hospital's stock may be viewed); the queue shows patients' names, so it is
behind the prescription and patient view permissions as well.
"""

from __future__ import annotations

import datetime
from collections import Counter
from collections.abc import Iterable

from django.db.models import IntegerField, OuterRef, Q, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce

from catalog.models import Item, ItemKind
from clinical.choices import PrescriptionStatus
from clinical.models import Prescription
from hms.typing import AnyUser
from inventory.choices import AlertKind, StockMovementKind
from inventory.models import Batch, StockMovement, Store
from inventory.selectors import Alert
from staff.models import Hospital
from staff.selectors import staff_member_of


def hospital_for(user: AnyUser) -> Hospital | None:
    """The hospital of the user's StaffMember row (None for users without one)."""
    member = staff_member_of(user)
    return member.hospital if member is not None else None


def active_stores() -> QuerySet[Store]:
    return Store.objects.active().select_related("hospital").order_by("hospital__name", "name")


def stockable_items() -> QuerySet[Item]:
    """Active items received as stock (medications and supplies; equipment is registered one device at a time)."""
    return Item.objects.active().exclude(kind=ItemKind.EQUIPMENT).order_by("name", "strength", "code")


def dispensing_queue(*, hospital: Hospital | None = None, query: str = "") -> QuerySet[Prescription]:
    """Active prescriptions, oldest first, with patient, medication, doctor and units dispensed so far joined."""
    ledger = (
        StockMovement.objects.filter(
            prescription=OuterRef("pk"), kind__in=[StockMovementKind.DISPENSE, StockMovementKind.RETURN]
        )
        .values("prescription")
        .annotate(total=Sum("quantity"))
        .values("total")
    )
    qs = (
        Prescription.objects.filter(status=PrescriptionStatus.ACTIVE)
        .select_related(
            "medication", "record__patient", "record__doctor__user", "record__appointment__hospital", "prescribed_by"
        )
        .annotate(ledger_total=Coalesce(Subquery(ledger, output_field=IntegerField()), Value(0)))
        .order_by("prescribed_at", "pk")
    )
    if hospital is not None:
        qs = qs.filter(record__appointment__hospital=hospital)
    query = (query or "").strip()
    if query:
        qs = qs.filter(
            Q(record__patient__mrn__iexact=query)
            | Q(record__patient__last_name__icontains=query)
            | Q(record__patient__first_name__icontains=query)
            | Q(medication__name__icontains=query)
        )
    return qs


def stock_batches(
    *, store: Store | None = None, item: Item | None = None, query: str = "", in_stock_only: bool = True
) -> QuerySet[Batch]:
    """Batches with item and store joined, first expiry first; optionally of one store or item, or matching
    ``query`` (lot number, item name or code)."""
    qs = Batch.objects.select_related("item", "store__hospital").order_by("expiry_date", "item__name", "pk")
    if store is not None:
        qs = qs.filter(store=store)
    if item is not None:
        qs = qs.filter(item=item)
    if in_stock_only:
        qs = qs.filter(quantity_on_hand__gt=0)
    query = (query or "").strip()
    if query:
        qs = qs.filter(Q(lot_number__icontains=query) | Q(item__name__icontains=query) | Q(item__code__icontains=query))
    return qs


def batch_movements(batch: Batch) -> QuerySet[StockMovement]:
    """The ledger of one batch, newest first, with who recorded each row."""
    return (
        StockMovement.objects.filter(batch=batch)
        .select_related("created_by", "prescription")
        .order_by("-created_at", "-pk")
    )


def expired_batches_with_stock(*, store: Store | None = None, today: datetime.date | None = None) -> QuerySet[Batch]:
    """What a write-off of expired stock would take: expired batches that still hold units."""
    qs = Batch.objects.expired(today).filter(quantity_on_hand__gt=0).select_related("item", "store__hospital")
    if store is not None:
        qs = qs.filter(store=store)
    return qs.order_by("store__hospital__name", "store__name", "expiry_date", "pk")


def alert_counts(alerts: Iterable[Alert]) -> dict[str, int]:
    """{"low_stock": n, "expired": n, "expiring": n} for a list of inventory_alerts."""
    counts = Counter(alert.kind for alert in alerts)
    return {kind.value: counts.get(kind.value, 0) for kind in AlertKind}
