"""manage.py seed_demo with the inventory hook: stores, stock with alerts to show, dispensing history."""

from io import StringIO

import pytest
from django.core.management import call_command

from inventory.choices import AlertKind, StockMovementKind
from inventory.models import Batch, StockMovement, Store
from inventory.selectors import inventory_alerts
from inventory.tests.helpers import assert_ledger_balanced
from staff.models import Hospital

pytestmark = pytest.mark.django_db


def _seed():
    call_command("seed_demo", stdout=StringIO(), stderr=StringIO(), password="demo-pass", patients=12)


def test_the_demo_stocks_every_hospital_balances_its_ledger_and_runs_twice_safely():
    _seed()

    assert Store.objects.count() == 2 * Hospital.objects.count()
    assert Batch.objects.exists()
    assert_ledger_balanced()
    kinds = {alert.kind for alert in inventory_alerts()}
    assert {AlertKind.LOW_STOCK, AlertKind.EXPIRED, AlertKind.EXPIRING} <= kinds
    assert StockMovement.objects.filter(kind=StockMovementKind.DISPENSE).exists()

    counts = (Store.objects.count(), Batch.objects.count(), StockMovement.objects.count())
    _seed()
    assert (Store.objects.count(), Batch.objects.count()) == counts[:2]
    assert_ledger_balanced()
