"""The billing roll-ups (issue 11): ``BillDailyTotal`` (issued bills per local issue day, hospital and status:
count, totals, open balances) and ``MoneyDailyTotal`` (payments and refunds per local day, hospital and whether
the bill is now void). The dashboard reads them instead of the bills.

How they stay equal to the bills, payments and refunds:
- every billing service that changes what a bill counts for (issue, recalculation of its totals and status,
  void) takes ``bill_snapshot`` before and calls ``bill_moved(before, after)`` inside its transaction; a new
  payment or refund calls ``money_added``; a void moves the bill's payments and refunds to the void side;
- bulk loads end with ``rebuild()`` (``manage.py rebuild_rollups``);
- ``manage.py rebuild_rollups --check`` and the test suite compare them with ``raw_totals()``.

A hospital's time zone decides its local days: after changing it, rebuild.
"""

from collections import defaultdict
from decimal import Decimal

from django.db import transaction
from django.db.models import BooleanField, Case, Count, Q, Sum, Value, When
from django.db.models.functions import TruncDate

from billing.choices import BillStatus
from billing.models import Bill, BillDailyTotal, MoneyDailyTotal, Payment, Refund
from hms import rollups as hms_rollups

ZERO = Decimal("0.00")
BILL_FIELDS = ("count", "total", "open_count", "open_balance")


def bill_snapshot(bill):
    """(key, values) the bill adds to ``BillDailyTotal``, or None while it was never issued (a draft)."""
    if bill.issued_at is None:
        return None
    day = bill.issued_at.astimezone(bill.hospital.tzinfo).date()
    is_open = bill.balance > 0
    values = {
        "count": 1,
        "total": bill.total,
        "open_count": 1 if is_open else 0,
        "open_balance": bill.balance if is_open else ZERO,
    }
    return (day, bill.hospital_id, str(bill.status)), values


def bill_moved(before, after):
    """Apply the change of one bill from snapshot ``before`` to ``after`` (inside the service's transaction)."""
    deltas = defaultdict(lambda: dict.fromkeys(BILL_FIELDS, 0))
    for snapshot, sign in ((before, -1), (after, 1)):
        if snapshot is not None:
            key, values = snapshot
            for field in BILL_FIELDS:
                deltas[key][field] += sign * values[field]
    for key in sorted(deltas):
        if any(deltas[key].values()):
            day, hospital_id, status = key
            hms_rollups.add(BillDailyTotal, {"day": day, "hospital_id": hospital_id, "status": status}, deltas[key])


def _money_key(bill, moment, kind, void):
    return (moment.astimezone(bill.hospital.tzinfo).date(), bill.hospital_id, kind, void)


def _add_money(deltas):
    for key in sorted(deltas):
        if deltas[key]:
            day, hospital_id, kind, void = key
            hms_rollups.add(
                MoneyDailyTotal,
                {"day": day, "hospital_id": hospital_id, "kind": kind, "bill_void": void},
                {"amount": deltas[key]},
            )


def money_added(*, bill, moment, amount, kind):
    """A payment (kind ``MoneyDailyTotal.PAYMENT``) or refund (``REFUND``) of ``amount`` was recorded on the bill."""
    _add_money({_money_key(bill, moment, kind, bill.status == BillStatus.VOID): amount})


def bill_void_changed(bill, *, void):
    """The bill became void (or not): move its payments and refunds to that side. Two small queries."""
    deltas = defaultdict(Decimal)
    for model, field, kind in (
        (Payment, "received_at", MoneyDailyTotal.PAYMENT),
        (Refund, "refunded_at", MoneyDailyTotal.REFUND),
    ):
        for moment, amount in model.objects.filter(bill_id=bill.pk).values_list(field, "amount"):
            deltas[_money_key(bill, moment, kind, not void)] -= amount
            deltas[_money_key(bill, moment, kind, void)] += amount
    _add_money(deltas)


# --- rebuild and check -------------------------------------------------------------------------------------------


