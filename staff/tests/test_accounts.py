"""Logins, roles, API tokens, hospitals and departments: deactivated or revoked, never deleted (superusers included)."""

import pytest
from django.contrib.admin.models import LogEntry
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied
from django.db.models import ProtectedError
from rest_framework.test import APIClient

from accounts.models import ApiToken
from accounts.services import token_issue
from conftest import admin_url
from hms.exceptions import Conflict
from staff import services
from staff.models import Department, Hospital, StaffMember
from staff.tests.factories import DepartmentFactory, DoctorFactory, HospitalFactory, StaffMemberFactory, UserFactory

pytestmark = pytest.mark.django_db

User = get_user_model()


def offered_actions(client, model):
    listing = client.get(admin_url(model, "changelist"))
    assert listing.status_code == 200
    return [value for value, _ in listing.context["action_form"].fields["action"].choices]


# --- Users ------------------------------------------------------------------------------------------------------


def test_a_user_cannot_be_deleted_in_code_and_keeps_their_history_rows():
    member = StaffMemberFactory()
    hospital = HospitalFactory()
    services.hospital_set_active(hospital=hospital, active=False, acting_user=member.user)

    with pytest.raises(ProtectedError):
        member.user.delete()
    with pytest.raises(ProtectedError):
        User.objects.filter(pk=member.user.pk).delete()

    assert User.objects.filter(pk=member.user.pk).exists()
    assert hospital.history.latest().history_user == member.user


def test_a_superuser_cannot_delete_a_user_group_or_token_in_the_admin(admin_client):
    user = UserFactory(groups=["Nurse"])
    token, _key = token_issue(user=user)

    assert admin_client.get(admin_url(User, "delete", user.pk)).status_code == 403
    assert admin_client.post(admin_url(User, "delete", user.pk), {"post": "yes"}).status_code == 403
    assert admin_client.get(admin_url(Group, "delete", Group.objects.get(name="Nurse").pk)).status_code == 403
    assert admin_client.get(admin_url(ApiToken, "delete", token.pk)).status_code == 403
    assert User.objects.filter(pk=user.pk).exists() and ApiToken.objects.filter(user=user).exists()
    assert user.groups.filter(name="Nurse").exists()


def test_the_user_list_offers_deactivate_reactivate_and_revoke_but_no_delete(admin_client):
    actions = offered_actions(admin_client, User)
    assert "delete_selected" not in actions
    assert {"deactivate_selected", "reactivate_selected", "revoke_api_tokens"} <= set(actions)


def test_deactivating_a_user_in_the_admin_blocks_password_and_token_login_and_is_logged(
    admin_client, admin_user, api_as
):
    user = UserFactory(groups=["Patient"])
    api = api_as(user)
    assert api.get("/api/v1/patients/").status_code != 401

    response = admin_client.post(
        admin_url(User, "changelist"), {"action": "deactivate_selected", "_selected_action": [user.pk]}, follow=True
    )

    user.refresh_from_db()
    assert not user.is_active
    assert "1 user(s) deactivated." in response.content.decode()
    assert api.get("/api/v1/patients/").status_code == 401
    assert not APIClient().login(username=user.username, password="pw")
    entry = LogEntry.objects.get(object_id=str(user.pk), change_message="Deactivated.")
    assert entry.user == admin_user

    admin_client.post(admin_url(User, "changelist"), {"action": "reactivate_selected", "_selected_action": [user.pk]})
    user.refresh_from_db()
    assert user.is_active
    assert APIClient().login(username=user.username, password="pw")


def test_deactivating_a_staff_login_deactivates_the_staff_member_with_history(admin_client, admin_user):
    member = StaffMemberFactory()

    admin_client.post(
        admin_url(User, "changelist"), {"action": "deactivate_selected", "_selected_action": [member.user.pk]}
    )

    member.refresh_from_db()
    member.user.refresh_from_db()
    assert (member.is_active, member.user.is_active) == (False, False)
    assert member.history.latest().history_user == admin_user


def test_nobody_deactivates_their_own_login(admin_user):
    with pytest.raises(Conflict, match="your own login"):
        services.user_set_active(user=admin_user, active=False, acting_user=admin_user)
    admin_user.refresh_from_db()
    assert admin_user.is_active


def test_only_a_superuser_deactivates_a_superuser(make_user, admin_user):
    administrator = make_user("Administrator")

    with pytest.raises(PermissionDenied):
        services.user_set_active(user=admin_user, active=False, acting_user=administrator)

    admin_user.refresh_from_db()
    assert admin_user.is_active


