from django.db import models


class ApiTokenRevokeReason(models.TextChoices):
    OWNER = "owner", "Revoked by its owner"
    ADMINISTRATOR = "administrator", "Revoked by an administrator"
    PASSWORD_CHANGED = "password_changed", "The password changed"
    DEACTIVATED = "deactivated", "The login was deactivated"


class ApiTokenState(models.TextChoices):
    ACTIVE = "active", "Active"
    EXPIRED = "expired", "Expired"
    REVOKED = "revoked", "Revoked"
