"""The two-factor sign-in page: set it up, confirm a login with a code, renew the recovery codes."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django_otp import login as otp_login

from accounts import two_factor
from accounts.forms import CODE_REQUIRED, TwoFactorCodeForm
from hms.exceptions import Conflict


def _next_url(request):
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return target
    return "home"


@login_required
def two_factor_page(request):
    user = request.user
    form = TwoFactorCodeForm(request.POST or None)
    context = {"form": form, "next": _next_url(request), "required": two_factor.two_factor_required(user)}
    if two_factor.two_factor_enabled(user):
        if not user.is_verified():  # logged in before it was on (or by a back-office login without the code)
            if request.method == "POST" and form.is_valid():
                device = two_factor.two_factor_verify(user=user, code=form.cleaned_data["code"])
                if device is not None:
                    otp_login(request, device)
                    return redirect(_next_url(request))
                form.add_error("code", CODE_REQUIRED)
            return render(request, "accounts/two_factor_verify.html", context)
        if request.method == "POST" and request.POST.get("action") == "renew_codes":
            context["codes"] = two_factor.recovery_codes_renew(user=user)
        return render(request, "accounts/two_factor_on.html", context)
    device = two_factor.two_factor_start(user=user)
    if request.method == "POST" and form.is_valid():
        try:
            device, codes = two_factor.two_factor_confirm(user=user, code=form.cleaned_data["code"])
        except Conflict as exc:
            form.add_error("code", exc.message)
        else:
            otp_login(request, device)
            return render(request, "accounts/two_factor_on.html", {**context, "codes": codes, "just_enabled": True})
    context.update(secret=two_factor.app_secret(device), config_url=device.config_url)
    return render(request, "accounts/two_factor_setup.html", context)
