"""stock_check and inventory_alerts: what they print and their exit codes (for cron)."""

import datetime
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from conftest import query_counter
from inventory.models import Batch
from inventory.tests.factories import BatchFactory

pytestmark = pytest.mark.django_db


def run(*args):
    out, err = StringIO(), StringIO()
    try:
        call_command(*args, stdout=out, stderr=err)
        code = 0
    except SystemExit as exc:
        code = exc.code
    return code, out.getvalue() + err.getvalue()


def test_stock_check_passes_when_every_batch_matches_its_ledger_in_one_query():
    for _ in range(5):
        BatchFactory()
    with query_counter() as queries:
        code, output = run("stock_check")
    assert code == 0 and "OK" in output
    assert len(queries) == 1


def test_stock_check_lists_mismatches_and_exits_1():
    good = BatchFactory(quantity=5)
    bad = BatchFactory(quantity=5)
    Batch.objects.filter(pk=bad.pk).update(quantity_on_hand=7)  # tampered outside the services

    code, output = run("stock_check")

    assert code == 1
    assert f"Batch {bad.pk} " in output and "on hand 7, ledger sum 5" in output
    assert f"Batch {good.pk} " not in output


def test_inventory_alerts_exits_0_without_alerts_and_1_with_them():
    BatchFactory(expiry_date=timezone.localdate() + datetime.timedelta(days=45))
    assert run("inventory_alerts")[0] == 0

    code, output = run("inventory_alerts", "--days", "45")

    assert code == 1
    assert "[Expiring soon]" in output and "1 alert(s)." in output


def test_inventory_alerts_refuses_bad_arguments():
    with pytest.raises(CommandError):
        call_command("inventory_alerts", "--days", "-1")
    with pytest.raises(CommandError):
        call_command("inventory_alerts", "--hospital", "NOPE")
