import functools

from django.http import JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.cache import add_never_cache_headers
from django.utils.functional import SimpleLazyObject
from django.utils.http import urlencode
from django_otp import DEVICE_ID_SESSION_KEY

from accounts.two_factor import two_factor_required
from hms.views import is_api_request


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


def _with_verification(request, user):
    user.otp_device = None
    session = request.session
    user.is_verified = lambda: user.is_authenticated and session.get(DEVICE_ID_SESSION_KEY) is not None
    return user


class OTPSessionMiddleware:
    """django-otp's OTPMiddleware without its query per request: ``request.user.is_verified()`` is whether this
    session's login was confirmed with a code (django_otp.login() marked the session; logging out clears it).
    django-otp's own middleware loads the device on every request to check it still exists; here turning a
    user's two-factor sign-in off (a lost phone) leaves their current sessions as they are."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None:
            request.user = SimpleLazyObject(functools.partial(_with_verification, request, user))
        return self.get_response(request)


TWO_FACTOR_FREE_PATHS = (
    "/account/two-factor/",
    "/logout/",
    "/login/",
    "/password-reset/",
    "/static/",
    "/admin/login/",
    "/admin/logout/",
)


class TwoFactorRequiredMiddleware:
    """A logged-in user whose role must sign in with two factors (settings.TWO_FACTOR_REQUIRED_ROLES) and whose
    session has not been confirmed with a code is sent to /account/two-factor/ (set it up, or enter a code);
    the API answers 403. API tokens are only issued with the code, so token requests pass (their user is set
    by DRF, after this). Goes after OTPSessionMiddleware."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and not request.path.startswith(TWO_FACTOR_FREE_PATHS)
            and not user.is_verified()
            and two_factor_required(user)
        ):
            if is_api_request(request):
                return JsonResponse(
                    {
                        "detail": "Your role signs in with two factors: confirm this login at /account/two-factor/.",
                        "code": "two_factor_required",
                    },
                    status=403,
                )
            return redirect(f"{reverse('two_factor')}?{urlencode({'next': request.get_full_path()})}")
        return self.get_response(request)
