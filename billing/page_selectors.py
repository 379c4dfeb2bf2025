"""Reads of the billing pages, on top of billing.selectors (which scope rows to the user)."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django.db.models import Count, DecimalField, F, Q, QuerySet, Sum, Value
from django.db.models.functions import Coalesce, Greatest

from billing.choices import BillStatus, ClaimStatus
from billing.models import ZERO, Bill, BillDailyTotal, Claim
from billing.policies import bills_seen_by_patient
from billing.selectors import bill_detail_queryset_for, bill_list, bill_queryset_for, claim_queryset_for
from hms.typing import AnyUser
from patients.models import Patient
from staff.models import Hospital

MONEY = DecimalField(max_digits=12, decimal_places=2)
OUTSTANDING = "outstanding"
ALL = "all"


def bill_search(
    *,
    user: AnyUser,
    hospital: Hospital | None = None,
    status: str | None = OUTSTANDING,
    date_from: datetime.date | None = None,
    date_to: datetime.date | None = None,
    query: str = "",
) -> QuerySet[Bill]:
    """The bills of the billing pages, newest first.

    ``status``: ``"outstanding"`` (issued or partly paid with a balance left, the default), ``"all"``,
    or one BillStatus. ``query`` matches the start of the patient's MRN or last name, or of the bill
    number. Totals are stored on the bill, so each row costs nothing more.
    """
    filters = {}
    if hospital is not None:
        filters["hospital"] = hospital.pk
    if status == OUTSTANDING:
        filters["outstanding"] = True
    if date_from:
        filters["date_after"] = date_from.isoformat()
    if date_to:
        filters["date_before"] = date_to.isoformat()
    bills = bill_list(user=user, filters=filters)
    if status and status not in (OUTSTANDING, ALL):
        # A plain condition: the FilterSet's multiple-choice filter adds DISTINCT, which turns the sums into a
        # sum over a DISTINCT subquery of every bill of the status.
        bills = bills.filter(status=status)
    query = (query or "").strip()
    if query:
        bills = bills.filter(_search_condition(query))
    return bills


# Up to this many patients matching a search are looked up first and their bills read through the
# (patient, created_at) index; a prefix matching more (one or two letters) is left to one joined query.
SEARCH_PATIENT_LIMIT = 20000


def _search_condition(query: str) -> Q:
    """Bills whose patient's MRN or last name, or whose number, starts with ``query``.

    Written as one OR across the bill and its patient, MariaDB walks every bill newest first and joins its
    patient (seconds at 200k bills). The patients are found first through their MRN and name indexes, so the
    bills are an index merge of (patient_id IN the few ids) and (number LIKE 'query%')."""
    patients = Patient.objects.filter(Q(mrn__istartswith=query) | Q(last_name__istartswith=query))
    patient_ids = list(patients.order_by().values_list("pk", flat=True)[: SEARCH_PATIENT_LIMIT + 1])
    if len(patient_ids) > SEARCH_PATIENT_LIMIT:
        return (
            Q(patient__mrn__istartswith=query) | Q(patient__last_name__istartswith=query) | Q(number__istartswith=query)
        )
    return Q(patient_id__in=patient_ids) | Q(number__istartswith=query)


def bill_sums(bills: QuerySet[Bill]) -> dict[str, Any]:
    """Count and sums of money of a list of bills, in one query."""
    return bills.order_by().aggregate(
        count=Count("id"),
        total=Coalesce(Sum("total"), Value(ZERO), output_field=MONEY),
        amount_paid=Coalesce(Sum("amount_paid"), Value(ZERO), output_field=MONEY),
        balance=Coalesce(Sum("balance"), Value(ZERO), output_field=MONEY),
    )


# The statuses whose bills the roll-up counts exactly when every one of them has a balance left (the services
# keep it so: an issued or partly paid bill whose balance reaches zero becomes paid).
_ROLLUP_STATUSES = {
    OUTSTANDING: [BillStatus.ISSUED, BillStatus.PARTIALLY_PAID],
    BillStatus.ISSUED: [BillStatus.ISSUED],
    BillStatus.PARTIALLY_PAID: [BillStatus.PARTIALLY_PAID],
}


def bill_search_sums(
    bills: QuerySet[Bill],
    *,
    hospital: Hospital | None = None,
    status: str | None = OUTSTANDING,
    date_from: datetime.date | None = None,
    date_to: datetime.date | None = None,
    query: str = "",
) -> dict[str, Any]:
    """``bill_sums`` of the bills ``bill_search`` returned for these filters (a billing staff member's: all bills).

    Without a date range or a search, outstanding, issued or partly paid bills (of all hospitals or one) are
    summed from the ``BillDailyTotal`` roll-up in one small query instead of over every bill: there the open
    count and balance are exactly those of the bills with a balance left, and when every bill of those
    statuses is open (count == open count), their total is the rows' total and what was paid is total minus
    balance (``balance = total - amount_paid`` on each bill). Otherwise (a filter the roll-up does not hold,
    or a bill of those statuses without a balance) the bills themselves are summed.
    """
    statuses = _ROLLUP_STATUSES.get(status or OUTSTANDING)
    if statuses is None or date_from or date_to or (query or "").strip():
        return bill_sums(bills)
    rows = BillDailyTotal.objects.filter(status__in=statuses)
    if hospital is not None:
        rows = rows.filter(hospital_id=hospital.pk)
    rolled = rows.order_by().aggregate(
        count=Coalesce(Sum("count"), 0),
        open_count=Coalesce(Sum("open_count"), 0),
        total=Coalesce(Sum("total"), Value(ZERO), output_field=MONEY),
        balance=Coalesce(Sum("open_balance"), Value(ZERO), output_field=MONEY),
    )
    if rolled["count"] != rolled["open_count"]:
        return bill_sums(bills)
    return {
        "count": rolled["count"],
        "total": rolled["total"],
        "amount_paid": rolled["total"] - rolled["balance"],
        "balance": rolled["balance"],
    }


def _patient_balance() -> Greatest:
    """Bill.patient_balance as a database expression."""
    return Greatest(F("patient_due") - (F("amount_paid") - F("insurance_paid")), Value(ZERO), output_field=MONEY)


def portal_bills(user: AnyUser) -> QuerySet[Bill]:
    """A portal patient's own bills (never drafts), newest first."""
    return bills_seen_by_patient(bill_queryset_for(user), user=user).order_by("-created_at", "-id")


def portal_amount_owed(user: AnyUser) -> Decimal:
    """What the patient still owes over all their bills that are not void: the sum of patient balances."""
    bills = bills_seen_by_patient(bill_queryset_for(user), user=user).exclude(status=BillStatus.VOID)
    result = bills.order_by().aggregate(owed=Coalesce(Sum(_patient_balance()), Value(ZERO), output_field=MONEY))
    return result["owed"]


def portal_bill(user: AnyUser, pk: int) -> Bill:
    """One of the portal patient's own issued bills with everything to print it; Bill.DoesNotExist otherwise."""
    return bills_seen_by_patient(bill_detail_queryset_for(user), user=user).get(pk=pk)


# --- start pages' queues ----------------------------------------------------------------------------------------


def billing_queue(
    *,
    user: AnyUser,
    hospital: Hospital | None = None,
    date_from: datetime.date | None = None,
    date_to: datetime.date | None = None,
    query: str = "",
) -> tuple[QuerySet[Bill], QuerySet[Bill]]:
    """The billing clerk's work queue: (drafts to check and issue, outstanding bills), each the oldest first.

    Both lists share the filters of ``bill_search`` (hospital, service dates, patient or bill number), worked
    out once; each is a range of the (status, created_at) index per status."""
    bills = bill_search(
        user=user, hospital=hospital, status=ALL, date_from=date_from, date_to=date_to, query=query
    ).order_by("created_at", "id")
    drafts = with_list_joins(bills.filter(status=BillStatus.DRAFT))
    outstanding = bills.filter(status__in=[BillStatus.ISSUED, BillStatus.PARTIALLY_PAID], balance__gt=0)
    return drafts, outstanding


def with_list_joins(bills: QuerySet[Bill]) -> QuerySet[Bill]:
    """Bills with only what a list row shows beyond the bill and its hospital: the patient and the claim.

    For pages that read a page of rows in one query (hms.pages.queue_page) and give each bill its hospital from
    the hospitals they already read: joined to the few hospitals, MariaDB reads those first and sorts the bills."""
    return bills.select_related(None).select_related("patient", "claim")


def claims_to_adjudicate(*, user: AnyUser) -> QuerySet[Claim]:
    """Claims waiting for the insurer's decision (submitted or in review), oldest first; the pages filter one
    status at a time (each a range of the (status, created_at) index).

    Scoped by billing.selectors.claim_queryset_for: an insurer sees its own payer's claims only (none without a
    payer link); billing staff see all. The scope is worked out once here, whatever the filters added after."""
    return (
        claim_queryset_for(user)
        .filter(status__in=[ClaimStatus.SUBMITTED, ClaimStatus.IN_REVIEW])
        .order_by("created_at", "id")
    )
