from django.contrib.auth.decorators import login_required
from django.http import JsonResponse
from django.shortcuts import redirect, render

from hms.roles import START_PAGES, user_roles


@login_required
def home(request):
    """Send each user to the start page of their first role; a superuser without a role to the back office."""
    for role in user_roles(request.user):
        if role in START_PAGES:
            return redirect(START_PAGES[role])
    if request.user.is_superuser:
        return redirect("admin:index")
    return render(request, "hms/no_role.html", status=403)


def is_api_request(request):
    """An API client's request: it gets JSON answers, errors included."""
    return request.path.startswith("/api/")


def not_found(request, exception=None):
    if is_api_request(request):  # an API client gets JSON, as the schema says, even for a URL no route matches
        return JsonResponse({"detail": "Not found."}, status=404)
    return render(request, "hms/error.html", {"title": "Not found", "message": "This page does not exist."}, status=404)


def forbidden(request, exception=None):
    return render(
        request,
        "hms/error.html",
        {"title": "Not allowed", "message": "Your role does not give access to this page."},
        status=403,
    )


def server_error(request):
    if is_api_request(request):
        return JsonResponse({"detail": "Something went wrong on our side. Nothing was changed."}, status=500)
    return render(
        request,
        "hms/error.html",
        {"title": "Something went wrong", "message": "The error was logged. Nothing was changed."},
        status=500,
    )
