"""Back office for logins, roles, API tokens, hospitals, departments and staff.

Changes go through staff.services. Nothing here is deleted, superusers included: users, hospitals and
departments are deactivated (list actions), API tokens are revoked (an action on the users), and the role
groups are read-only (their permissions are the table in hms/roles.py, re-applied on every migrate).
"""

from django import forms
from django.contrib import admin
from django.contrib.auth import get_user_model, password_validation
from django.contrib.auth.admin import GroupAdmin as DjangoGroupAdmin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError

from hms.admin import (
    ActivationActions,
    ActiveChoicesOnly,
    AddFormAdmin,
    AuditedAdmin,
    BigTableAdmin,
    DateRangeFilter,
    NoDeleteAdmin,
    ReadOnlyAdmin,
    RelatedListFilter,
    adopt,
)
from staff.models import Department, Hospital, Shift, StaffMember
from staff.services import (
    PROFILE_FIELDS,
    department_save,
    department_set_active,
    hospital_save,
    hospital_set_active,
    shift_cancel,
    shift_create,
    shift_update,
    staff_member_create,
    staff_member_set_active,
    staff_member_update,
    token_revoke,
    user_set_active,
)

User = get_user_model()

# --- Logins, roles and API tokens (django.contrib.auth and DRF register these; ours replace them) ---------------

for _model in (User, Group):
    if admin.site.is_registered(_model):
        admin.site.unregister(_model)


@admin.register(User)
class UserAdmin(ActivationActions, NoDeleteAdmin, DjangoUserAdmin):
    """Users are deactivated, never deleted: their name stays on every history row they made."""

    actions = ["deactivate_selected", "reactivate_selected", "revoke_api_tokens"]
    noun_plural = "user(s)"
    apply_to_each = AuditedAdmin.apply_to_each  # each selected user through the service; refusals as messages

    def get_readonly_fields(self, request, obj=None):
        # Deactivate with the actions (a staff member's profile follows); the form only shows the flag.
        readonly = list(super().get_readonly_fields(request, obj))
        return readonly if obj is None else [*readonly, "is_active", "last_login", "date_joined"]

    @staticmethod
    def set_active(user, **kwargs):
        return user_set_active(user=user, **kwargs)

    @admin.action(description="Revoke the API tokens of selected users", permissions=["change"])
    def revoke_api_tokens(self, request, queryset):
        self.apply_to_each(
            request,
            queryset,
            lambda user: token_revoke(user=user, acting_user=request.user),
            "API tokens of {count} user(s) revoked.",
        )


@admin.register(Group)
class GroupAdmin(ReadOnlyAdmin, DjangoGroupAdmin):
    """Roles are shown, not edited: hms/roles.py is the table, and every migrate re-applies it exactly."""


# --- Hospitals and departments -------------------------------------------------------------------------------


@admin.register(Hospital)
class HospitalAdmin(ActivationActions, AuditedAdmin):
    list_display = ["name", "code", "city", "state", "timezone", "phone", "is_active"]
    list_filter = ["is_active", "state", "timezone"]
    search_fields = ["name", "code", "city"]
    ordering = ["name"]
    fieldsets = [
        (None, {"fields": ["name", "code", "timezone", "phone", "is_active"]}),
        ("Address", {"fields": ["address_line1", "address_line2", "city", "state", "postal_code"]}),
    ]
    noun_plural = "hospital(s)"

    def save_model(self, request, obj, form, change):
        adopt(obj, hospital_save(instance=obj, acting_user=request.user))

    @staticmethod
    def set_active(hospital, **kwargs):
        return hospital_set_active(hospital=hospital, **kwargs)


@admin.register(Department)
class DepartmentAdmin(ActivationActions, ActiveChoicesOnly, AuditedAdmin):
    list_display = ["name", "code", "hospital", "is_active"]
    list_filter = ["is_active", "hospital"]
    list_select_related = ["hospital"]
    search_fields = ["name", "code", "hospital__name", "hospital__code"]
    autocomplete_fields = ["hospital"]
    ordering = ["hospital__name", "name"]
    noun_plural = "department(s)"
    active_choice_fields = ["hospital"]

    def save_model(self, request, obj, form, change):
        adopt(obj, department_save(instance=obj, acting_user=request.user))

    @staticmethod
    def set_active(department, **kwargs):
        return department_set_active(department=department, **kwargs)

    def get_queryset(self, request):
        # str(department) names its hospital: autocomplete and selects need it joined.
        return super().get_queryset(request).select_related("hospital")


