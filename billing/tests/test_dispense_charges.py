"""Dispensing (inventory) is billed here: billing receives ``inventory.signals.prescription_dispensed`` and adds a
medication line per batch dispensed to the visit's bill, in the dispense's transaction."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from billing import services as billing_services
from billing.models import BillLine
from clinical.choices import PrescriptionStatus
from clinical.models import Prescription
from hms.exceptions import Conflict
from inventory import services
from inventory.models import Batch, StockMovement
from inventory.tests.factories import BatchFactory
from inventory.tests.helpers import assert_ledger_balanced, prescription_with_pharmacy

pytestmark = pytest.mark.django_db


@pytest.fixture
def pharmacist(make_user):
    return make_user("Pharmacist")


@pytest.fixture
def rx():
    return prescription_with_pharmacy()


def stock(rx_and_store, quantity, expiry_in_days):
    prescription, store = rx_and_store
    expiry = timezone.localdate() + datetime.timedelta(days=expiry_in_days)
    return BatchFactory(item=prescription.medication, store=store, quantity=quantity, expiry_date=expiry)


def test_each_dispensed_batch_adds_a_medication_line_to_the_visits_bill(rx, pharmacist):
    sooner = stock(rx, 4, 30)
    later = stock(rx, 30, 300)
    prescription, store = rx

    result = services.prescription_dispense(prescription=prescription, store=store, acting_user=pharmacist)

    lines = list(BillLine.objects.select_related("bill").order_by("id"))
    assert [(line.kind, line.code, line.quantity, line.unit_price, line.amount) for line in lines] == [
        ("medication", prescription.medication.code, 4, Decimal("0.40"), Decimal("1.60")),
        ("medication", prescription.medication.code, 6, Decimal("0.40"), Decimal("2.40")),
    ]
    assert [line.source for line in lines] == [f"inventory.stockmovement:{m.pk}" for m in result.movements]
    assert sooner.lot_number in lines[0].description and later.lot_number in lines[1].description
    assert {line.bill.patient_id for line in lines} == {prescription.record.patient_id}
    assert lines[0].bill.history.earliest().history_user == pharmacist


def test_a_refused_dispense_adds_no_line(rx, pharmacist):
    stock(rx, 3, 30)
    prescription, store = rx

    with pytest.raises(Conflict, match="unexpired"):
        services.prescription_dispense(prescription=prescription, store=store, acting_user=pharmacist)

    assert not BillLine.objects.exists()


def test_when_billing_refuses_the_charge_the_dispense_is_refused_and_nothing_is_saved(rx, pharmacist, monkeypatch):
    batch = stock(rx, 20, 100)
    prescription, store = rx

    def refuse(**kwargs):
        raise ValidationError({"unit_price": "This price cannot be billed."})

    monkeypatch.setattr(billing_services, "bill_add_charge", refuse)
    with pytest.raises(ValidationError, match="cannot be billed"):
        services.prescription_dispense(prescription=prescription, store=store, acting_user=pharmacist)

    assert Batch.objects.get(pk=batch.pk).quantity_on_hand == 20
    assert not StockMovement.objects.filter(prescription=prescription).exists()
    assert Prescription.objects.get(pk=prescription.pk).status == PrescriptionStatus.ACTIVE
    assert not BillLine.objects.exists()
    assert_ledger_balanced()


def test_dispensing_through_the_api_bills_each_dispense(api_as, rx):
    stock(rx, 50, 100)
    prescription, store = rx
    client = api_as("Pharmacist")
    url = f"/api/v1/prescriptions/{prescription.pk}/dispense/"

    assert client.post(url, {"store": store.pk, "quantity": 4}).status_code == 201
    assert client.post(url, {"store": store.pk, "quantity": 7}).status_code == 409  # over-dispense: no line
    assert client.post(url, {"store": store.pk}).status_code == 201

    assert sorted(BillLine.objects.values_list("quantity", flat=True)) == [4, 6]
