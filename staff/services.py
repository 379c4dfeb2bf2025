"""Changes to staff members: their user account, role group and profile move together."""

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import transaction

from hms.audit import apply_changes, audited_save
from staff.choices import ROLE_GROUPS
from staff.models import StaffMember

PROFILE_FIELDS = {"hospital", "department", "role", "phone", "specialty", "license_number", "consultation_fee"}


def _sync_role_group(user, role):
    staff_groups = Group.objects.filter(name__in=ROLE_GROUPS.values())
    user.groups.remove(*staff_groups)
    user.groups.add(Group.objects.get(name=ROLE_GROUPS[role]))


@transaction.atomic
def staff_member_create(
    *, acting_user, username, first_name, last_name, email="", password=None, **profile
):
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
def staff_member_update(*, member, acting_user, **data):
    member = StaffMember.objects.select_for_update().get(pk=member.pk)
    changed = apply_changes(member, data, allowed=PROFILE_FIELDS)
    if changed:
        audited_save(member, acting_user=acting_user)
        if "role" in changed:
            _sync_role_group(member.user, member.role)
    return member


@transaction.atomic
def staff_member_set_active(*, member, active, acting_user):
    """Deactivating a staff member also blocks their login; history keeps them."""
    member = StaffMember.objects.select_for_update().get(pk=member.pk)
    if member.is_active != active:
        member.is_active = active
        audited_save(member, acting_user=acting_user)
        member.user.is_active = active
        member.user.save(update_fields=["is_active"])
    return member
