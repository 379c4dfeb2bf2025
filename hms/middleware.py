"""Request-wide guards that run before any view, and idle logoff."""

from django.conf import settings
from django.http import HttpResponse, JsonResponse
from django.utils import timezone

from hms.views import is_api_request

DEFAULT_MAX_REQUEST_BODY = 2_621_440  # 2.5 MB, Django's DATA_UPLOAD_MAX_MEMORY_SIZE default


def max_request_body():
    return getattr(settings, "MAX_REQUEST_BODY_BYTES", DEFAULT_MAX_REQUEST_BODY)


class RequestBodyLimitMiddleware:
    """A body larger than settings.MAX_REQUEST_BODY_BYTES answers 413 before anything reads it:
    JSON under /api/, a plain page elsewhere. (Django alone answers such a form post with a 400,
    and DRF's parsers read the stream without any limit.)"""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        limit = max_request_body()
        if limit is not None and length > limit:
            message = f"The request body is too large ({length} bytes); the limit is {limit} bytes."
            if is_api_request(request):
                return JsonResponse({"detail": message, "code": "request_too_large"}, status=413)
            return HttpResponse(message, status=413, content_type="text/plain; charset=utf-8")
        return self.get_response(request)


LAST_ACTIVITY_KEY = "_hms_last_activity"


def session_refresh_seconds():
    return getattr(settings, "SESSION_REFRESH_SECONDS", 60)


class IdleSessionMiddleware:
    """HIPAA idle logoff without writing the session on every request.

    A logged-in session remembers when it was last active (epoch seconds). A request after more than
    SESSION_COOKIE_AGE seconds of idleness ends the session (the user is logged off); otherwise the
    timestamp, and with it the session's expiry (database row and cookie), is renewed at most once per
    SESSION_REFRESH_SECONDS. So an idle user is logged off after at most SESSION_COOKIE_AGE seconds
    (between AGE - REFRESH and AGE after their last request), and a busy user costs one session write a
    minute, not one per request. Requests without a session cookie (API tokens) never touch the session.
    Goes right after SessionMiddleware, before AuthenticationMiddleware.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        session = getattr(request, "session", None)
        if session is not None and session.session_key is not None:
            last = session.get(LAST_ACTIVITY_KEY)
            if last is not None and timezone.now().timestamp() - last > settings.SESSION_COOKIE_AGE:
                session.flush()
        response = self.get_response(request)
        if session is not None and not session.is_empty() and "_auth_user_id" in session:
            now = timezone.now().timestamp()
            last = session.get(LAST_ACTIVITY_KEY)
            if last is None or now - last >= session_refresh_seconds():
                session[LAST_ACTIVITY_KEY] = int(now)
        return response
