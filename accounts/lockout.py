"""What a locked-out login sees (settings.AXES_LOCKOUT_CALLABLE), on every login endpoint."""

from django.conf import settings
from django.http import JsonResponse
from django.shortcuts import render

from hms.views import is_api_request

LOCKED_OUT_STATUS = 429


def lockout_minutes():
    cool_off = settings.AXES_COOLOFF_TIME
    return max(1, int(cool_off.total_seconds() // 60)) if cool_off else None


def lockout_message():
    minutes = lockout_minutes()
    wait = f"Try again in {minutes} minutes or ask" if minutes else "Ask"
    return f"Too many failed logins: this login (or this computer) is locked. {wait} an administrator to unlock it."


def lockout_response(request, original_response=None, credentials=None):
    if is_api_request(request):
        return JsonResponse({"detail": lockout_message(), "code": "locked_out"}, status=LOCKED_OUT_STATUS)
    if original_response is not None and original_response.status_code == 200:
        # The login page (ours or the admin's), re-rendered with the lockout as its form error.
        original_response.status_code = LOCKED_OUT_STATUS
        return original_response
    return render(
        request, "hms/error.html", {"title": "Login locked", "message": lockout_message()}, status=LOCKED_OUT_STATUS
    )