def test_an_administrator_deactivating_a_superuser_in_the_admin_gets_a_message(client, make_user, admin_user):
    administrator = make_user("Administrator", is_staff=True)
    client.force_login(administrator)

    response = client.post(
        admin_url(User, "changelist"),
        {"action": "deactivate_selected", "_selected_action": [admin_user.pk]},
        follow=True,
    )

    assert response.status_code == 200
    assert "Only a superuser changes a superuser" in response.content.decode()
    admin_user.refresh_from_db()
    assert admin_user.is_active


def test_the_active_flag_is_changed_by_the_actions_not_the_user_form(admin_client):
    user = UserFactory()
    page = admin_client.get(admin_url(User, "change", user.pk))
    assert page.status_code == 200
    assert "is_active" not in page.context["adminform"].form.fields


def test_revoking_api_tokens_kills_the_credential_keeps_the_row_and_logs_it(admin_client, admin_user):
    user = UserFactory()
    token, key = token_issue(user=user)

    admin_client.post(admin_url(User, "changelist"), {"action": "revoke_api_tokens", "_selected_action": [user.pk]})

    token.refresh_from_db()
    assert (token.revoked_by, token.revoke_reason) == (admin_user, "administrator")
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert api.get("/api/v1/patients/").status_code == 401
    assert LogEntry.objects.get(object_id=str(user.pk), change_message="API token revoked.").user == admin_user
    assert User.objects.filter(pk=user.pk).exists()


def test_tokens_are_not_edited_in_the_admin(admin_client):
    user = UserFactory()
    token, _key = token_issue(user=user)
    response = admin_client.post(admin_url(ApiToken, "change", token.pk), {"user": UserFactory().pk})
    assert response.status_code == 403
    assert ApiToken.objects.get(user=user).pk == token.pk


def test_role_groups_are_shown_but_not_edited_in_the_admin(admin_client):
    nurse = Group.objects.get(name="Nurse")
    assert admin_client.get(admin_url(Group, "change", nurse.pk)).status_code == 200
    assert admin_client.get(admin_url(Group, "add")).status_code == 403
    response = admin_client.post(admin_url(Group, "change", nurse.pk), {"name": "Renamed", "permissions": []})
    assert response.status_code == 403
    assert Group.objects.get(pk=nurse.pk).permissions.exists()


# --- Hospitals and departments --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("model", "factory", "noun"),
    [(Hospital, HospitalFactory, "hospital"), (Department, DepartmentFactory, "department")],
)
def test_hospitals_and_departments_are_deactivated_and_reactivated_never_deleted(
    admin_client, admin_user, model, factory, noun
):
    row = factory()
    assert admin_client.get(admin_url(model, "delete", row.pk)).status_code == 403
    actions = offered_actions(admin_client, model)
    assert "delete_selected" not in actions

    response = admin_client.post(
        admin_url(model, "changelist"), {"action": "deactivate_selected", "_selected_action": [row.pk]}, follow=True
    )
    row.refresh_from_db()
    assert not row.is_active
    assert f"1 {noun}(s) deactivated." in response.content.decode()
    assert row.history.latest().history_user == admin_user

    admin_client.post(admin_url(model, "changelist"), {"action": "reactivate_selected", "_selected_action": [row.pk]})
    row.refresh_from_db()
    assert row.is_active
    assert model.objects.filter(pk=row.pk).exists()


def test_new_staff_are_offered_only_active_hospitals_and_departments(admin_client):
    open_department = DepartmentFactory()
    closed_department = DepartmentFactory(hospital=open_department.hospital, is_active=False)
    closed_hospital = HospitalFactory(is_active=False)

    form = admin_client.get(admin_url(StaffMember, "add")).context["adminform"].form
    assert open_department in form.fields["department"].queryset
    assert closed_department not in form.fields["department"].queryset
    assert closed_hospital not in form.fields["hospital"].queryset
    assert open_department.hospital in form.fields["hospital"].queryset


def test_a_staff_member_keeps_their_department_after_it_is_deactivated(admin_client):
    member = DoctorFactory()
    services.department_set_active(department=member.department, active=False, acting_user=member.user)

    form = admin_client.get(admin_url(StaffMember, "change", member.pk)).context["adminform"].form
    assert member.department in form.fields["department"].queryset
