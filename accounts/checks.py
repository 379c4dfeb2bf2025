from django.conf import settings
from django.core.checks import Error, register

from hms.roles import ALL_GROUPS


@register()
def two_factor_roles_exist(app_configs, **kwargs):
    """A misspelt role in TWO_FACTOR_REQUIRED_ROLES would silently require two factors of nobody."""
    unknown = sorted(set(getattr(settings, "TWO_FACTOR_REQUIRED_ROLES", [])) - set(ALL_GROUPS))
    if not unknown:
        return []
    return [
        Error(
            f"TWO_FACTOR_REQUIRED_ROLES names unknown roles: {', '.join(unknown)}.",
            hint=f"Use role names: {', '.join(ALL_GROUPS)}.",
            id="accounts.E001",
        )
    ]
