"""Billing reports (see hms.reporting): revenue, AR aging, payer mix and claim outcomes.

Aggregated in the database; they never change data.
"""

from collections import defaultdict
from datetime import timedelta
from decimal import Decimal

from django.db.models import Case, CharField, Count, Q, Sum, Value, When

from billing.choices import ADJUDICATED_CLAIM_STATUSES, BillStatus, ClaimStatus
from billing.models import Bill, Claim, Payment, Refund
from hms.reporting import as_date, day_bounds, money, ratio, report_tz, trunc

ISSUED_STATUSES = (BillStatus.ISSUED, BillStatus.PARTIALLY_PAID, BillStatus.PAID)
OPEN_STATUSES = (BillStatus.ISSUED, BillStatus.PARTIALLY_PAID)
AGING_BUCKETS = (("0-30", 30), ("31-60", 60), ("61-90", 90), ("over 90", None))
SELF_PAY = "Self-pay"


def _scope(qs, hospital, prefix=""):
    if hospital is not None:
        qs = qs.filter(**{f"{prefix}hospital": hospital})
    return qs.order_by()


def revenue_periods():
    """The figures of ``revenue``'s period section, to fill in per (period, hospital code): bills ``count``,
    ``billed``, ``outstanding`` and money ``collected`` (scripts/bench_sql.py fills the same from raw SQL)."""
    return defaultdict(lambda: {"count": 0, "billed": Decimal(0), "outstanding": Decimal(0), "collected": Decimal(0)})


def revenue_period_rows(per_period):
    """The period section's rows from ``revenue_periods`` figures: billed, collected and outstanding per period
    and hospital, in period then hospital order."""
    rows = []
    for (day, code), entry in sorted(per_period.items()):
        rows.append(
            {
                "section": "billed",
                "period": day,
                "hospital": code,
                "count": entry["count"],
                "amount": money(entry["billed"]),
            }
        )
        rows.append({"section": "collected", "period": day, "hospital": code, "amount": money(entry["collected"])})
        rows.append({"section": "outstanding", "period": day, "hospital": code, "amount": money(entry["outstanding"])})
    return rows


def revenue(*, date_from, date_to, hospital=None, department=None, period="month"):
    """Revenue of the issued (not void) bills.

    Sections:
    - ``period`` (per period of issue and hospital): ``count`` bills issued, ``amount`` billed (their totals),
      ``collected`` as a separate row group (payments received in the period, less refunds made in it) and
      ``outstanding`` (the balance still open on the bills issued in the period).
    - ``aging``: open balances on ``date_to`` by days since issue: 0-30, 31-60, 61-90, over 90.
    - ``payer_mix``: of the amount billed in the range, each insurer's share (insurance covered) and self-pay
      (patient due); ``share`` is of the total billed.
    - ``claims``: claims adjudicated in the range: approved (approved, partially approved, later paid) and
      denied counts; ``share`` is the rate among adjudicated claims.
    Bills belong to hospitals, not departments: the department filter does not apply. Seven queries.
    """
    tz = report_tz(hospital)
    start, end = day_bounds(date_from, date_to, tz)
    bills = _scope(Bill.objects.filter(status__in=ISSUED_STATUSES), hospital)
    in_range = bills.filter(issued_at__gte=start, issued_at__lt=end)
    per_period = revenue_periods()
    for row in (
        in_range.annotate(p=trunc(period, "issued_at", tz))
        .values("p", "hospital__code")
        .annotate(n=Count("id"), billed=Sum("total"), outstanding=Sum("balance"))
    ):
        entry = per_period[(as_date(row["p"]), row["hospital__code"])]
        entry.update(count=row["n"], billed=row["billed"], outstanding=row["outstanding"])
    for model, field, sign in ((Payment, "received_at", 1), (Refund, "refunded_at", -1)):
        moves = _scope(model.objects.filter(**{f"{field}__gte": start, f"{field}__lt": end}), hospital, "bill__")
        for row in (
            moves.exclude(bill__status=BillStatus.VOID)
            .annotate(p=trunc(period, field, tz))
            .values("p", "bill__hospital__code")
            .annotate(amount=Sum("amount"))
        ):
            per_period[(as_date(row["p"]), row["bill__hospital__code"])]["collected"] += sign * row["amount"]
    rows = revenue_period_rows(per_period)

    rows += ar_aging(bills=bills, date_to=date_to, tz=tz)

    rows += payer_mix(in_range)

    claims = Claim.objects.filter(
        status__in=ADJUDICATED_CLAIM_STATUSES, adjudicated_at__gte=start, adjudicated_at__lt=end
    )
    claims = _scope(claims, hospital, "bill__").aggregate(
        adjudicated=Count("id"),
        approved=Count("id", filter=~Q(status=ClaimStatus.DENIED)),
        denied=Count("id", filter=Q(status=ClaimStatus.DENIED)),
    )
    for key in ("approved", "denied"):
        rows.append(
            {
                "section": "claims",
                "group": key,
                "count": claims[key],
                "share": ratio(claims[key], claims["adjudicated"]),
            }
        )
    return rows


