"""Stock services: receive, transfer, adjust, write off, return. The ledger balances after each one."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from catalog.choices import ItemKind
from hms.exceptions import Conflict
from inventory import services
from inventory.choices import StockMovementKind, StoreKind
from inventory.models import Batch, StockMovement
from inventory.selectors import stock_on_hand
from inventory.tests.factories import BatchFactory, MedicationFactory, StoreFactory, SupplyFactory
from inventory.tests.helpers import assert_ledger_balanced

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
NEXT_YEAR = TODAY + datetime.timedelta(days=365)


@pytest.fixture
def pharmacist(make_user):
    return make_user("Pharmacist")


def receive(store, item, user, **kwargs):
    values = {"lot_number": "A1", "expiry_date": NEXT_YEAR, "quantity": 50} | kwargs
    return services.stock_receive(store=store, item=item, acting_user=user, **values)


# --- receive ---------------------------------------------------------------------------------------


def test_receiving_creates_a_batch_with_a_receipt_movement_by_the_user(pharmacist):
    store, item = StoreFactory(), MedicationFactory()

    batch = receive(store, item, pharmacist, unit_cost="0.12", supplier="Cardinal")

    assert batch.quantity_on_hand == 50
    movement = batch.movements.get()
    assert (movement.kind, movement.quantity, movement.created_by) == (StockMovementKind.RECEIPT, 50, pharmacist)
    assert batch.history.first().history_user == pharmacist
    assert_ledger_balanced()


def test_receiving_the_same_lot_again_adds_to_the_batch(pharmacist):
    store, item = StoreFactory(), MedicationFactory()
    first = receive(store, item, pharmacist)

    second = receive(store, item, pharmacist, quantity=30)

    assert second.pk == first.pk
    assert Batch.objects.get(pk=first.pk).quantity_on_hand == 80
    assert first.movements.count() == 2
    assert_ledger_balanced()


def test_the_same_lot_with_another_expiry_date_is_refused(pharmacist):
    store, item = StoreFactory(), MedicationFactory()
    receive(store, item, pharmacist)

    with pytest.raises(ValidationError):
        receive(store, item, pharmacist, expiry_date=NEXT_YEAR + datetime.timedelta(days=1))
    assert StockMovement.objects.count() == 1


@pytest.mark.parametrize(
    "kwargs",
    [
        {"quantity": 0},
        {"quantity": -5},
        {"lot_number": " "},
        {"expiry_date": TODAY - datetime.timedelta(days=1)},
    ],
    ids=["zero", "negative", "no-lot", "expired"],
)
def test_receiving_bad_input_is_refused_and_saves_nothing(pharmacist, kwargs):
    with pytest.raises(ValidationError):
        receive(StoreFactory(), MedicationFactory(), pharmacist, **kwargs)
    assert not Batch.objects.exists() and not StockMovement.objects.exists()


def test_receiving_into_an_inactive_store_or_an_inactive_item_is_refused(pharmacist):
    with pytest.raises(Conflict):
        receive(StoreFactory(is_active=False), MedicationFactory(), pharmacist)
    with pytest.raises(Conflict):
        receive(StoreFactory(), MedicationFactory(is_active=False), pharmacist)
    assert not Batch.objects.exists()


def test_equipment_is_not_received_as_stock(pharmacist):
    item = SupplyFactory(kind=ItemKind.EQUIPMENT, code="EQ-ULTRA")
    with pytest.raises(ValidationError):
        receive(StoreFactory(), item, pharmacist)


def test_an_unknown_item_is_refused(pharmacist):
    ghost = MedicationFactory.build(pk=999999)
    with pytest.raises(Exception) as excinfo:
        receive(StoreFactory(), ghost, pharmacist)
    assert excinfo.type.__name__ == "DoesNotExist"
    assert not Batch.objects.exists()


# --- transfer --------------------------------------------------------------------------------------


def test_a_transfer_moves_units_with_a_paired_out_and_in(pharmacist):
    batch = BatchFactory(quantity=20)
    supply_room = StoreFactory(hospital=batch.store.hospital, kind=StoreKind.SUPPLY_ROOM, name="Ward 3")

    out, incoming = services.stock_transfer(batch=batch, to_store=supply_room, quantity=8, acting_user=pharmacist)

    assert (out.kind, out.quantity, incoming.kind, incoming.quantity) == ("transfer_out", -8, "transfer_in", 8)
    assert incoming.transfer_of == out
    target = incoming.batch
    assert (target.store, target.lot_number, target.expiry_date) == (supply_room, batch.lot_number, batch.expiry_date)
    assert stock_on_hand(item=batch.item, store=batch.store) == 12
    assert stock_on_hand(item=batch.item, store=supply_room) == 8
    assert_ledger_balanced()


def test_a_second_transfer_adds_to_the_same_lot_in_the_destination(pharmacist):
    batch = BatchFactory(quantity=20)
    other = StoreFactory(hospital=batch.store.hospital)
    services.stock_transfer(batch=batch, to_store=other, quantity=5, acting_user=pharmacist)
    _, incoming = services.stock_transfer(batch=batch, to_store=other, quantity=5, acting_user=pharmacist)

    assert Batch.objects.filter(store=other).count() == 1
    assert incoming.batch.quantity_on_hand == 10
    assert_ledger_balanced()


def test_transferring_more_than_on_hand_is_refused_and_saves_nothing(pharmacist):
    batch = BatchFactory(quantity=5)
    other = StoreFactory(hospital=batch.store.hospital)

    with pytest.raises(Conflict) as excinfo:
        services.stock_transfer(batch=batch, to_store=other, quantity=6, acting_user=pharmacist)
    assert excinfo.value.code == "insufficient_stock"
    assert StockMovement.objects.count() == 1
    assert not Batch.objects.filter(store=other).exists()
    assert_ledger_balanced()


def test_transferring_expired_stock_or_to_the_same_store_is_refused(pharmacist):
    expired = BatchFactory(quantity=5, expiry_date=TODAY - datetime.timedelta(days=1))
    with pytest.raises(Conflict):
        services.stock_transfer(batch=expired, to_store=StoreFactory(), quantity=1, acting_user=pharmacist)
    batch = BatchFactory(quantity=5)
    with pytest.raises(ValidationError):
        services.stock_transfer(batch=batch, to_store=batch.store, quantity=1, acting_user=pharmacist)
    assert StockMovement.objects.count() == 2  # the two receipts


# --- adjust ----------------------------------------------------------------------------------------


def test_an_adjustment_corrects_the_batch_and_keeps_the_reason(pharmacist):
    batch = BatchFactory(quantity=20)

    movement = services.stock_adjust(batch=batch, quantity=-3, reason="Count found 17", acting_user=pharmacist)

    assert (movement.kind, movement.quantity, movement.note) == ("adjustment", -3, "Count found 17")
    assert Batch.objects.get(pk=batch.pk).quantity_on_hand == 17
    services.stock_adjust(batch=batch, quantity=2, reason="Found behind the shelf", acting_user=pharmacist)
    assert Batch.objects.get(pk=batch.pk).quantity_on_hand == 19
    assert_ledger_balanced()


@pytest.mark.parametrize("quantity,reason", [(0, "Zero"), (-1, ""), (2.5, "Half")])
def test_an_adjustment_without_reason_or_units_is_refused(pharmacist, quantity, reason):
    batch = BatchFactory(quantity=20)
    with pytest.raises(ValidationError):
        services.stock_adjust(batch=batch, quantity=quantity, reason=reason, acting_user=pharmacist)
    assert batch.movements.count() == 1


def test_an_adjustment_never_takes_stock_below_zero(pharmacist):
    batch = BatchFactory(quantity=4)
    with pytest.raises(Conflict):
        services.stock_adjust(batch=batch, quantity=-5, reason="Broken", acting_user=pharmacist)
    assert Batch.objects.get(pk=batch.pk).quantity_on_hand == 4
    assert_ledger_balanced()


# --- write off expired -----------------------------------------------------------------------------


def test_writing_off_expired_stock_empties_only_expired_batches_and_is_safe_to_repeat(pharmacist):
    store = StoreFactory()
    expired = BatchFactory(store=store, quantity=7, expiry_date=TODAY - datetime.timedelta(days=1))
    last_day = BatchFactory(store=store, quantity=5, expiry_date=TODAY)  # usable through today
    elsewhere = BatchFactory(quantity=3, expiry_date=TODAY - datetime.timedelta(days=10))

    movements = services.stock_write_off_expired(store=store, acting_user=pharmacist)

    assert [(m.batch_id, m.kind, m.quantity) for m in movements] == [(expired.pk, "expiry_writeoff", -7)]
    assert Batch.objects.get(pk=expired.pk).quantity_on_hand == 0
    assert Batch.objects.get(pk=last_day.pk).quantity_on_hand == 5
    assert Batch.objects.get(pk=elsewhere.pk).quantity_on_hand == 3
    assert services.stock_write_off_expired(store=store, acting_user=pharmacist) == []
    assert_ledger_balanced()


def test_writing_off_for_a_hospital_covers_its_stores(pharmacist):
    expired = BatchFactory(quantity=2, expiry_date=TODAY - datetime.timedelta(days=3))
    other_store = StoreFactory(hospital=expired.store.hospital, code="SUP")
    expired_too = BatchFactory(store=other_store, quantity=4, expiry_date=TODAY - datetime.timedelta(days=3))

    movements = services.stock_write_off_expired(hospital=expired.store.hospital, acting_user=pharmacist)

    assert sorted(m.batch_id for m in movements) == sorted([expired.pk, expired_too.pk])
    assert_ledger_balanced()


# --- return ----------------------------------------------------------------------------------------


def test_a_return_adds_stock_back_with_a_reason(pharmacist):
    batch = BatchFactory(quantity=10)
    movement = services.stock_return(batch=batch, quantity=3, reason="Ward leftovers", acting_user=pharmacist)
    assert (movement.kind, movement.quantity) == ("return", 3)
    assert Batch.objects.get(pk=batch.pk).quantity_on_hand == 13
    with pytest.raises(ValidationError):
        services.stock_return(batch=batch, quantity=1, reason="", acting_user=pharmacist)
    assert_ledger_balanced()


# --- the ledger is append-only ---------------------------------------------------------------------


def test_ledger_rows_cannot_be_changed_or_deleted():
    movement = BatchFactory(quantity=5).movements.get()
    movement.quantity = 500
    with pytest.raises(TypeError):
        movement.save()
    with pytest.raises(TypeError):
        movement.delete()
    with pytest.raises(TypeError):
        StockMovement.objects.filter(pk=movement.pk).update(quantity=1)
    with pytest.raises(TypeError):
        StockMovement.objects.all().delete()
    assert StockMovement.objects.get(pk=movement.pk).quantity == 5


def test_the_database_refuses_a_movement_with_the_wrong_sign(pharmacist):
    batch = BatchFactory(quantity=5)
    movement = StockMovement(batch=batch, kind=StockMovementKind.DISPENSE, quantity=3, created_by=pharmacist)
    with pytest.raises(ValidationError):
        movement.full_clean()


def test_store_changes_are_audited(pharmacist):
    # (items: catalog/tests/test_services.py; equipment: scheduling/tests/test_equipment.py)
    store = services.store_save(instance=StoreFactory.build(hospital=StoreFactory().hospital, code="X1"),
                                acting_user=pharmacist)
    assert store.history.get().history_user == pharmacist
