from accounts.models import ApiToken
from accounts.policies import is_account_administrator


def token_list(*, user):
    """The tokens a user may see: their own; an administrator sees everyone's."""
    tokens = ApiToken.objects.select_related("user", "revoked_by")
    return tokens if is_account_administrator(user) else tokens.filter(user=user)
