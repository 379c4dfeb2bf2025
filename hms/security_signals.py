"""Security events (hms.access_models.SecurityEvent) from Django's and django-axes' signals, connected in
HmsConfig.ready(): logins, failed logins, logouts, lockouts, password changes and role (group) changes.
API tokens issued and revoked are recorded by accounts.services itself."""

from hms.access import security_event
from hms.access_models import SecurityEventKind


def _current():
    """(request, acting user) of the change, when it happens in a request (django-simple-history's middleware keeps
    the request of the thread); (None, None) in a command or a shell."""
    from simple_history.models import HistoricalRecords

    request = getattr(HistoricalRecords.context, "request", None)
    user = getattr(request, "user", None)
    return request, (user if user is not None and user.is_authenticated else None)


def on_login(sender, request, user, **kwargs):
    security_event(kind=SecurityEventKind.LOGIN, request=request, user=user)


def on_logout(sender, request, user, **kwargs):
    if user is not None:
        security_event(kind=SecurityEventKind.LOGOUT, request=request, user=user)


def on_login_failed(sender, credentials, request=None, **kwargs):
    username = credentials.get("username") or ""
    security_event(kind=SecurityEventKind.LOGIN_FAILED, request=request, username=username)


def on_locked_out(sender, request, username=None, ip_address=None, **kwargs):
    security_event(
        kind=SecurityEventKind.LOCKOUT, request=request, username=username or "", detail=f"address {ip_address}"
    )


def on_user_saved(sender, instance, created, **kwargs):
    """A password set with set_password() and saved (Django's AbstractBaseUser keeps the raw one in ``_password``
    until the save): a password change. A hash upgraded at login (check_password) clears it first, so it is not."""
    if not created and getattr(instance, "_password", None) is not None:
        request, actor = _current()
        security_event(kind=SecurityEventKind.PASSWORD_CHANGED, request=request, user=instance, actor=actor)


def on_groups_changed(sender, instance, action, pk_set, model, **kwargs):
    """A role given or taken away (user.groups.add/remove/set/clear, either side of the relation)."""
    if action not in ("post_add", "post_remove", "pre_clear"):
        return
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    kind = SecurityEventKind.ROLE_ADDED if action == "post_add" else SecurityEventKind.ROLE_REMOVED
    if isinstance(instance, Group):
        users = list(get_user_model().objects.filter(pk__in=pk_set or ()))
        pairs = [(user, instance.name) for user in users]
    else:
        if action == "pre_clear":
            names = list(instance.groups.values_list("name", flat=True))
        else:
            names = list(Group.objects.filter(pk__in=pk_set or ()).values_list("name", flat=True))
        pairs = [(instance, name) for name in names]
    request, actor = _current()
    for user, name in pairs:
        security_event(kind=kind, request=request, user=user, actor=actor, detail=name)
