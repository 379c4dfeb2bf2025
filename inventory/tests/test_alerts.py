"""Low-stock and expiry alerts, at their boundaries."""

import datetime

import pytest
from django.utils import timezone

from inventory.choices import AlertKind
from inventory.selectors import inventory_alerts
from inventory.tests.factories import BatchFactory, StockLevelRuleFactory, StoreFactory

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


def days(n):
    return TODAY + datetime.timedelta(days=n)


def kinds(alerts):
    return [(a.kind, a.batch.pk if a.batch else a.item.pk) for a in alerts]


def test_expiring_exactly_in_30_days_is_included_and_31_is_not():
    in_30 = BatchFactory(expiry_date=days(30))
    BatchFactory(expiry_date=days(31))

    assert kinds(inventory_alerts()) == [(AlertKind.EXPIRING, in_30.pk)]


def test_expired_batches_with_stock_are_alerted_as_expired_and_empty_ones_are_not():
    expired = BatchFactory(expiry_date=days(-1))
    BatchFactory(expiry_date=days(-5), quantity=0)
    today = BatchFactory(expiry_date=days(0))

    alerts = inventory_alerts()

    assert kinds(alerts) == [(AlertKind.EXPIRED, expired.pk), (AlertKind.EXPIRING, today.pk)]
    assert alerts[0].days_left == -1 and alerts[1].days_left == 0


def test_the_horizon_can_be_changed():
    in_60 = BatchFactory(expiry_date=days(60))
    assert inventory_alerts(days=30) == []
    assert kinds(inventory_alerts(days=60)) == [(AlertKind.EXPIRING, in_60.pk)]


def test_low_stock_is_at_or_below_the_reorder_level_per_item_and_store():
    at_level = StockLevelRuleFactory(reorder_level=10, reorder_quantity=50)
    BatchFactory(item=at_level.item, store=at_level.store, quantity=6)
    BatchFactory(item=at_level.item, store=at_level.store, quantity=4)
    above = StockLevelRuleFactory(reorder_level=10)
    BatchFactory(item=above.item, store=above.store, quantity=11)
    empty = StockLevelRuleFactory(reorder_level=0)  # nothing at all: 0 <= 0

    alerts = inventory_alerts()

    low = [a for a in alerts if a.kind == AlertKind.LOW_STOCK]
    assert sorted((a.item.pk, a.store.pk, a.quantity) for a in low) == sorted(
        [(at_level.item.pk, at_level.store.pk, 10), (empty.item.pk, empty.store.pk, 0)]
    )
    assert next(a for a in low if a.item == at_level.item).reorder_quantity == 50


def test_expired_stock_does_not_count_towards_the_reorder_level():
    rule = StockLevelRuleFactory(reorder_level=10)
    BatchFactory(item=rule.item, store=rule.store, quantity=100, expiry_date=days(-1))
    low = [a for a in inventory_alerts() if a.kind == AlertKind.LOW_STOCK]
    assert [(a.item, a.quantity) for a in low] == [(rule.item, 0)]


def test_alerts_can_be_limited_to_a_hospital():
    here = StoreFactory()
    mine = BatchFactory(store=here, expiry_date=days(3))
    BatchFactory(expiry_date=days(3))
    assert kinds(inventory_alerts(hospital=here.hospital)) == [(AlertKind.EXPIRING, mine.pk)]
