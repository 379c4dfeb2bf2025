"""Login lockout (django-axes) in front of hms.permissions.RoleBackend."""

from axes.backends import AxesStandaloneBackend


class LockoutBackend(AxesStandaloneBackend):
    """Refuses a locked-out username or IP address before any password is checked.

    Every login this project offers (the login page, the admin login, /api/v1/auth/token/) passes the request;
    a call without one (Django's test client ``login()``, the shell) has no IP to count and is left to the
    next backend, where django-axes itself would raise.
    """

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)
