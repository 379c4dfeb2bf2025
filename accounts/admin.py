"""API tokens and login lockouts in the back office: shown, revoked or unlocked through the services."""

from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib import admin
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts import services, two_factor
from accounts.forms import AdminLoginForm
from accounts.models import ApiToken
from hms.admin import AuditedAdmin, ReadOnlyAdmin

# The admin login counts failures and says when a login is locked, like the login page.
admin.site.login_form = AdminLoginForm


@admin.register(ApiToken)
class ApiTokenAdmin(ReadOnlyAdmin, admin.ModelAdmin):
    """Issued at /api/v1/auth/token/; revoked here (the row stays, with who revoked it), never edited."""

    list_display = ["prefix", "name", "user", "created_at", "expires_at", "last_used_at", "revoked_at", "revoke_reason"]
    list_filter = ["revoke_reason"]
    list_select_related = ["user"]
    search_fields = ["user__username", "prefix", "name"]
    readonly_fields = [f.name for f in ApiToken._meta.fields if f.name not in ("digest", "auth_hash")]
    exclude = ["digest", "auth_hash"]
    actions = ["revoke_selected"]
    apply_to_each = AuditedAdmin.apply_to_each

    def has_change_permission(self, request, obj=None):
        # The list action needs the change permission; the form itself shows only read-only fields.
        return obj is None and super(ReadOnlyAdmin, self).has_change_permission(request, obj)

    @admin.action(description="Revoke the selected tokens", permissions=["change"])
    def revoke_selected(self, request, queryset):
        self.apply_to_each(
            request,
            queryset.filter(revoked_at__isnull=True),
            lambda token: services.token_revoke(token=token, acting_user=request.user),
            "{count} token(s) revoked.",
        )


@admin.register(AccessAttempt)
class LoginLockoutAdmin(ReadOnlyAdmin, admin.ModelAdmin):
    """Failed logins being counted (django-axes): a username or address at the limit is locked out.
    "Unlock" forgets its failures (login_unlock); the failure and access logs keep the story."""

    list_display = ["username", "ip_address", "failures_since_start", "attempt_time", "path_info", "user_agent"]
    search_fields = ["username", "ip_address"]
    readonly_fields = ["username", "ip_address", "user_agent", "path_info", "failures_since_start", "attempt_time"]
    exclude = ["get_data", "post_data", "http_accept"]
    actions = ["unlock_selected"]

    def has_change_permission(self, request, obj=None):
        return obj is None and super(ReadOnlyAdmin, self).has_change_permission(request, obj)

    @admin.action(description="Unlock the selected usernames and addresses", permissions=["change"])
    def unlock_selected(self, request, queryset):
        count = 0
        for attempt in queryset:
            count += services.login_unlock(
                acting_user=request.user, username=attempt.username, ip_address=attempt.ip_address
            )
        self.message_user(request, f"{count} lockout record(s) reset.")


@admin.register(AccessFailureLog)
class LoginFailureAdmin(ReadOnlyAdmin, admin.ModelAdmin):
    list_display = ["attempt_time", "username", "ip_address", "locked_out", "path_info"]
    list_filter = ["locked_out"]
    search_fields = ["username", "ip_address"]
    exclude = ["http_accept"]


@admin.register(AccessLog)
class LoginAdmin(ReadOnlyAdmin, admin.ModelAdmin):
    list_display = ["attempt_time", "logout_time", "username", "ip_address", "path_info"]
    search_fields = ["username", "ip_address"]
    exclude = ["http_accept", "session_hash"]


# --- Two-factor sign-in devices (django-otp registers editable, deletable admins; ours are read-only) -----------

for _model in (TOTPDevice, StaticDevice):
    if admin.site.is_registered(_model):
        admin.site.unregister(_model)


class TwoFactorDeviceAdmin(ReadOnlyAdmin, admin.ModelAdmin):
    list_display = ["user", "name", "confirmed", "last_used_at"]
    list_filter = ["confirmed"]
    list_select_related = ["user"]
    search_fields = ["user__username"]
    fields = ["user", "name", "confirmed", "created_at", "last_used_at"]
    readonly_fields = fields
    actions = ["turn_off_selected"]
    apply_to_each = AuditedAdmin.apply_to_each

    def has_change_permission(self, request, obj=None):
        return obj is None and super(ReadOnlyAdmin, self).has_change_permission(request, obj)

    @admin.action(description="Turn off two-factor sign-in for these users (a lost phone)", permissions=["change"])
    def turn_off_selected(self, request, queryset):
        self.apply_to_each(
            request,
            queryset.select_related("user"),
            lambda device: two_factor.two_factor_reset(user=device.user, acting_user=request.user),
            "Two-factor sign-in turned off ({count} device(s)); the users set it up again at their next login.",
        )


admin.site.register(TOTPDevice, TwoFactorDeviceAdmin)
admin.site.register(StaticDevice, TwoFactorDeviceAdmin)
