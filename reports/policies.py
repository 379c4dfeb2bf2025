"""Who may see reports (the report API, ``manage.py report`` run by an operator aside) and the dashboard."""

from __future__ import annotations

from hms.roles import is_administrator
from hms.typing import AnyUser
from staff.models import Hospital


def can_view_reports(user: AnyUser) -> bool:
    """Administrators and superusers."""
    return is_administrator(user)


def own_hospital(user: AnyUser | None) -> Hospital | None:
    """The hospital a user's reports are limited to: a staff member's own (superusers, and callers without a
    user such as ``manage.py report``, see every hospital: None)."""
    if user is None or user.is_superuser:
        return None
    profile = getattr(user, "staff_profile", None)
    return profile.hospital if profile is not None else None