class StaffMemberAddForm(forms.ModelForm):
    """Adding a staff member creates their login too (staff.services.staff_member_create)."""

    username = forms.CharField(
        max_length=150, help_text="The login name: letters, digits and @/./+/-/_ only.",
        validators=[get_user_model().username_validator],
    )
    first_name = forms.CharField(max_length=150)
    last_name = forms.CharField(max_length=150)
    email = forms.EmailField(required=False)
    password1 = forms.CharField(label="Password", strip=False, widget=forms.PasswordInput(render_value=False))
    password2 = forms.CharField(
        label="Password confirmation", strip=False, widget=forms.PasswordInput(render_value=False),
        help_text="Enter the same password again.",
    )

    class Meta:
        model = StaffMember
        fields = ["hospital", "department", "role", "phone", "specialty", "license_number", "consultation_fee"]

    def clean_username(self):
        username = self.cleaned_data["username"]
        if get_user_model().objects.filter(username__iexact=username).exists():
            raise ValidationError("A user with this username already exists.")
        return username

    def clean(self):
        cleaned = super().clean()
        password1, password2 = cleaned.get("password1"), cleaned.get("password2")
        if password1 and password2 and password1 != password2:
            self.add_error("password2", "The two passwords do not match.")
        elif password1:
            user = get_user_model()(
                username=cleaned.get("username", ""),
                first_name=cleaned.get("first_name", ""),
                last_name=cleaned.get("last_name", ""),
                email=cleaned.get("email", ""),
            )
            try:
                password_validation.validate_password(password1, user)
            except ValidationError as exc:
                self.add_error("password1", exc)
        return cleaned


@admin.register(StaffMember)
class StaffMemberAdmin(ActivationActions, ActiveChoicesOnly, AddFormAdmin, AuditedAdmin):
    list_display = ["name", "user__username", "role", "hospital", "department", "specialty", "is_active"]
    list_filter = ["role", "is_active", "hospital", ("department", RelatedListFilter)]
    list_select_related = ["user", "hospital", "department__hospital"]
    search_fields = [
        "user__username", "user__first_name", "user__last_name", "user__email", "specialty", "license_number",
    ]
    autocomplete_fields = ["hospital", "department"]
    ordering = ["user__last_name", "user__first_name"]
    noun_plural = "staff member(s)"
    add_form = StaffMemberAddForm
    active_choice_fields = ["hospital", "department"]

    post_fieldset = ("Post", {"fields": ["hospital", "department", "role", "phone"]})
    doctor_fieldset = (
        "Doctors only",
        {"fields": ["specialty", "license_number", "consultation_fee"], "description": "Required for doctors."},
    )
    add_fieldsets = [
        ("Login", {"fields": ["username", "first_name", "last_name", "email", "password1", "password2"]}),
        post_fieldset,
        doctor_fieldset,
    ]
    fieldsets = [
        (
            "Login",
            {
                "fields": ["user", "name", "email_address", "is_active"],
                "description": "Deactivate with the action on the list: it also blocks the login.",
            },
        ),
        post_fieldset,
        doctor_fieldset,
    ]
    change_readonly_fields = ["user", "name", "email_address", "is_active"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("user", "hospital", "department__hospital")

    @admin.display(description="name", ordering="user__last_name")
    def name(self, obj):
        return obj.full_name

    @admin.display(description="email")
    def email_address(self, obj):
        return obj.user.email

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        profile = {name: data[name] for name in PROFILE_FIELDS if name in data}
        if change:
            member = staff_member_update(member=obj, acting_user=request.user, **profile)
        else:
            member = staff_member_create(
                acting_user=request.user,
                username=data["username"],
                first_name=data["first_name"],
                last_name=data["last_name"],
                email=data.get("email", ""),
                password=data["password1"],
                **profile,
            )
        adopt(obj, member)

    @staticmethod
    def set_active(member, **kwargs):
        return staff_member_set_active(member=member, **kwargs)


@admin.register(Shift)
class ShiftAdmin(BigTableAdmin, ActiveChoicesOnly, AuditedAdmin):
    list_display = ["staff_member", "department", "start", "end", "is_cancelled"]
    list_filter = [
        ("start", DateRangeFilter),
        "is_cancelled",
        "department__hospital",
        ("department", RelatedListFilter),
    ]
    list_select_related = ["staff_member__user", "department__hospital"]
    search_fields = ["staff_member__user__first_name", "staff_member__user__last_name", "department__name"]
    autocomplete_fields = ["staff_member", "department"]
    readonly_fields = ["is_cancelled", "created_by"]
    actions = ["cancel_selected"]
    active_choice_fields = ["department"]

    def has_delete_permission(self, request, obj=None):
        return False  # shifts are cancelled, never deleted

    def save_model(self, request, obj, form, change):
        data = {name: form.cleaned_data[name] for name in ("department", "start", "end", "notes")}
        if change:
            shift = shift_update(shift=obj, acting_user=request.user, **data)
        else:
            shift = shift_create(staff_member=form.cleaned_data["staff_member"], acting_user=request.user, **data)
        adopt(obj, shift)

    @admin.action(description="Cancel selected shifts", permissions=["change"])
    def cancel_selected(self, request, queryset):
        self.apply_to_each(
            request,
            queryset,
            lambda shift: shift_cancel(shift=shift, acting_user=request.user),
            "{count} shift(s) cancelled.",
        )
