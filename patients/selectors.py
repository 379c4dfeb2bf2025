"""Reads of patient data, scoped to what the user may see."""

from __future__ import annotations

import datetime
from typing import Any

from django.db.models import Q, QuerySet, Value

from hms.db import union_count, union_rows
from hms.pagination import count_at_most, keyset_after, ordering_keys
from hms.roles import INSURER, is_portal_patient, user_roles
from hms.typing import AnyUser, ModelT
from patients.models import (
    Allergy,
    BreakGlassGrant,
    Consent,
    InsurancePolicy,
    InsurerAccount,
    MedicalHistoryEntry,
    Patient,
    Payer,
)
from patients.policies import scope_to_care


def is_insurer(user: AnyUser) -> bool:
    """A user of the Insurer group (not a superuser): sees only the claims of the payer they work for."""
    if not user.is_authenticated or user.is_superuser:
        return False
    return INSURER in user_roles(user)


def insurer_payer(user: AnyUser) -> Payer | None:
    """The payer an insurer user works for (their InsurerAccount), or None when they have none."""
    if not user.is_authenticated:
        return None
    account = InsurerAccount.objects.select_related("payer").filter(user=user).first()
    return account.payer if account else None


def payer_queryset_for(user: AnyUser) -> QuerySet[Payer]:
    """Payers: all for staff who may view them; an insurer sees only their own payer."""
    qs = Payer.objects.all()
    if not user.is_authenticated or not user.has_perm("patients.view_payer"):
        return qs.none()
    if is_insurer(user):
        return qs.filter(insurer_accounts__user=user)
    return qs


def patient_queryset_for(user: AnyUser) -> QuerySet[Patient]:
    """Patients the user may see: all for staff, their own for a portal patient, none otherwise."""
    qs = Patient.objects.select_related("preferred_hospital")
    if not user.is_authenticated:
        return qs.none()
    if is_portal_patient(user):
        return qs.filter(user=user)
    return qs


def _term_matches(term: str) -> Q:
    """One word of a search: the exact MRN, or the start of the first or of the last name."""
    return Q(mrn__iexact=term) | Q(first_name__istartswith=term) | Q(last_name__istartswith=term)


def patient_search(*, user: AnyUser, query: str = "", include_inactive: bool = False) -> QuerySet[Patient]:
    """The patients matching every word of ``query`` (exact MRN or name prefix), by name.

    For short lists (a picker). A page of the search reads ``patient_search_page``: this single
    query ORs three indexes and sorts by name, which MariaDB answers by walking the whole name
    index."""
    qs = patient_queryset_for(user)
    if not include_inactive:
        qs = qs.filter(is_active=True)
    for term in (query or "").split():
        qs = qs.filter(_term_matches(term))
    return qs.order_by("last_name", "first_name", "mrn")


# The order of the search, completed with id: (last_name, first_name, mrn, id).
PATIENT_SEARCH_KEYS = ordering_keys(Patient, ["last_name", "first_name", "mrn"])


def _search_ways(query: str | None) -> tuple[list[Q], Q] | None:
    """The search split for the indexes: ([the longest word's last-name prefix, first-name prefix and
    exact MRN], the other words' condition), or None without words. The longest word (the most
    selective, as a rule) leads."""
    terms = (query or "").split()
    if not terms:
        return None
    lead = max(terms, key=len)
    rest = list(terms)
    rest.remove(lead)
    others = Q()
    for term in rest:
        others &= _term_matches(term)
    return [Q(last_name__istartswith=lead), Q(first_name__istartswith=lead), Q(mrn__iexact=lead)], others


def _search_branches(*, user: AnyUser, split: tuple[list[Q], Q], include_inactive: bool) -> list[QuerySet[Patient]]:
    """The search (``_search_ways``) as a few queries each served by one index, whose union is the search:
    the lead word's last-name prefix walks the (last_name, first_name, mrn) index in order, its first-name
    prefix the first-name index, its MRN the unique index; the other words filter the rows each branch reads."""
    ways, others = split
    qs = patient_queryset_for(user).select_related(None)
    if not include_inactive:
        qs = qs.filter(is_active=True)
    qs = qs.filter(others)
    return [qs.filter(way) for way in ways]


def patient_search_page(
    *,
    user: AnyUser,
    size: int,
    query: str = "",
    include_inactive: bool = False,
    position: tuple[Any, ...] | None = None,
    backwards: bool = False,
) -> tuple[list[Patient], list[tuple[Any, ...]], bool]:
    """One page of ``patient_search`` in PATIENT_SEARCH_KEYS order, just after ``position`` (a key
    tuple; None for the first page) or, ``backwards``, just before it.

    Each branch of the search reads at most ``size + 1`` keys past the position along its own
    index; the union of them, ordered and cut, is the page, then its patients are read by id. A
    search for "Smi" among 100,000 patients then costs what it does among 2,000.
    Answers (patients, their key tuples, whether more lie beyond in the direction read)."""
    keys = PATIENT_SEARCH_KEYS
    walk = [key.reversed() for key in keys] if backwards else keys
    order = [key.term for key in walk]
    names = [key.name for key in keys]
    split = _search_ways(query)
    if split is None:
        qs = patient_queryset_for(user).select_related(None)
        branches = [qs if include_inactive else qs.filter(is_active=True)]
    else:
        branches = _search_branches(user=user, split=split, include_inactive=include_inactive)
    if position is not None:
        branches = [branch.filter(keyset_after(walk, position)) for branch in branches]
    branches = [branch.order_by(*order).values_list(*names)[: size + 1] for branch in branches]
    key_rows = union_rows(branches, order=order, limit=size + 1)
    more = len(key_rows) > size
    key_rows = key_rows[:size]
    if backwards:
        key_rows.reverse()
    by_pk = {p.pk: p for p in patient_queryset_for(user).filter(pk__in=[row[-1] for row in key_rows])}
    pairs = [(by_pk[row[-1]], row) for row in key_rows if row[-1] in by_pk]
    return [p for p, _ in pairs], [row for _, row in pairs], more


