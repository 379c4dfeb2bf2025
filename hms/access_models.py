"""The access log and the security events: append-only audit tables (issue 14, "Read audit").

Who read which patient's data (``AccessEntry``, one row per patient per request, written by
hms.access.AccessLogMiddleware) and what happened to logins (``SecurityEvent``: logins, failures, lockouts,
password and role changes, API tokens). hms imports no domain app: a patient is named by a plain integer id
and a snapshot of their MRN, a user by id and a snapshot of their username, name and roles.

Rows are written once and never changed or deleted: ``save()`` of an existing row, ``delete()`` and a
queryset's ``update()`` / ``delete()`` raise ``AuditRowImmutable`` (hms.append_only); the admin and the API
only read them.
"""

from django.db import models
from django.utils import timezone

from hms.append_only import AppendOnlyModel


class AccessKind(models.TextChoices):
    CHART = "chart", "Chart"
    VISIT = "visit", "Visit"
    LIST = "list", "List page"
    SEARCH = "search", "Search"
    EXPORT = "export", "Export"
    PDF = "pdf", "PDF document"
    ADMIN = "admin", "Back office record"
    ADMIN_LIST = "admin_list", "Back office list"
    API_DETAIL = "api_detail", "API record"
    API_LIST = "api_list", "API list"


class AccessEntry(AppendOnlyModel):
    """One patient's data seen in one request (or, for a search that found nobody, the search itself)."""

    at = models.DateTimeField(default=timezone.now, editable=False)
    request_id = models.CharField(max_length=32, editable=False, help_text="Groups the rows of one request.")
    user_id = models.PositiveIntegerField(null=True, blank=True, editable=False)
    username = models.CharField(max_length=150, blank=True, editable=False)
    user_name = models.CharField("name", max_length=300, blank=True, editable=False)
    roles = models.CharField(max_length=300, blank=True, editable=False)
    ip = models.GenericIPAddressField("IP address", null=True, blank=True, editable=False)
    user_agent = models.CharField(max_length=300, blank=True, editable=False)
    method = models.CharField(max_length=10, blank=True, editable=False)
    path = models.CharField(max_length=500, blank=True, editable=False)
    kind = models.CharField(max_length=20, choices=AccessKind.choices, editable=False)
    what = models.CharField(
        max_length=100, blank=True, editable=False, help_text="The kind of row, e.g. clinical.medicalrecord."
    )
    object_ids = models.CharField(
        max_length=500, blank=True, editable=False, help_text="The rows' ids (of this patient)."
    )
    patient_id = models.PositiveIntegerField(null=True, blank=True, editable=False)
    mrn = models.CharField("MRN", max_length=20, blank=True, editable=False)
    terms = models.CharField("search terms", max_length=200, blank=True, editable=False)
    reason = models.CharField(
        max_length=500, blank=True, editable=False, help_text="Why: the care relationship or the break-glass reason."
    )

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = "access log entry"
        verbose_name_plural = "access log"
        indexes = [
            models.Index(fields=["patient_id", "at", "id"], name="access_patient_at"),
            models.Index(fields=["mrn", "at", "id"], name="access_mrn_at"),
            models.Index(fields=["username", "at", "id"], name="access_username_at"),
            models.Index(fields=["user_id", "at", "id"], name="access_user_at"),
            models.Index(fields=["at", "id"], name="access_at"),
        ]

    def __str__(self):
        who = self.username or "anonymous"
        whom = f" patient {self.mrn or self.patient_id}" if self.patient_id else ""
        return f"{self.at:%Y-%m-%d %H:%M} {who}: {self.get_kind_display()} {self.what}{whom}"


class SecurityEventKind(models.TextChoices):
    LOGIN = "login", "Login"
    LOGIN_FAILED = "login_failed", "Failed login"
    LOGOUT = "logout", "Logout"
    LOCKOUT = "lockout", "Lockout"
    PASSWORD_CHANGED = "password_changed", "Password changed"
    TOKEN_ISSUED = "token_issued", "API token issued"
    TOKEN_REVOKED = "token_revoked", "API token revoked"
    ROLE_ADDED = "role_added", "Role given"
    ROLE_REMOVED = "role_removed", "Role taken away"


class SecurityEvent(AppendOnlyModel):
    """A login, a failure, a lockout, a password or role change, an API token issued or revoked."""

    at = models.DateTimeField(default=timezone.now, editable=False)
    kind = models.CharField(max_length=20, choices=SecurityEventKind.choices, editable=False)
    user_id = models.PositiveIntegerField(null=True, blank=True, editable=False, help_text="Whose account.")
    username = models.CharField(max_length=150, blank=True, editable=False)
    actor_username = models.CharField(
        "by", max_length=150, blank=True, editable=False, help_text="Who acted, when not the account's owner."
    )
    ip = models.GenericIPAddressField("IP address", null=True, blank=True, editable=False)
    user_agent = models.CharField(max_length=300, blank=True, editable=False)
    detail = models.CharField(max_length=300, blank=True, editable=False)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [
            models.Index(fields=["kind", "at", "id"], name="security_kind_at"),
            models.Index(fields=["username", "at", "id"], name="security_username_at"),
            models.Index(fields=["at", "id"], name="security_at"),
        ]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.get_kind_display()}: {self.username or '?'}"
