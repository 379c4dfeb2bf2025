"""Changes to staff members: their user account, role group and profile move together.

Also the logins of anyone (staff or patient) and the hospitals and departments: users are deactivated,
never deleted (their name stays on every history row they made); a revoked API token stays listed as
revoked (accounts.models.ApiToken), and the revocation is also kept in the admin log; hospitals and
departments are deactivated, never deleted.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from accounts.choices import ApiTokenRevokeReason
from accounts.services import tokens_revoke_for_user
from hms.audit import apply_changes, audited_save, audited_set_active
from hms.exceptions import Conflict
from hms.roles import forget_roles
from hms.typing import ModelT, User
from staff.choices import ROLE_GROUPS, StaffRole
from staff.models import Department, Hospital, Shift, StaffMember

PROFILE_FIELDS = {"hospital", "department", "role", "phone", "specialty", "license_number", "consultation_fee"}


def _sync_role_group(user: User, role: str) -> None:
    """Put the user in the group of the role; administrators also get into the back office."""
    staff_groups = Group.objects.filter(name__in=ROLE_GROUPS.values())
    user.groups.remove(*staff_groups)
    user.groups.add(Group.objects.get(name=ROLE_GROUPS[role]))
    forget_roles(user)
    is_staff = role == StaffRole.ADMINISTRATOR or user.is_superuser
    if user.is_staff != is_staff:
        user.is_staff = is_staff
        user.save(update_fields=["is_staff"])


@transaction.atomic
def staff_member_create(
    *,
    acting_user: User,
    username: str,
    first_name: str,
    last_name: str,
    email: str = "",
    password: str | None = None,
    **profile: Any,
) -> StaffMember:
    """Create the login and the staff profile, and put the user in the group of the role."""
    User = get_user_model()
    user = User(username=username, first_name=first_name, last_name=last_name, email=email, is_staff=False)
    if password:
        user.set_password(password)
    else:
        user.set_unusable_password()
    user.full_clean()
    user.save()
    member = StaffMember(user=user, **profile)
    audited_save(member, acting_user=acting_user)
    _sync_role_group(user, member.role)
    return member


@transaction.atomic
def staff_member_update(
    *, member: StaffMember, acting_user: User, is_active: bool | None = None, **data: Any
) -> StaffMember:
    """Change a staff member's profile (and role group); ``is_active`` given: deactivate or reactivate them too."""
    member = StaffMember.objects.select_for_update().get(pk=member.pk)
    changed = apply_changes(member, data, allowed=PROFILE_FIELDS)
    if changed:
        audited_save(member, acting_user=acting_user)
        if "role" in changed:
            _sync_role_group(member.user, member.role)
    if is_active is not None:
        member = staff_member_set_active(member=member, active=is_active, acting_user=acting_user)
    return member


@transaction.atomic
def staff_member_set_active(*, member: StaffMember, active: bool, acting_user: User) -> StaffMember:
    """Deactivating a staff member also blocks their login; history keeps them."""
    member = StaffMember.objects.select_for_update().get(pk=member.pk)
    if member.is_active != active:
        member.is_active = active
        audited_save(member, acting_user=acting_user)
        member.user.is_active = active
        member.user.save(update_fields=["is_active"])
        if not active:
            tokens_revoke_for_user(user=member.user, acting_user=acting_user, reason=ApiTokenRevokeReason.DEACTIVATED)
    return member


def _log_user_change(*, user: User, acting_user: User, message: str) -> None:
    """Users have no django-simple-history table: their account changes go to the admin log."""
    LogEntry.objects.log_actions(
        user_id=acting_user.pk, queryset=[user], action_flag=CHANGE, change_message=message, single_object=True
    )


@transaction.atomic
def user_set_active(*, user: User, active: bool, acting_user: User) -> User:
    """Deactivate (or reactivate) any login. A deactivated user cannot log in, by password, session or token.

    A staff member's profile follows (``staff_member_set_active``). Nobody deactivates their own login, and
    only a superuser deactivates or reactivates a superuser's.
    """
    User = get_user_model()
    user = User.objects.select_for_update().get(pk=user.pk)
    if not active and user.pk == acting_user.pk:
        raise Conflict("You cannot deactivate your own login.", code="own_login")
    if user.is_superuser and not acting_user.is_superuser:
        raise PermissionDenied("Only a superuser changes a superuser's login.")
    if user.is_active == active:
        return user
    member = StaffMember.objects.filter(user=user).first()
    if member is not None and member.is_active != active:
        staff_member_set_active(member=member, active=active, acting_user=acting_user)
        user.refresh_from_db(fields=["is_active"])
    if user.is_active != active:
        user.is_active = active
        user.save(update_fields=["is_active"])
    if not active:  # a deactivated login's API tokens die with it (and stay dead after a reactivation)
        tokens_revoke_for_user(user=user, acting_user=acting_user, reason=ApiTokenRevokeReason.DEACTIVATED)
    _log_user_change(user=user, acting_user=acting_user, message="Reactivated." if active else "Deactivated.")
    return user


