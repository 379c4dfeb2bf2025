"""Dispensing prescriptions: FEFO, partial and full, chosen batches, refusals, the dispensed announcement (billing's
lines for it: billing/tests/test_dispense_charges.py), the dispense view."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from clinical.choices import PrescriptionStatus
from clinical.models import Prescription
from hms.exceptions import Conflict
from inventory import services
from inventory.choices import StoreKind
from inventory.models import Batch, StockMovement
from inventory.selectors import dispensed_quantity, prescription_dispense_context
from inventory.signals import prescription_dispensed
from inventory.tests.factories import BatchFactory, StoreFactory
from inventory.tests.helpers import assert_ledger_balanced, prescription_with_pharmacy
from patients.tests.factories import AllergyFactory

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


def days(n):
    return TODAY + datetime.timedelta(days=n)


@pytest.fixture
def pharmacist(make_user):
    return make_user("Pharmacist")


@pytest.fixture
def rx():
    return prescription_with_pharmacy()


def stock(rx_and_store, quantity, expiry_in_days, **kwargs):
    prescription, store = rx_and_store
    return BatchFactory(item=prescription.medication, store=store, quantity=quantity, expiry_date=days(expiry_in_days),
                        **kwargs)


def on_hand(batch):
    return Batch.objects.get(pk=batch.pk).quantity_on_hand


def test_dispensing_takes_the_first_expiring_batch_first(rx, pharmacist):
    later = stock(rx, 20, 200)
    sooner = stock(rx, 6, 40)
    prescription, store = rx

    result = services.prescription_dispense(prescription=prescription, store=store, acting_user=pharmacist)

    assert [(m.batch_id, m.quantity) for m in result.movements] == [(sooner.pk, -6), (later.pk, -4)]
    assert (on_hand(sooner), on_hand(later)) == (0, 16)
    assert all(m.prescription_id == prescription.pk and m.created_by == pharmacist for m in result.movements)
    assert Prescription.objects.get(pk=prescription.pk).status == PrescriptionStatus.DISPENSED
    assert prescription.history.first().history_user == pharmacist
    assert_ledger_balanced()


def test_partial_dispensing_keeps_the_prescription_active_until_all_is_dispensed(rx, pharmacist):
    stock(rx, 20, 100)
    prescription, store = rx

    first = services.prescription_dispense(prescription=prescription, store=store, quantity=4, acting_user=pharmacist)

    assert (first.dispensed, first.total_dispensed, first.remaining) == (4, 4, 6)
    assert Prescription.objects.get(pk=prescription.pk).status == PrescriptionStatus.ACTIVE
    assert dispensed_quantity(prescription) == 4
    second = services.prescription_dispense(prescription=prescription, store=store, acting_user=pharmacist)
    assert (second.dispensed, second.remaining) == (6, 0)
    assert Prescription.objects.get(pk=prescription.pk).status == PrescriptionStatus.DISPENSED
    assert_ledger_balanced()


def test_expired_batches_are_never_dispensed(rx, pharmacist):
    expired = stock(rx, 50, -1)
    fresh = stock(rx, 10, 30)
    prescription, store = rx

    result = services.prescription_dispense(prescription=prescription, store=store, acting_user=pharmacist)

    assert [m.batch_id for m in result.movements] == [fresh.pk]
    assert on_hand(expired) == 50


def test_a_batch_expiring_today_is_still_dispensed(rx, pharmacist):
    today = stock(rx, 10, 0)
    prescription, store = rx
    result = services.prescription_dispense(prescription=prescription, store=store, acting_user=pharmacist)
    assert [m.batch_id for m in result.movements] == [today.pk]


def test_only_expired_stock_counts_as_not_enough_stock(rx, pharmacist):
    stock(rx, 50, -1)
    prescription, store = rx
    with pytest.raises(Conflict) as excinfo:
        services.prescription_dispense(prescription=prescription, store=store, acting_user=pharmacist)
    assert excinfo.value.code == "insufficient_stock"


def test_chosen_batches_are_used_as_chosen(rx, pharmacist):
    sooner = stock(rx, 10, 20)
    later = stock(rx, 10, 300)
    prescription, store = rx

    result = services.prescription_dispense(
        prescription=prescription, store=store, batches=[(later, 7)], acting_user=pharmacist
    )

    assert [(m.batch_id, m.quantity) for m in result.movements] == [(later.pk, -7)]
    assert (on_hand(sooner), on_hand(later)) == (10, 3)
    assert_ledger_balanced()


def test_a_chosen_expired_batch_is_refused(rx, pharmacist):
    expired = stock(rx, 10, -2)
    prescription, store = rx
    with pytest.raises(Conflict) as excinfo:
        services.prescription_dispense(
            prescription=prescription, store=store, batches=[(expired, 5)], acting_user=pharmacist
        )
    assert excinfo.value.code == "expired"
    assert on_hand(expired) == 10


def test_a_chosen_batch_of_another_item_or_store_is_refused(rx, pharmacist):
    prescription, store = rx
    foreign = BatchFactory(store=store, quantity=10)
    with pytest.raises(ValidationError):
        services.prescription_dispense(
            prescription=prescription, store=store, batches=[(foreign, 5)], acting_user=pharmacist
        )


def test_a_chosen_batch_without_enough_units_is_refused(rx, pharmacist):
    small = stock(rx, 3, 100)
    prescription, store = rx
    with pytest.raises(Conflict) as excinfo:
        services.prescription_dispense(prescription=prescription, store=store, batches=[(small, 4)],
                                       acting_user=pharmacist)
    assert excinfo.value.code == "insufficient_stock"


def test_over_dispensing_is_refused_and_saves_nothing(rx, pharmacist, dispensed_signals):
    batch = stock(rx, 50, 100)
    prescription, store = rx
    services.prescription_dispense(prescription=prescription, store=store, quantity=8, acting_user=pharmacist)

    with pytest.raises(Conflict) as excinfo:
        services.prescription_dispense(prescription=prescription, store=store, quantity=3, acting_user=pharmacist)

    assert excinfo.value.code == "over_dispense"
    assert on_hand(batch) == 42
    assert dispensed_quantity(prescription) == 8
    assert len(dispensed_signals) == 1  # only the dispense that happened was announced (billing adds its line)
    assert_ledger_balanced()


def test_not_enough_stock_is_refused_and_saves_nothing(rx, pharmacist, dispensed_signals):
    first = stock(rx, 4, 50)
    second = stock(rx, 3, 60)
    prescription, store = rx

    with pytest.raises(Conflict) as excinfo:
        services.prescription_dispense(prescription=prescription, store=store, acting_user=pharmacist)

    assert excinfo.value.code == "insufficient_stock"
    assert (on_hand(first), on_hand(second)) == (4, 3)
    assert not StockMovement.objects.filter(prescription=prescription).exists()
    assert dispensed_signals == []
    assert Prescription.objects.get(pk=prescription.pk).status == PrescriptionStatus.ACTIVE


@pytest.mark.parametrize("status", [PrescriptionStatus.CANCELLED, PrescriptionStatus.DISPENSED])
def test_a_cancelled_or_dispensed_prescription_is_refused(rx, pharmacist, status):
    stock(rx, 20, 100)
    prescription, store = rx
    Prescription.objects.filter(pk=prescription.pk).update(status=status)
    with pytest.raises(Conflict) as excinfo:
        services.prescription_dispense(prescription=prescription, store=store, acting_user=pharmacist)
    assert excinfo.value.code == "not_active"


def test_an_inactive_item_is_refused(rx, pharmacist):
    stock(rx, 20, 100)
    prescription, store = rx
    prescription.medication.is_active = False
    prescription.medication.save()
    with pytest.raises(Conflict) as excinfo:
        services.prescription_dispense(prescription=prescription, store=store, acting_user=pharmacist)
    assert excinfo.value.code == "item_inactive"


def test_a_store_of_another_hospital_or_not_a_pharmacy_is_refused(rx, pharmacist):
    prescription, _ = rx
    with pytest.raises(ValidationError):
        services.prescription_dispense(prescription=prescription, store=StoreFactory(), acting_user=pharmacist)
    supply_room = StoreFactory(hospital=prescription.record.appointment.hospital, kind=StoreKind.SUPPLY_ROOM)
    with pytest.raises(ValidationError):
        services.prescription_dispense(prescription=prescription, store=supply_room, acting_user=pharmacist)


@pytest.mark.parametrize("quantity", [0, -1])
def test_a_quantity_below_one_is_refused(rx, pharmacist, quantity):
    stock(rx, 20, 100)
    prescription, store = rx
    with pytest.raises(ValidationError):
        services.prescription_dispense(prescription=prescription, store=store, quantity=quantity,
                                       acting_user=pharmacist)


def test_a_dispense_is_announced_once_with_each_batch_taken_and_who_dispensed(rx, pharmacist, dispensed_signals):
    sooner = stock(rx, 4, 30)
    later = stock(rx, 30, 300)
    prescription, store = rx

    services.prescription_dispense(prescription=prescription, store=store, acting_user=pharmacist)

    assert dispensed_signals == [(prescription.pk, [(sooner.pk, 4), (later.pk, 6)], pharmacist)]


def test_a_receiver_refusing_the_dispense_rolls_it_all_back(rx, pharmacist):
    batch = stock(rx, 20, 100)
    prescription, store = rx

    def refusing(sender, **kwargs):
        raise Conflict("The visit's bill is locked.", code="bill_locked")

    prescription_dispensed.connect(refusing, dispatch_uid="test.refusing")
    try:
        with pytest.raises(Conflict, match="bill is locked"):
            services.prescription_dispense(prescription=prescription, store=store, acting_user=pharmacist)
    finally:
        prescription_dispensed.disconnect(dispatch_uid="test.refusing")

    assert on_hand(batch) == 20
    assert not StockMovement.objects.filter(prescription=prescription).exists()
    assert Prescription.objects.get(pk=prescription.pk).status == PrescriptionStatus.ACTIVE
    assert_ledger_balanced()


def test_a_return_for_a_prescription_is_limited_to_what_was_dispensed_from_that_batch(rx, pharmacist):
    batch = stock(rx, 20, 100)
    prescription, store = rx
    services.prescription_dispense(prescription=prescription, store=store, quantity=5, acting_user=pharmacist)

    services.stock_return(batch=batch, quantity=2, reason="Unused", prescription=prescription, acting_user=pharmacist)
    assert dispensed_quantity(prescription) == 3
    with pytest.raises(Conflict):
        services.stock_return(batch=batch, quantity=4, reason="Unused", prescription=prescription,
                              acting_user=pharmacist)
    assert on_hand(batch) == 17
    assert_ledger_balanced()


def test_the_dispense_context_shows_allergies_and_a_fefo_proposal(rx, pharmacist):
    prescription, store = rx
    later = stock(rx, 20, 200)
    sooner = stock(rx, 4, 20)
    stock(rx, 99, -1)  # expired: never proposed
    allergy = AllergyFactory(patient=prescription.record.patient, substance="Peanuts")
    AllergyFactory(patient=prescription.record.patient, substance="Latex", is_active=False)
    services.prescription_dispense(prescription=prescription, store=store, batches=[(later, 2)],
                                   acting_user=pharmacist)

    context = prescription_dispense_context(prescription)

    assert context.store == store
    assert context.allergies == [allergy]
    assert (context.dispensed, context.remaining, context.available) == (2, 8, 22)
    assert [(b.pk, units) for b, units in context.proposal] == [(sooner.pk, 4), (later.pk, 4)]
    assert context.shortfall == 0


def test_the_dispense_context_reports_a_shortfall(rx):
    prescription, _ = rx
    stock(rx, 3, 20)
    context = prescription_dispense_context(prescription)
    assert (context.available, context.shortfall) == (3, 7)
