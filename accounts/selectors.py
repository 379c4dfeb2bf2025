from __future__ import annotations

from django.db.models import QuerySet

from accounts.models import ApiToken
from accounts.policies import is_account_administrator
from hms.typing import AnyUser


def token_list(*, user: AnyUser) -> QuerySet[ApiToken]:
    """The tokens a user may see: their own; an administrator sees everyone's."""
    tokens = ApiToken.objects.select_related("user", "revoked_by")
    return tokens if is_account_administrator(user) else tokens.filter(user=user)