def ar_aging(*, bills, date_to, tz):
    """Open balances (issued or partially paid, balance > 0) of bills issued by ``date_to``, by age in days
    on ``date_to``: a bill issued exactly 30 days before is in 0-30, 31 days before in 31-60. One query."""
    _, end = day_bounds(date_to, date_to, tz)
    whens = []
    for label, days in AGING_BUCKETS:
        if days is not None:
            boundary, _ = day_bounds(date_to - timedelta(days=days), date_to, tz)
            whens.append(When(issued_at__gte=boundary, then=Value(label)))
    bucket = Case(*whens, default=Value(AGING_BUCKETS[-1][0]), output_field=CharField())
    found = {
        row["bucket"]: row
        for row in bills.outstanding()
        .filter(issued_at__lt=end)
        .annotate(bucket=bucket)
        .values("bucket")
        .annotate(n=Count("id"), amount=Sum("balance"))
    }
    total = sum((row["amount"] for row in found.values()), Decimal(0))
    rows = []
    for label, _ in AGING_BUCKETS:
        row = found.get(label, {"n": 0, "amount": Decimal(0)})
        rows.append(
            {
                "section": "aging",
                "group": label,
                "count": row["n"],
                "amount": money(row["amount"]),
                "share": ratio(row["amount"], total),
            }
        )
    return rows


def money_summary(*, date_from, date_to, hospital=None):
    """The dashboard's money figures, from the billing roll-ups (``billing.rollups``) on each hospital's local
    days: ``billed_per_month`` [(first day of the month, amount billed)], ``billed`` (issued bills' totals in the
    range), ``collected`` (payments less refunds in the range, void bills left out), ``outstanding`` (open
    balances of the bills issued by ``date_to``) and ``payer_mix`` [(payer, amount)] as in ``revenue`` (one
    aggregate of the bills issued in the range, over the issue-date index). Four queries whatever the data."""
    from billing.models import BillDailyTotal, MoneyDailyTotal

    days = BillDailyTotal.objects.filter(day__gte=date_from, day__lte=date_to, status__in=ISSUED_STATUSES)
    moves = MoneyDailyTotal.objects.filter(day__gte=date_from, day__lte=date_to, bill_void=False)
    opened = BillDailyTotal.objects.filter(day__lte=date_to, status__in=OPEN_STATUSES)
    if hospital is not None:
        days, moves, opened = (qs.filter(hospital=hospital) for qs in (days, moves, opened))
    per_month = defaultdict(Decimal)
    for day, amount in days.order_by().values("day").annotate(amount=Sum("total")).values_list("day", "amount"):
        per_month[day.replace(day=1)] += amount
    collected = Decimal(0)
    for kind, amount in moves.order_by().values("kind").annotate(amount=Sum("amount")).values_list("kind", "amount"):
        collected += amount if kind == MoneyDailyTotal.PAYMENT else -amount
    outstanding = opened.aggregate(amount=Sum("open_balance"))["amount"]
    start, end = day_bounds(date_from, date_to, report_tz(hospital))
    in_range = _scope(
        Bill.objects.filter(status__in=ISSUED_STATUSES, issued_at__gte=start, issued_at__lt=end), hospital
    )
    return {
        "billed_per_month": [(month, money(amount)) for month, amount in sorted(per_month.items())],
        "billed": money(sum(per_month.values(), Decimal(0))),
        "collected": money(collected),
        "outstanding": money(outstanding),
        "payer_mix": [(row["group"], row["amount"]) for row in payer_mix(in_range)],
    }


def payer_mix(bills):
    """Rows of the ``payer_mix`` section for ``bills``: each insurer's covered amount and self-pay. One query."""
    mix = list(
        bills.values("policy__payer__name").annotate(insurer=Sum("insurance_covered"), patient=Sum("patient_due"))
    )
    billed_total = sum((row["insurer"] + row["patient"] for row in mix), Decimal(0))
    payers = defaultdict(Decimal)
    for row in mix:
        if row["policy__payer__name"]:
            payers[row["policy__payer__name"]] += row["insurer"]
        payers[SELF_PAY] += row["patient"]
    return [
        {"section": "payer_mix", "group": payer, "amount": money(amount), "share": ratio(amount, billed_total)}
        for payer, amount in sorted(payers.items(), key=lambda item: (-item[1], item[0]))
    ]
