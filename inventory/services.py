"""Every change to stock. Admin, pages, API, commands and the demo call these.

Rules kept here:
- A batch's quantity on hand changes only together with a ledger row (StockMovement) in the same
  transaction, so it always equals the sum of its movements (``manage.py stock_check`` verifies it).
- Batch rows are locked (select_for_update) in primary-key order before they are read for a change, so
  concurrent dispenses and transfers queue up instead of overselling, and never deadlock.
- Stock never goes negative; expired batches (past their expiry date) are never dispensed or transferred.
- A prescription is dispensed (in full or in part) only while active, for an active item, never more than
  prescribed minus what was already dispensed; each batch dispensed adds a charge line to the visit's bill
  (sent as ``inventory.signals.prescription_dispensed`` inside the transaction; billing receives it).
Refusals raise ValidationError (400, bad input) or Conflict (409, the current state forbids it); nothing
is saved then.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from catalog.models import Item, ItemKind
from clinical.models import Prescription
from hms.audit import audited_save
from hms.exceptions import Conflict
from hms.typing import User
from inventory import policies
from inventory.choices import StockMovementKind, StoreKind
from inventory.models import Batch, StockLevelRule, StockMovement, Store
from inventory.selectors import dispensed_quantity, returnable_quantity
from inventory.signals import prescription_dispensed
from staff.models import Hospital


class InsufficientStock(Conflict):
    default_code = "insufficient_stock"


def _positive_quantity(quantity: object, name: str = "quantity") -> int:
    if isinstance(quantity, bool) or not isinstance(quantity, int) or quantity <= 0:
        raise ValidationError({name: "Enter a whole number of units, at least 1."})
    return quantity


def _lock_batches(pks: Iterable[int]) -> dict[int, Batch]:
    """Lock batch rows in primary-key order (every service does the same, so none deadlock)."""
    batches = Batch.objects.select_for_update().select_related("item", "store__hospital").filter(pk__in=pks)
    return {batch.pk: batch for batch in batches.order_by("pk")}


def _move(
    *,
    batch: Batch,
    kind: str,
    quantity: int,
    acting_user: User,
    note: str = "",
    prescription: Prescription | None = None,
    transfer_of: StockMovement | None = None,
    at: datetime.datetime | None = None,
) -> StockMovement:
    """Write one ledger row and apply it to the (locked) batch."""
    new_quantity = batch.quantity_on_hand + quantity
    if new_quantity < 0:
        raise InsufficientStock(
            f"Lot {batch.lot_number} of {batch.item.name} has {batch.quantity_on_hand} {batch.item.unit}(s) "
            f"on hand; {-quantity} cannot be taken."
        )
    movement = StockMovement(
        batch=batch,
        kind=kind,
        quantity=quantity,
        note=(note or "").strip()[:500],
        prescription=prescription,
        transfer_of=transfer_of,
        created_by=acting_user,
        created_at=at or timezone.now(),
    )
    movement.full_clean()
    movement.save()
    batch.quantity_on_hand = new_quantity
    audited_save(batch, acting_user=acting_user, validate=False, update_fields=["quantity_on_hand"])
    return movement


def _active_store(store: Store) -> Store:
    store = Store.objects.select_related("hospital").get(pk=store.pk)
    if not store.is_active:
        raise Conflict(f"{store} is closed (inactive).", code="store_inactive")
    return store


# --- Stores, rules -----------------------------------------------------------------------------------


@transaction.atomic
def store_save(*, instance: Store, acting_user: User) -> Store:
    """Create or change a store; stores are deactivated, never deleted."""
    return audited_save(instance, acting_user=acting_user)


@transaction.atomic
def stock_rule_save(*, instance: StockLevelRule, acting_user: User) -> StockLevelRule:
    """Create or change the reorder level and quantity of an item in a store."""
    return audited_save(instance, acting_user=acting_user)


# --- Stock movements --------------------------------------------------------------------------------


@transaction.atomic
def stock_receive(
    *,
    store: Store,
    item: Item,
    lot_number: str,
    expiry_date: datetime.date | None,
    quantity: int,
    acting_user: User,
    unit_cost: Decimal | int = 0,
    supplier: str = "",
    note: str = "",
    today: datetime.date | None = None,
) -> Batch:
    """Receive a delivery into a store: a new batch (or more of a lot already there, same expiry date).

    Refused: inactive store or item, equipment items (tracked as Equipment), an expiry date already past,
    a quantity below 1, or a known lot with another expiry date.
    """
    _positive_quantity(quantity)
    today = today or timezone.localdate()
    lot_number = (lot_number or "").strip()
    if not lot_number:
        raise ValidationError({"lot_number": "Enter the lot number printed on the delivery."})
    if expiry_date is None:
        raise ValidationError({"expiry_date": "Enter the expiry date."})
    if expiry_date < today:
        raise ValidationError({"expiry_date": "This lot has already expired; expired stock is not received."})
    store = _active_store(store)
    item = Item.objects.get(pk=item.pk)
    if not item.is_active:
        raise Conflict(f"{item} is no longer stocked (inactive).", code="item_inactive")
    if item.kind == ItemKind.EQUIPMENT:
        raise ValidationError({"item": "Equipment is registered one device at a time, not received as stock."})
    existing = Batch.objects.filter(item=item, store=store, lot_number=lot_number).values_list("pk", flat=True)
    batch = _lock_batches(list(existing)).popitem()[1] if existing else None
    if batch is None:
        batch = Batch(
            item=item, store=store, lot_number=lot_number, expiry_date=expiry_date, unit_cost=unit_cost,
            supplier=(supplier or "").strip(),
        )
        audited_save(batch, acting_user=acting_user)
    elif batch.expiry_date != expiry_date:
        raise ValidationError(
            {"expiry_date": f"Lot {lot_number} is already in {store.name} with expiry date {batch.expiry_date}."}
        )
    _move(batch=batch, kind=StockMovementKind.RECEIPT, quantity=quantity, acting_user=acting_user, note=note)
    return batch


@transaction.atomic
def stock_transfer(
    *,
    batch: Batch,
    to_store: Store,
    quantity: int,
    acting_user: User,
    note: str = "",
    today: datetime.date | None = None,
) -> tuple[StockMovement, StockMovement]:
    """Move units of a batch to another store (same lot there). Writes a transfer out and a paired transfer in.

    Refused: the same store, an inactive destination, an expired batch, or more than is on hand.
    """
    _positive_quantity(quantity)
    today = today or timezone.localdate()
    to_store = _active_store(to_store)
    source = Batch.objects.get(pk=batch.pk)  # item, store and lot never change: safe to read unlocked
    if source.store_id == to_store.pk:
        raise ValidationError({"to_store": "Choose another store than the one the batch is in."})
    target_pk = (
        Batch.objects.filter(item_id=source.item_id, store=to_store, lot_number=source.lot_number)
        .values_list("pk", flat=True)
        .first()
    )
    locked = _lock_batches([source.pk] + ([target_pk] if target_pk else []))
    source = locked[source.pk]
    if source.is_expired(today):
        raise Conflict(
            f"Lot {source.lot_number} expired on {source.expiry_date:%m/%d/%Y}; write it off instead.", code="expired"
        )
    if target_pk is None:
        target = Batch(
            item_id=source.item_id, store=to_store, lot_number=source.lot_number, expiry_date=source.expiry_date,
            unit_cost=source.unit_cost, supplier=source.supplier,
        )
        audited_save(target, acting_user=acting_user)
    else:
        target = locked[target_pk]
    note = note or f"{source.store.name} -> {to_store.name}"
    out = _move(
        batch=source, kind=StockMovementKind.TRANSFER_OUT, quantity=-quantity, acting_user=acting_user, note=note
    )
    incoming = _move(
        batch=target, kind=StockMovementKind.TRANSFER_IN, quantity=quantity, acting_user=acting_user, note=note,
        transfer_of=out,
    )
    return out, incoming


@transaction.atomic
def stock_adjust(*, batch: Batch, quantity: int, reason: str, acting_user: User) -> StockMovement:
    """Correct a batch by a signed number of units (a count found more or less, breakage), with a reason."""
    if isinstance(quantity, bool) or not isinstance(quantity, int) or quantity == 0:
        raise ValidationError({"quantity": "Enter a whole number of units to add (+) or remove (-), not 0."})
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "Give the reason for the adjustment."})
    batch = _lock_batches([batch.pk])[batch.pk]
    return _move(
        batch=batch, kind=StockMovementKind.ADJUSTMENT, quantity=quantity, acting_user=acting_user, note=reason
    )


@transaction.atomic
def stock_write_off_expired(
    *,
    acting_user: User,
    store: Store | None = None,
    hospital: Hospital | None = None,
    today: datetime.date | None = None,
) -> list[StockMovement]:
    """Write off what is left of every expired batch (of a store, a hospital, or everywhere). Safe to repeat."""
    today = today or timezone.localdate()
    candidates = Batch.objects.expired(today).filter(quantity_on_hand__gt=0)
    if store is not None:
        candidates = candidates.filter(store=store)
    if hospital is not None:
        candidates = candidates.filter(store__hospital=hospital)
    movements = []
    for batch in _lock_batches(list(candidates.values_list("pk", flat=True))).values():
        if batch.quantity_on_hand > 0:
            movements.append(
                _move(
                    batch=batch, kind=StockMovementKind.EXPIRY_WRITEOFF, quantity=-batch.quantity_on_hand,
                    acting_user=acting_user, note=f"Expired on {batch.expiry_date:%m/%d/%Y}",
                )
            )
    return movements


@transaction.atomic
def stock_return(
    *, batch: Batch, quantity: int, reason: str, acting_user: User, prescription: Prescription | None = None
) -> StockMovement:
    """Take units back into a batch (unused medication, a ward's leftovers), with a reason.

    With a prescription, no more than was dispensed from this batch for it (less earlier returns); the
    prescription's status does not change and the bill is not credited (billing adjusts bills).
    """
    _positive_quantity(quantity)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "Give the reason for the return."})
    batch = _lock_batches([batch.pk])[batch.pk]
    if prescription is not None:
        returnable = returnable_quantity(prescription=prescription, batch=batch)
        if quantity > returnable:
            raise Conflict(
                f"Only {returnable} {batch.item.unit}(s) of lot {batch.lot_number} were dispensed for this "
                "prescription and not yet returned.",
                code="over_return",
            )
    return _move(
        batch=batch, kind=StockMovementKind.RETURN, quantity=quantity, acting_user=acting_user, note=reason,
        prescription=prescription,
    )


# --- Dispensing -------------------------------------------------------------------------------------


@dataclass
class DispenseResult:
    prescription: object
    movements: list = field(default_factory=list)
    dispensed: int = 0  # units dispensed now
    total_dispensed: int = 0  # units dispensed for the prescription so far, this time included
    remaining: int = 0


def _plan_fefo(batches: Iterable[Batch], quantity: int) -> list[tuple[Batch, int]]:
    """[(batch, units)] taking from the soonest-expiring batches first."""
    plan = []
    for batch in sorted(batches, key=lambda b: (b.expiry_date, b.pk)):
        if quantity <= 0:
            break
        take = min(batch.quantity_on_hand, quantity)
        if take > 0:
            plan.append((batch, take))
            quantity -= take
    return plan


def dispensed_since_message(prescription: Prescription, *, then: int, now: int) -> str:
    return (
        f"Since this page was opened the prescription was dispensed further ({now} of {prescription.quantity} "
        f"{prescription.medication.unit}(s) dispensed now, {then} then). Check what is left and dispense again "
        "if needed."
    )


@transaction.atomic
def prescription_dispense(
    *,
    prescription: Prescription,
    store: Store,
    acting_user: User,
    quantity: int | None = None,
    batches: Sequence[tuple[Batch, int]] | None = None,
    today: datetime.date | None = None,
    expected_dispensed: int | None = None,
) -> DispenseResult:
    """Dispense a prescription from a pharmacy of the hospital of the visit, in full or in part.

    ``quantity`` defaults to what is still to dispense. Units come from the store's unexpired batches,
    first expiry first out, or from ``batches`` ([(batch, units), ...]) when the pharmacist chooses them.
    Each batch used writes a dispense movement (referencing the prescription); then ``prescription_dispensed``
    is sent in this transaction and billing adds a charge line per movement to the visit's bill (a refusal
    there refuses the dispense). When all prescribed units are dispensed the prescription becomes ``dispensed``.

    Refused, nothing saved: a cancelled or dispensed prescription, an inactive item, a store of another
    hospital or inactive, more than prescribed minus dispensed, an expired or foreign batch, not enough stock,
    and, given ``expected_dispensed`` (the units dispensed when the pharmacist's page was drawn), a prescription
    dispensed further since (code ``dispensed_since``): a form sent twice never dispenses twice.
    """
    from clinical.choices import PrescriptionStatus
    from clinical.models import Prescription

    today = today or timezone.localdate()
    policies.ensure_may_dispense(acting_user=acting_user)
    prescription = (
        Prescription.objects.select_for_update()
        .select_related("medication", "record__appointment__hospital", "record__patient")
        .get(pk=prescription.pk)
    )
    item = prescription.medication
    if prescription.status != PrescriptionStatus.ACTIVE:
        raise Conflict(
            f"A {prescription.get_status_display().lower()} prescription cannot be dispensed.", code="not_active"
        )
    if expected_dispensed is not None:
        already = dispensed_quantity(prescription)
        if already != expected_dispensed:
            raise Conflict(
                dispensed_since_message(prescription, then=expected_dispensed, now=already), code="dispensed_since"
            )
    if not item.is_active:
        raise Conflict(f"{item} is no longer stocked (inactive).", code="item_inactive")
    store = _active_store(store)
    appointment = prescription.record.appointment
    if store.hospital_id != appointment.hospital_id:
        raise ValidationError(
            {"store": f"Dispense from a store of {appointment.hospital.name}, where it was prescribed."}
        )
    if store.kind != StoreKind.PHARMACY:
        raise ValidationError({"store": f"{store.name} is not a pharmacy."})

    already = dispensed_quantity(prescription)
    remaining = prescription.quantity - already
    if batches:
        requested = {}
        for batch, units in batches:
            _positive_quantity(units)
            requested[batch.pk] = requested.get(batch.pk, 0) + units
        total = sum(requested.values())
        if quantity is not None and quantity != total:
            raise ValidationError({"quantity": "The quantity must equal the sum of the chosen batches' units."})
        quantity = total
    elif quantity is None:
        quantity = remaining
    else:
        _positive_quantity(quantity)
    if quantity <= 0 or quantity > remaining:
        raise Conflict(
            f"{prescription.quantity} {item.unit}(s) were prescribed and {already} already dispensed; "
            f"{quantity} more cannot be dispensed (at most {max(remaining, 0)}).",
            code="over_dispense",
        )

    if batches:
        locked = _lock_batches(list(requested))
        plan = []
        for pk, units in requested.items():
            batch = locked.get(pk)
            if batch is None or batch.item_id != item.pk or batch.store_id != store.pk:
                raise ValidationError({"batches": f"Batch {pk} is not {item.name} in {store.name}."})
            if batch.is_expired(today):
                raise Conflict(
                    f"Lot {batch.lot_number} expired on {batch.expiry_date:%m/%d/%Y} and cannot be dispensed.",
                    code="expired",
                )
            if batch.quantity_on_hand < units:
                raise InsufficientStock(
                    f"Lot {batch.lot_number} has {batch.quantity_on_hand} {item.unit}(s) on hand; {units} asked."
                )
            plan.append((batch, units))
    else:
        usable = Batch.objects.usable(today).filter(item=item, store=store).values_list("pk", flat=True)
        locked = _lock_batches(list(usable))
        available = sum(b.quantity_on_hand for b in locked.values())
        if available < quantity:
            raise InsufficientStock(
                f"{store.name} has {available} unexpired {item.unit}(s) of {item.name}; {quantity} asked.",
                extra={"available": available},
            )
        plan = _plan_fefo(locked.values(), quantity)

    result = DispenseResult(prescription=prescription, dispensed=quantity)
    for batch, units in plan:
        movement = _move(
            batch=batch, kind=StockMovementKind.DISPENSE, quantity=-units, acting_user=acting_user,
            prescription=prescription, note=f"Prescription {prescription.pk}",
        )
        result.movements.append(movement)
    prescription_dispensed.send(
        sender=StockMovement, prescription=prescription, movements=result.movements, acting_user=acting_user
    )
    result.total_dispensed = already + quantity
    result.remaining = prescription.quantity - result.total_dispensed
    if result.remaining == 0:
        prescription.status = PrescriptionStatus.DISPENSED
        audited_save(prescription, acting_user=acting_user)
    return result
