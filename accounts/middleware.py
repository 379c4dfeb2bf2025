from django.utils.cache import add_never_cache_headers


class NoStoreMiddleware:
    """Every answer to a logged-in user (session or API token) may hold patient data: no cache keeps it
    (``Cache-Control: no-store``, private, max-age=0). Pages for anonymous visitors (the login page) are left
    as they are."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)  # an API token's user too: DRF sets it on this request
        if (user is not None and user.is_authenticated) or "HTTP_AUTHORIZATION" in request.META:
            add_never_cache_headers(response)
        return response
