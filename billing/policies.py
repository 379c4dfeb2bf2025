"""Who may see bills and act on claims: billing.selectors and billing.services call these (pages, API, admin and
commands refuse alike).

A portal patient sees their own bills once issued, never a draft (its lines may still change): one rule,
``bills_seen_by_patient``, applied by billing.selectors.bill_queryset_for (the API, and any portal patient) and by
the portal's list, bill and PDF, and amount owed (billing.page_selectors).


An insurer user (the Insurer group, see patients.selectors.is_insurer) works for one payer through
their InsurerAccount: they see and decide only claims whose policy is with that payer. An insurer
without a payer link decides nothing.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet

from billing.choices import BillStatus
from billing.models import Bill, Claim
from hms.typing import AnyUser
from patients.models import InsurancePolicy
from patients.selectors import insurer_payer, is_insurer

# What a patient never sees of their bills: a draft's lines and totals may still change.
HIDDEN_FROM_PATIENTS = (BillStatus.DRAFT,)


def bills_seen_by_patient(bills: QuerySet[Bill], *, user: AnyUser) -> QuerySet[Bill]:
    """The bills a portal patient sees: their own, issued (not draft)."""
    return bills.filter(patient__user=user).exclude(status__in=HIDDEN_FROM_PATIENTS)


def claim_payer_scope(user: AnyUser | None) -> tuple[bool, int | None]:
    """(scoped, payer_id): scoped is True for insurer users, whose claims are those of payer_id (None: no payer)."""
    if user is None or not is_insurer(user):
        return False, None
    payer = insurer_payer(user)
    return True, payer.pk if payer else None


def require_claim_access(
    *, acting_user: AnyUser | None, claim: Claim | None = None, policy: InsurancePolicy | None = None
) -> None:
    """Refuse (PermissionDenied) an insurer acting on a claim (or policy) of another payer, or without a payer."""
    scoped, payer_id = claim_payer_scope(acting_user)
    if not scoped:
        return
    policy = policy if policy is not None else claim.policy
    if payer_id is None:
        raise PermissionDenied("Your insurer account is not linked to a payer; ask an administrator to link it.")
    if policy.payer_id != payer_id:
        raise PermissionDenied("This claim is with another payer; insurers decide only their own payer's claims.")
