from django import forms
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.forms import AuthenticationForm

from accounts.lockout import lockout_message
from accounts.two_factor import two_factor_enabled, two_factor_verify

CODE_REQUIRED = "Enter the 6-digit code from your authenticator app, or one of your recovery codes."


class LockoutMessageMixin:
    """A login refused because of too many failures says so (instead of "wrong password")."""

    locked_out = False

    def clean(self):
        try:
            return super().clean()
        except forms.ValidationError:
            if getattr(self.request, "axes_locked_out", False):
                self.locked_out = True
                raise forms.ValidationError(lockout_message(), code="locked_out") from None
            raise


class TwoFactorMixin:
    """With two-factor sign-in on, the password is not enough: the code field must hold a current code."""

    needs_code = False

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["otp_token"] = forms.CharField(
            label="Code (only with two-factor sign-in)", required=False, max_length=32, strip=True
        )

    def confirm_login_allowed(self, user):
        super().confirm_login_allowed(user)
        if two_factor_enabled(user):
            device = two_factor_verify(user=user, code=self.cleaned_data.get("otp_token"))
            if device is None:
                self.needs_code = True
                raise forms.ValidationError(CODE_REQUIRED, code="otp_required")
            user.otp_device = device  # django_otp marks the session verified at login


class LoginForm(LockoutMessageMixin, TwoFactorMixin, AuthenticationForm):
    pass


class AdminLoginForm(LockoutMessageMixin, TwoFactorMixin, AdminAuthenticationForm):
    pass


class TwoFactorCodeForm(forms.Form):
    code = forms.CharField(label="Code", max_length=32, strip=True)
