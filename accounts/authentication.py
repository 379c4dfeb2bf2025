"""API authentication by ``Authorization: Token <key>`` against our ApiToken (accounts.models)."""

from datetime import timedelta

from django.utils import timezone
from rest_framework.authentication import TokenAuthentication
from rest_framework.exceptions import AuthenticationFailed

from accounts.keys import token_digest

# last_used_at is written at most once a minute per token, not on every request.
LAST_USED_PRECISION = timedelta(minutes=1)


class ApiTokenAuthentication(TokenAuthentication):
    """DRF's settings import this class while hms.exceptions loads (DEFAULT_AUTHENTICATION_CLASSES), possibly
    before the apps are ready: the model and the services are imported when a token is checked."""

    keyword = "Token"

    def authenticate_credentials(self, key):
        from accounts.models import ApiToken
        from accounts.services import token_revoke_after_password_change

        token = ApiToken.objects.select_related("user").filter(digest=token_digest(key)).first()
        if token is None:
            raise AuthenticationFailed("Invalid token.")
        if token.revoked_at is not None:
            raise AuthenticationFailed("This token was revoked; get a new one at /api/v1/auth/token/.")
        if not token.user.is_active:
            raise AuthenticationFailed("User inactive or deleted.")
        if token.password_changed:
            token_revoke_after_password_change(token=token)
            raise AuthenticationFailed("This token died with a password change; get a new one at /api/v1/auth/token/.")
        now = timezone.now()
        if token.expires_at <= now:
            raise AuthenticationFailed("This token expired; get a new one at /api/v1/auth/token/.")
        if token.last_used_at is None or now - token.last_used_at >= LAST_USED_PRECISION:
            ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        return token.user, token