def _hospitals_by_tz():
    from staff.models import Hospital

    groups = defaultdict(list)
    for hospital in Hospital.objects.order_by("pk"):
        groups[hospital.timezone].append(hospital)
    return groups.values()


def raw_totals():
    """(bills, money) computed from the raw rows: {key: values}. A few grouped queries per time zone."""
    bills, money = {}, defaultdict(Decimal)
    void = Case(When(bill__status=BillStatus.VOID, then=Value(True)), default=Value(False), output_field=BooleanField())
    for hospitals in _hospitals_by_tz():
        tz = hospitals[0].tzinfo
        for row in (
            Bill.objects.filter(hospital__in=hospitals, issued_at__isnull=False)
            .order_by()
            .annotate(local_day=TruncDate("issued_at", tzinfo=tz))
            .values("local_day", "hospital_id", "status")
            .annotate(
                n=Count("id"),
                sum_total=Sum("total"),
                n_open=Count("id", filter=Q(balance__gt=0)),
                sum_open=Sum("balance", filter=Q(balance__gt=0)),
            )
        ):
            bills[(row["local_day"], row["hospital_id"], row["status"])] = (
                row["n"],
                row["sum_total"] or ZERO,
                row["n_open"],
                row["sum_open"] or ZERO,
            )
        for model, field, kind in (
            (Payment, "received_at", MoneyDailyTotal.PAYMENT),
            (Refund, "refunded_at", MoneyDailyTotal.REFUND),
        ):
            for row in (
                model.objects.filter(bill__hospital__in=hospitals)
                .order_by()
                .annotate(local_day=TruncDate(field, tzinfo=tz), void=void)
                .values("local_day", "bill__hospital_id", "void")
                .annotate(amount_sum=Sum("amount"))
            ):
                money[(row["local_day"], row["bill__hospital_id"], kind, bool(row["void"]))] += row["amount_sum"]
    return bills, {key: amount for key, amount in money.items() if amount}


def stored_totals():
    bills = {
        (day, hospital_id, status): (n, total, n_open, open_balance)
        for day, hospital_id, status, n, total, n_open, open_balance in BillDailyTotal.objects.values_list(
            "day", "hospital_id", "status", *BILL_FIELDS
        )
        if n or total or n_open or open_balance
    }
    money = {
        (day, hospital_id, kind, void): amount
        for day, hospital_id, kind, void, amount in MoneyDailyTotal.objects.exclude(amount=0).values_list(
            "day", "hospital_id", "kind", "bill_void", "amount"
        )
    }
    return bills, money


def differences():
    """[(key, stored, raw)] wherever a billing roll-up differs from the raw rows; empty when equal."""
    diffs = []
    for stored, raw in zip(stored_totals(), raw_totals(), strict=True):
        for key in set(stored) | set(raw):
            if stored.get(key) != raw.get(key):
                diffs.append((key, stored.get(key), raw.get(key)))
    return sorted(diffs, key=str)


@transaction.atomic
def rebuild():
    """Replace both billing roll-ups with the raw totals (idempotent). Returns the number of rows written."""
    bills, money = raw_totals()
    BillDailyTotal.objects.all().delete()
    MoneyDailyTotal.objects.all().delete()
    BillDailyTotal.objects.bulk_create(
        [
            BillDailyTotal(
                day=day,
                hospital_id=hospital,
                status=status,
                count=n,
                total=total,
                open_count=n_open,
                open_balance=open_balance,
            )
            for (day, hospital, status), (n, total, n_open, open_balance) in sorted(bills.items())
        ],
        batch_size=2000,
    )
    MoneyDailyTotal.objects.bulk_create(
        [
            MoneyDailyTotal(day=day, hospital_id=hospital, kind=kind, bill_void=void, amount=amount)
            for (day, hospital, kind, void), amount in sorted(money.items())
        ],
        batch_size=2000,
    )
    return len(bills) + len(money)
