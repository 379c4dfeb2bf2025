"""Request-wide guards that run before any view."""

from django.conf import settings
from django.http import HttpResponse, JsonResponse

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