@transaction.atomic
def token_revoke(*, user: User, acting_user: User) -> bool:
    """Revoke a user's live API tokens (accounts.services). Returns whether there was one.

    The revocation is written to the admin log against the user. The user may get a new token by logging in
    to /api/v1/auth/token/ while their login is active.
    """
    revoked = tokens_revoke_for_user(user=user, acting_user=acting_user)
    if revoked:
        _log_user_change(user=user, acting_user=acting_user, message="API token revoked.")
    return bool(revoked)


def _save_reference(instance: ModelT, *, acting_user: User, fixed: dict[str, str] | None = None) -> ModelT:
    """Create or change a hospital or department (full_clean, history row with acting_user) under its row lock.

    ``fixed`` maps the fields that cannot change after creation to the refusal (a ValidationError on the field).
    """
    if instance.pk is not None:
        saved = type(instance).objects.select_for_update().get(pk=instance.pk)
        for name, message in (fixed or {}).items():
            attname = type(instance)._meta.get_field(name).attname
            if getattr(instance, attname) != getattr(saved, attname):
                raise ValidationError({name: message})
    return audited_save(instance, acting_user=acting_user)


@transaction.atomic
def hospital_save(*, instance: Hospital, acting_user: User) -> Hospital:
    """Create or change a hospital; hospitals are deactivated, never deleted."""
    return _save_reference(instance, acting_user=acting_user)


@transaction.atomic
def department_save(*, instance: Department, acting_user: User) -> Department:
    """Create or change a department. It stays in its hospital for good (ValidationError on ``hospital``)."""
    return _save_reference(
        instance,
        acting_user=acting_user,
        fixed={"hospital": "A department cannot move to another hospital; create it there and deactivate this one."},
    )


@transaction.atomic
def hospital_set_active(*, hospital: Hospital, active: bool, acting_user: User) -> Hospital:
    """A deactivated hospital is no longer offered for bookings, windows or new staff; history keeps it."""
    return audited_set_active(hospital, active=active, acting_user=acting_user)


@transaction.atomic
def department_set_active(*, department: Department, active: bool, acting_user: User) -> Department:
    """A deactivated department is no longer offered for bookings or new staff; history keeps it."""
    return audited_set_active(department, active=active, acting_user=acting_user)


@transaction.atomic
def shift_create(
    *,
    staff_member: StaffMember,
    department: Department,
    start: datetime,
    end: datetime,
    acting_user: User,
    notes: str = "",
) -> Shift:
    """Put a staff member on a shift. Their own shifts never overlap (checked under their row lock)."""
    member = StaffMember.objects.select_for_update().get(pk=staff_member.pk)
    if not member.is_active:
        raise Conflict(f"{member.full_name} is deactivated and cannot be rostered.")
    shift = Shift(
        staff_member=member, department=department, start=start, end=end, notes=notes, created_by=acting_user
    )
    shift.full_clean()
    _refuse_overlap(shift)
    return audited_save(shift, acting_user=acting_user, validate=False)


@transaction.atomic
def shift_update(*, shift: Shift, acting_user: User, **data: Any) -> Shift:
    StaffMember.objects.select_for_update().get(pk=shift.staff_member_id)
    shift = Shift.objects.select_for_update().get(pk=shift.pk)
    if shift.is_cancelled:
        raise Conflict("A cancelled shift cannot be changed.")
    if apply_changes(shift, data, allowed={"department", "start", "end", "notes"}):
        shift.full_clean()
        _refuse_overlap(shift)
        audited_save(shift, acting_user=acting_user, validate=False)
    return shift


@transaction.atomic
def shift_cancel(*, shift: Shift, acting_user: User) -> Shift:
    shift = Shift.objects.select_for_update().get(pk=shift.pk)
    if not shift.is_cancelled:
        shift.is_cancelled = True
        audited_save(shift, acting_user=acting_user, validate=False)
    return shift


def _refuse_overlap(shift: Shift) -> None:
    clash = (
        Shift.objects.active()
        .filter(staff_member_id=shift.staff_member_id)
        .overlapping(shift.start, shift.end)
        .exclude(pk=shift.pk)
        .select_related("department")
        .first()
    )
    if clash:
        tz = shift.department.hospital.tzinfo
        raise Conflict(
            f"{shift.staff_member.full_name} already works {clash.start.astimezone(tz):%a %m/%d %H:%M}–"
            f"{clash.end.astimezone(tz):%H:%M} in {clash.department.name}; shifts of one person cannot overlap."
        )
