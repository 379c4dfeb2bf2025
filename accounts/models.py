"""API tokens: several named tokens per user, each with a lifetime; revoked, never deleted.

Only a SHA-256 digest of the key is stored (the key is shown once, when it is issued). A token works
while it is not revoked, not expired, its user is active and the user's password is the one it was issued
under (``auth_hash``, as Django does for sessions): a password change or a deactivation kills it.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.crypto import constant_time_compare

from accounts.choices import ApiTokenRevokeReason


class ApiToken(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="api_tokens")
    name = models.CharField(max_length=100, blank=True, help_text="What the token is for (a script, a device).")
    prefix = models.CharField(max_length=8, editable=False, help_text="The first characters of the key.")
    digest = models.CharField(max_length=64, unique=True, editable=False)
    auth_hash = models.CharField(max_length=128, editable=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    expires_at = models.DateTimeField(editable=False)
    last_used_at = models.DateTimeField(null=True, blank=True, editable=False)
    revoked_at = models.DateTimeField(null=True, blank=True, editable=False)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
    )
    revoke_reason = models.CharField(max_length=20, choices=ApiTokenRevokeReason.choices, blank=True, editable=False)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["user", "-created_at", "-id"], name="apitoken_user_created"),
            models.Index(fields=["-created_at", "-id"], name="apitoken_created"),
        ]
        verbose_name = "API token"

    def __str__(self):
        label = self.name or "token"
        return f"{label} ({self.prefix}…) of {self.user}"

    @property
    def is_expired(self):
        return self.expires_at <= timezone.now()

    @property
    def password_changed(self):
        """The user's password changed since the token was issued (the token is dead, revoked or not yet)."""
        return not constant_time_compare(self.auth_hash, self.user.get_session_auth_hash())

    @property
    def state(self):
        if self.revoked_at is not None or self.password_changed or not self.user.is_active:
            return "revoked"
        return "expired" if self.is_expired else "active"
