"""Who may act on claims, called by billing.services (pages, API, admin and commands refuse alike).

An insurer user (the Insurer group, see patients.selectors.is_insurer) works for one payer through
their InsurerAccount: they see and decide only claims whose policy is with that payer. An insurer
without a payer link decides nothing.
"""

from django.core.exceptions import PermissionDenied

from patients.selectors import insurer_payer, is_insurer


def claim_payer_scope(user):
    """(scoped, payer_id): scoped is True for insurer users, whose claims are those of payer_id (None: no payer)."""
    if user is None or not is_insurer(user):
        return False, None
    payer = insurer_payer(user)
    return True, payer.pk if payer else None


def require_claim_access(*, acting_user, claim=None, policy=None):
    """Refuse (PermissionDenied) an insurer acting on a claim (or policy) of another payer, or without a payer."""
    scoped, payer_id = claim_payer_scope(acting_user)
    if not scoped:
        return
    policy = policy if policy is not None else claim.policy
    if payer_id is None:
        raise PermissionDenied("Your insurer account is not linked to a payer; ask an administrator to link it.")
    if policy.payer_id != payer_id:
        raise PermissionDenied("This claim is with another payer; insurers decide only their own payer's claims.")
