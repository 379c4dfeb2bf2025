"""Logging filters (wired in settings.LOGGING).

A refused request (403, 404, and the other 4xx answers Django's ``django.request`` logger reports) is an
everyday event, not a fault: it is logged as one warning line naming the user and the path, never with the
stack trace of the PermissionDenied or Http404 that produced it. Server errors (5xx) keep their traceback.
"""

import logging


def _who(request):
    user = getattr(request, "user", None)
    if user is None:
        return "unknown user"
    if not getattr(user, "is_authenticated", False):
        return "anonymous"
    return f"{user.get_username()} (id {user.pk})"


class RefusalOneLine(logging.Filter):
    def filter(self, record):
        status = getattr(record, "status_code", None)
        if status is None or not 400 <= status < 500:
            return True
        request = getattr(record, "request", None)
        method = getattr(request, "method", "") or ""
        path = getattr(request, "path", "") or ""
        reason = record.getMessage().split(":", 1)[0]  # "Forbidden (Permission denied)", "Not Found", ...
        record.msg = "Refused %s %s: %s %s by %s"
        record.args = (status, reason, method, path.encode("unicode_escape").decode("ascii"), _who(request))
        record.exc_info = None
        record.exc_text = None
        record.stack_info = None
        record.levelno = logging.WARNING
        record.levelname = logging.getLevelName(logging.WARNING)
        return True
