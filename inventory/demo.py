"""Demo inventory (``manage.py seed_demo``): a pharmacy and a supply room per hospital, supplies, reorder
rules, batches (some expiring soon, some expired, some items below their reorder level) and dispensing
history for some of the demo prescriptions.

Runs after clinical's hook, which creates the medications. Stores, supplies and rules are created when
missing; a store's batches only when it has none (so a second run adds nothing). Each batch comes with its
receipt movement, so the ledger balances (``manage.py stock_check``). Dispensing goes through
``prescription_dispense`` (bill lines included) for prescriptions that have no ledger rows yet.
"""

from datetime import timedelta
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from catalog.models import Item, ItemKind
from clinical.choices import PrescriptionStatus
from clinical.models import Prescription
from hms.exceptions import DomainError
from inventory.choices import StockMovementKind, StoreKind
from inventory.models import Batch, StockLevelRule, StockMovement, Store
from inventory.services import prescription_dispense
from staff.choices import StaffRole
from staff.models import StaffMember

STORES = [("PHARM", "Main Pharmacy", StoreKind.PHARMACY), ("SUPPLY", "Central Supply Room", StoreKind.SUPPLY_ROOM)]
# code, name, unit, category, price
SUPPLIES = [
    ("SUP-GLOVE-M", "Nitrile gloves, medium", "box", "Gloves", "8.50"),
    ("SUP-SYR-5", "Syringe 5 mL, sterile", "piece", "Syringes", "0.35"),
    ("SUP-GAUZE-4", "Gauze pads 4x4 in", "pack", "Dressings", "2.10"),
    ("SUP-MASK", "Surgical masks", "box", "Masks", "6.75"),
    ("SUP-IV-NS", "Saline 0.9% 1000 mL", "bag", "IV fluids", "3.20"),
]
SUPPLIERS = ["McKesson", "Cardinal Health", "AmerisourceBergen", "Medline"]
DISPENSE_SHARE = 0.6  # of the eligible demo prescriptions


def _stores(ctx):
    existing = {(s.hospital_id, s.code) for s in Store.objects.all()}
    missing = [
        Store(hospital=hospital, code=code, name=name, kind=kind)
        for hospital in ctx.hospitals
        for code, name, kind in STORES
        if (hospital.pk, code) not in existing
    ]
    if missing:
        ctx.bulk_create(Store, missing)
    return list(Store.objects.filter(hospital__in=ctx.hospitals).select_related("hospital").order_by("pk")), missing


def _supplies(ctx):
    known = set(Item.objects.filter(code__in=[row[0] for row in SUPPLIES]).values_list("code", flat=True))
    missing = [
        Item(kind=ItemKind.SUPPLY, code=code, name=name, unit=unit, category=category, unit_price=Decimal(price))
        for code, name, unit, category, price in SUPPLIES
        if code not in known
    ]
    if missing:
        ctx.bulk_create(Item, missing)
    return list(Item.objects.filter(kind=ItemKind.SUPPLY, is_active=True).order_by("code"))


def _stock_store(ctx, rng, store, items, rules, batches, receipts):
    """Rules and batches of one store; the batches' receipts are built after the batches are saved."""
    today = timezone.localdate(ctx.now)
    for index, item in enumerate(items):
        level = rng.choice([20, 50, 100])
        rules.append(StockLevelRule(item=item, store=store, reorder_level=level, reorder_quantity=level * 4))
        profile = rng.random()
        if profile < 0.15:  # below its reorder level
            lots = [(rng.randint(1, level), rng.randint(120, 540))]
        elif profile < 0.30:  # a lot expiring within the month besides a fresh one
            lots = [(rng.randint(10, 60), rng.randint(3, 28)), (level * 4, rng.randint(200, 700))]
        elif profile < 0.40:  # an expired lot not written off yet besides a fresh one
            lots = [(rng.randint(5, 40), -rng.randint(1, 60)), (level * 4, rng.randint(200, 700))]
        else:
            lots = [(level * rng.randint(3, 6), rng.randint(90, 700)), (level * 2, rng.randint(300, 900))]
        for number, (quantity, expires_in) in enumerate(lots, start=1):
            received = ctx.now - timedelta(days=rng.randint(max(1, -expires_in + 1), max(2, -expires_in + 120)))
            batches.append(
                Batch(
                    item=item,
                    store=store,
                    lot_number=f"{store.hospital.code}{store.pk}-{index:02d}{number}-{rng.randint(1000, 9999)}",
                    expiry_date=today + timedelta(days=expires_in),
                    unit_cost=(item.unit_price * Decimal("0.6")).quantize(Decimal("0.01")),
                    supplier=rng.choice(SUPPLIERS),
                    quantity_on_hand=quantity,
                    received_at=received,
                )
            )


def _dispense_history(ctx, rng, pharmacies):
    """Dispense some active prescriptions (in full, sometimes in part) as the hospital's pharmacist."""
    pharmacists = {}
    for member in StaffMember.objects.filter(role=StaffRole.PHARMACIST, is_active=True).select_related("user"):
        pharmacists.setdefault(member.hospital_id, member.user)
    candidates = list(
        Prescription.objects.filter(status=PrescriptionStatus.ACTIVE, stock_movements__isnull=True)
        .select_related("record__appointment", "medication")
        .order_by("pk")
    )
    dispensed = 0
    for prescription in candidates:
        store = pharmacies.get(prescription.record.appointment.hospital_id)
        if store is None or rng.random() > DISPENSE_SHARE:
            continue
        quantity = None if rng.random() < 0.8 else max(1, prescription.quantity // 2)
        user = pharmacists.get(store.hospital_id, ctx.acting_user)
        try:
            with transaction.atomic():
                prescription_dispense(prescription=prescription, store=store, quantity=quantity, acting_user=user)
            dispensed += 1
        except (DomainError, ValidationError):
            continue  # not enough stock of that medication: it stays to be dispensed
    return dispensed


def seed(ctx):
    rng = ctx.rng
    stores, new_stores = _stores(ctx)
    supplies = _supplies(ctx)
    medications = list(Item.objects.filter(kind=ItemKind.MEDICATION, is_active=True).order_by("code"))
    stocked = set(Batch.objects.values_list("store_id", flat=True).distinct())
    known_rules = set(StockLevelRule.objects.values_list("item_id", "store_id"))
    rules, batches, receipts = [], [], []
    for store in stores:
        if store.pk in stocked:
            continue
        items = medications if store.kind == StoreKind.PHARMACY else supplies
        _stock_store(ctx, rng, store, items, rules, batches, receipts)
    rules = [rule for rule in rules if (rule.item.pk, rule.store.pk) not in known_rules]
    if rules:
        ctx.bulk_create(StockLevelRule, rules)
    if batches:
        ctx.bulk_create(Batch, batches)
        saved = Batch.objects.filter(
            store__in={b.store for b in batches}, lot_number__in=[b.lot_number for b in batches]
        )
        StockMovement.objects.bulk_create(
            [
                StockMovement(
                    batch=batch,
                    kind=StockMovementKind.RECEIPT,
                    quantity=batch.quantity_on_hand,
                    note="Delivery",
                    created_by=ctx.acting_user,
                    created_at=batch.received_at,
                )
                for batch in saved
            ],
            batch_size=500,
        )
    pharmacies = {s.hospital_id: s for s in stores if s.kind == StoreKind.PHARMACY and s.is_active}
    dispensed = _dispense_history(ctx, rng, pharmacies)
    return {"stores": len(new_stores), "batches": len(batches), "dispensings": dispensed}
