"""Receivers connected in HmsConfig.ready()."""

from django.db.models import ProtectedError


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
