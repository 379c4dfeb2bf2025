"""Account actions: API tokens (issue, revoke) and login lockouts (unlock)."""

from __future__ import annotations

import secrets
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from accounts.choices import ApiTokenRevokeReason
from accounts.keys import token_digest
from accounts.models import ApiToken
from accounts.policies import check_may_manage_token, check_may_unlock_logins, is_account_administrator
from hms.access import security_event
from hms.access_models import SecurityEventKind
from hms.exceptions import Conflict
from hms.typing import User

DEFAULT_TOKEN_LIFETIME = timedelta(hours=12)


def token_lifetime() -> timedelta:
    return getattr(settings, "API_TOKEN_LIFETIME", DEFAULT_TOKEN_LIFETIME)


@transaction.atomic
def token_issue(*, user: User, name: str = "") -> tuple[ApiToken, str]:
    """A new token for ``user`` (who has just proved their password). Returns (token, key): the key is
    shown once and never stored, only its digest."""
    key = secrets.token_urlsafe(30)
    now = timezone.now()
    token = ApiToken(
        user=user,
        name=name,
        prefix=key[:8],
        digest=token_digest(key),
        auth_hash=user.get_session_auth_hash(),
        created_at=now,
        expires_at=now + token_lifetime(),
    )
    token.full_clean()
    token.save()
    security_event(kind=SecurityEventKind.TOKEN_ISSUED, user=user, detail=f"token {token.prefix}…")
    return token, key


def _revoke(queryset: QuerySet[ApiToken], *, reason: str, acting_user: User | None) -> int:
    return queryset.filter(revoked_at__isnull=True).update(
        revoked_at=timezone.now(), revoked_by=acting_user, revoke_reason=reason
    )


@transaction.atomic
def token_revoke(*, token: ApiToken, acting_user: User) -> ApiToken:
    """Revoke one token (its owner or an administrator). The row stays, with who revoked it and when."""
    check_may_manage_token(user=acting_user, token=token)
    token = ApiToken.objects.select_for_update().get(pk=token.pk)
    if token.revoked_at is not None:
        raise Conflict("This token is already revoked.", code="already_revoked")
    reason = ApiTokenRevokeReason.OWNER if token.user_id == acting_user.pk else ApiTokenRevokeReason.ADMINISTRATOR
    _revoke(ApiToken.objects.filter(pk=token.pk), reason=reason, acting_user=acting_user)
    token.refresh_from_db()
    security_event(
        kind=SecurityEventKind.TOKEN_REVOKED, user=token.user, actor=acting_user, detail=f"token {token.prefix}…"
    )
    return token


@transaction.atomic
def tokens_revoke_for_user(*, user: User, acting_user: User, reason: str | None = None) -> int:
    """Revoke every live token of ``user``. Returns how many were revoked.

    Asked for directly (no ``reason``): by the user or an administrator. With a ``reason`` it is the
    consequence of another service's action, which checked who may act (a deactivation)."""
    if reason is None:
        if acting_user.pk != user.pk and not is_account_administrator(acting_user):
            raise PermissionDenied("Only the user or an administrator may revoke their tokens.")
        owner = acting_user.pk == user.pk
        reason = ApiTokenRevokeReason.OWNER if owner else ApiTokenRevokeReason.ADMINISTRATOR
    count = _revoke(ApiToken.objects.filter(user=user), reason=reason, acting_user=acting_user)
    if count:
        security_event(
            kind=SecurityEventKind.TOKEN_REVOKED, user=user, actor=acting_user, detail=f"{count} token(s): {reason}"
        )
    return count


def token_revoke_after_password_change(*, token: ApiToken) -> None:
    """Record that a token died with its user's password (found when it is next presented)."""
    if _revoke(ApiToken.objects.filter(pk=token.pk), reason=ApiTokenRevokeReason.PASSWORD_CHANGED, acting_user=None):
        security_event(kind=SecurityEventKind.TOKEN_REVOKED, user=token.user, detail=f"token {token.prefix}…: password")


@transaction.atomic
def login_unlock(*, acting_user: User, username: str | None = None, ip_address: str | None = None) -> int:
    """Lift a login lockout: forget the failed attempts of a username and/or an IP address (django-axes'
    attempt rows; the access and failure logs stay). Returns how many attempt records were reset."""
    from axes.utils import reset

    check_may_unlock_logins(user=acting_user)
    if not username and not ip_address:
        raise Conflict("Name a username or an IP address to unlock.", code="nothing_to_unlock")
    count = 0
    if username:
        count += reset(username=username)
    if ip_address:
        count += reset(ip=ip_address)
    return count
