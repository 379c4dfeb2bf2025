from django import forms
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.forms import AuthenticationForm

from accounts.lockout import lockout_message


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


class LoginForm(LockoutMessageMixin, AuthenticationForm):
    pass


class AdminLoginForm(LockoutMessageMixin, AdminAuthenticationForm):
    pass