def patient_search_count(*, user: AnyUser, query: str = "", include_inactive: bool = False, cap: int) -> int:
    """How many patients ``patient_search`` finds, counting at most ``cap + 1``: each branch of
    the search reads at most ``cap + 1`` ids along its index (a count past the cap in one branch
    is past it in the union)."""
    split = _search_ways(query)
    if split is None:
        qs = patient_queryset_for(user)
        return count_at_most(qs if include_inactive else qs.filter(is_active=True), cap)
    branches = _search_branches(user=user, split=split, include_inactive=include_inactive)
    ids = [branch.order_by().values_list("pk")[: cap + 1] for branch in branches]
    return union_count(ids)


def patient_search_condition(*, user: AnyUser, query: str, include_inactive: bool = True) -> tuple[Q, str] | None:
    """``patient_search``'s condition reduced to the ways of matching that find someone, for a list
    sorted by name (the admin's), as (condition, the first last name found), or None when nobody
    matches. "Smi" found only by last name becomes ``last_name LIKE 'Smi%'``: one range of the
    name index, read in order, where the OR of three columns walks the whole index. One query."""
    split = _search_ways(query)
    if split is None:
        return None
    branches = _search_branches(user=user, split=split, include_inactive=include_inactive)
    firsts = [
        branch.annotate(search_branch=Value(i)).order_by("last_name").values_list("search_branch", "last_name")[:1]
        for i, branch in enumerate(branches)
    ]
    found = dict(union_rows(firsts, all=True))
    if not found:
        return None
    ways, others = split
    condition = Q()
    for i in sorted(found):
        condition |= ways[i]
    return condition & others, min(found.values())


def _chart_rows(model: type[ModelT], user: AnyUser) -> QuerySet[ModelT]:
    qs = model.objects.select_related("patient")
    if not user.is_authenticated:
        return qs.none()
    if is_portal_patient(user):
        return qs.filter(patient__user=user)
    return scope_to_care(qs, user)  # a doctor or nurse: the patients in their care (patients.policies)


def allergy_queryset_for(user: AnyUser) -> QuerySet[Allergy]:
    return _chart_rows(Allergy, user)


def medical_history_queryset_for(user: AnyUser) -> QuerySet[MedicalHistoryEntry]:
    return _chart_rows(MedicalHistoryEntry, user)


def insurance_policy_queryset_for(user: AnyUser) -> QuerySet[InsurancePolicy]:
    return _chart_rows(InsurancePolicy, user).select_related("payer")


def patient_for_user(user: AnyUser) -> Patient | None:
    """The patient record linked to a portal user, or None."""
    if not user.is_authenticated:
        return None
    return Patient.objects.select_related("preferred_hospital").filter(user=user).first()


# --- Consents and break-glass grants ----------------------------------------------------------------------


def consents_of(patient: Patient) -> dict[str, Consent]:
    """The patient's consents by kind ({kind: Consent}); a kind without a row was never given."""
    return {consent.kind: consent for consent in Consent.objects.filter(patient=patient).select_related("changed_by")}


def consenting_patient_ids(kind: str) -> QuerySet[Consent]:
    """A subquery of the ids of patients who granted consent of ``kind`` (consent_kind_granted_idx)."""
    return Consent.objects.filter(kind=kind, granted=True).values("patient_id")


def has_consent(patient_id: int, kind: str) -> bool:
    return Consent.objects.filter(patient_id=patient_id, kind=kind, granted=True).exists()


def break_glass_grants(*, reviewed: bool | None = None) -> QuerySet[BreakGlassGrant]:
    """Break-glass grants, newest first; only the reviewed (or unreviewed) ones when asked (breakglass_review_idx)."""
    qs = BreakGlassGrant.objects.select_related("user", "patient", "reviewed_by")
    if reviewed is not None:
        qs = qs.filter(reviewed_at__isnull=not reviewed)
    return qs.order_by("-started_at", "-id")


def break_glass_grants_between(start: datetime.datetime, end: datetime.datetime) -> QuerySet[BreakGlassGrant]:
    """The grants started in [start, end), oldest first (the digest; breakglass_started_idx)."""
    return (
        BreakGlassGrant.objects.filter(started_at__gte=start, started_at__lt=end)
        .select_related("user", "patient")
        .order_by("started_at", "id")
    )
