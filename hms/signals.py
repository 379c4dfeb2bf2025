"""Receivers connected in HmsConfig.ready()."""

from django.db.models import ProtectedError
from django.utils import timezone

from hms.middleware import LAST_ACTIVITY_KEY


def refuse_user_delete(sender, instance, **kwargs):
    """Users are deactivated, never deleted: a deletion would blank the acting user on every history row
    they made (django-simple-history's history_user is SET_NULL) and cascade to their token and groups.

    Sent for ``user.delete()`` and ``User.objects.filter(...).delete()`` alike; test databases are emptied
    by TRUNCATE, which sends no signal.
    """
    raise ProtectedError(
        f"User {instance} cannot be deleted: deactivate the login instead (history keeps who did what).",
        {instance},
    )


def start_idle_clock(sender, request, user, **kwargs):
    """Logging in starts the idle clock (hms.middleware.IdleSessionMiddleware) in the session write that
    login makes anyway, so the next pages write no session."""
    session = getattr(request, "session", None)
    if session is not None:
        session[LAST_ACTIVITY_KEY] = int(timezone.now().timestamp())
