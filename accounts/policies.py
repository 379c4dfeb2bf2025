"""Who may act on accounts: the owner of a token, and administrators (the Administrator role or a superuser)."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied

from accounts.models import ApiToken
from hms.roles import is_administrator
from hms.typing import AnyUser, User


def is_account_administrator(user: AnyUser) -> bool:
    return is_administrator(user)


def check_may_manage_token(*, user: User, token: ApiToken) -> None:
    if token.user_id != user.pk and not is_account_administrator(user):
        raise PermissionDenied("Only the token's owner or an administrator may revoke it.")


def check_may_unlock_logins(*, user: User) -> None:
    if not is_account_administrator(user):
        raise PermissionDenied("Only an administrator may unlock logins.")
