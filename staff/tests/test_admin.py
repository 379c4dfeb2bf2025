"""The back office for hospitals, departments, staff and the counters (hms.Sequence)."""

import pytest
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.urls import reverse
from simple_history.admin import SimpleHistoryAdmin

from conftest import admin_url, query_count
from hms.sequences import Sequence
from staff.choices import StaffRole
from staff.models import Department, Hospital, Shift, StaffMember
from staff.tests.factories import DepartmentFactory, DoctorFactory, HospitalFactory, ShiftFactory, StaffMemberFactory

pytestmark = pytest.mark.django_db


MAKERS = {
    Hospital: HospitalFactory,
    Department: DepartmentFactory,
    StaffMember: DoctorFactory,
    Shift: ShiftFactory,
    Sequence: lambda: Sequence.objects.create(name="test.counter", last_value=41),
}


def test_hospitals_departments_staff_and_counters_are_in_the_back_office_with_their_history():
    for model in MAKERS:
        assert admin.site.is_registered(model), model
        if hasattr(model, "history"):
            assert isinstance(admin.site.get_model_admin(model), SimpleHistoryAdmin), model


@pytest.mark.parametrize("model", list(MAKERS), ids=lambda m: m.__name__)
def test_list_add_change_and_history_pages_render_for_a_superuser(admin_client, model):
    obj = MAKERS[model]()

    listing = admin_client.get(admin_url(model, "changelist"))
    assert listing.status_code == 200
    assert obj in listing.context["cl"].result_list

    add = admin_client.get(admin_url(model, "add"))
    assert add.status_code == (403 if model is Sequence else 200)  # counters are never edited by hand

    assert admin_client.get(admin_url(model, "change", obj.pk)).status_code == 200
    history = admin_client.get(admin_url(model, "history", obj.pk))
    assert history.status_code == 200
    assert str(obj) in history.content.decode()


def test_a_sequence_can_be_viewed_but_not_edited(admin_client):
    counter = Sequence.objects.create(name="patients.mrn", last_value=41)
    response = admin_client.post(admin_url(Sequence, "change", counter.pk), {"name": "patients.mrn", "last_value": 1})
    assert response.status_code == 403
    counter.refresh_from_db()
    assert counter.last_value == 41


def changelist_queries(client, model):
    return query_count(client, admin_url(model, "changelist"))


def test_staff_list_runs_the_same_number_of_queries_for_3_and_20_members(admin_client):
    roles = list(StaffRole)
    for i in range(3):
        StaffMemberFactory(role=roles[i % len(roles)])  # each in its own hospital and department
    few = changelist_queries(admin_client, StaffMember)
    for i in range(17):
        DoctorFactory() if i % 2 else StaffMemberFactory(role=roles[i % len(roles)])
    assert StaffMember.objects.count() == 20
    assert changelist_queries(admin_client, StaffMember) == few


def test_department_list_runs_the_same_number_of_queries_for_3_and_20_departments(admin_client):
    DepartmentFactory.create_batch(3)
    few = changelist_queries(admin_client, Department)
    DepartmentFactory.create_batch(17)
    assert changelist_queries(admin_client, Department) == few


def staff_add_data(hospital, department, **overrides):
    data = {
        "username": "gwen.doctor",
        "first_name": "Gwen",
        "last_name": "Okafor",
        "email": "gwen@hms.example",
        "password1": "Correct-Horse-42",
        "password2": "Correct-Horse-42",
        "hospital": hospital.pk,
        "department": department.pk,
        "role": StaffRole.DOCTOR,
        "phone": "(617) 555-0142",
        "specialty": "Cardiology",
        "license_number": "MA-123456",
        "consultation_fee": "180.00",
    }
    data.update(overrides)
    return data


def test_adding_a_staff_member_creates_their_login_in_the_role_group(admin_client, admin_user, client):
    department = DepartmentFactory()
    response = admin_client.post(admin_url(StaffMember, "add"), staff_add_data(department.hospital, department))
    assert response.status_code == 302, response.context["adminform"].form.errors

    member = StaffMember.objects.select_related("user").get(user__username="gwen.doctor")
    assert member.role == StaffRole.DOCTOR
    assert str(member.consultation_fee) == "180.00"
    assert member.user.get_full_name() == "Gwen Okafor"
    assert list(member.user.groups.values_list("name", flat=True)) == ["Doctor"]
    assert member.history.get().history_user == admin_user
    assert client.login(username="gwen.doctor", password="Correct-Horse-42")


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"username": "taken"}, "username"),
        ({"password2": "Something-else-1"}, "password2"),
        ({"password1": "123", "password2": "123"}, "password1"),
        ({"specialty": ""}, "specialty"),
        ({"consultation_fee": ""}, "consultation_fee"),
    ],
)
def test_adding_a_staff_member_refuses_bad_input_and_saves_nothing(admin_client, overrides, field):
    get_user_model().objects.create_user(username="Taken")
    department = DepartmentFactory()
    users_before = get_user_model().objects.count()
    data = staff_add_data(department.hospital, department, **overrides)
    response = admin_client.post(admin_url(StaffMember, "add"), data)
    assert response.status_code == 200
    assert field in response.context["adminform"].form.errors
    assert get_user_model().objects.count() == users_before
    assert not StaffMember.objects.exists()


def test_a_department_of_another_hospital_is_refused(admin_client):
    department = DepartmentFactory()
    other_hospital = HospitalFactory()
    response = admin_client.post(admin_url(StaffMember, "add"), staff_add_data(other_hospital, department))
    assert response.status_code == 200
    assert "department" in response.context["adminform"].form.errors
    assert not StaffMember.objects.exists()


def test_changing_the_role_moves_the_user_to_the_new_group_and_records_who(admin_client, admin_user):
    member = StaffMemberFactory(role=StaffRole.NURSE)
    data = {
        "hospital": member.hospital_id,
        "department": member.department_id,
        "role": StaffRole.PHARMACIST,
        "phone": "(617) 555-0177",
        "specialty": "",
        "license_number": "",
        "consultation_fee": "",
    }
    response = admin_client.post(admin_url(StaffMember, "change", member.pk), data)
    assert response.status_code == 302

    member.refresh_from_db()
    assert member.role == StaffRole.PHARMACIST
    assert member.phone == "(617) 555-0177"
    assert list(member.user.groups.values_list("name", flat=True)) == ["Pharmacist"]
    assert member.history.latest().history_user == admin_user


def test_deactivating_staff_blocks_their_login_and_reactivating_restores_it(admin_client, admin_user):
    member = StaffMemberFactory()
    url = admin_url(StaffMember, "changelist")

    admin_client.post(url, {"action": "deactivate_selected", "_selected_action": [member.pk]})
    member.refresh_from_db()
    member.user.refresh_from_db()
    assert (member.is_active, member.user.is_active) == (False, False)
    assert member.history.latest().history_user == admin_user

    admin_client.post(url, {"action": "reactivate_selected", "_selected_action": [member.pk]})
    member.refresh_from_db()
    member.user.refresh_from_db()
    assert (member.is_active, member.user.is_active) == (True, True)


def test_staff_members_cannot_be_deleted(admin_client):
    member = StaffMemberFactory()
    assert admin_client.get(admin_url(StaffMember, "delete", member.pk)).status_code == 403
    listing = admin_client.get(admin_url(StaffMember, "changelist"))
    actions = [value for value, _ in listing.context["action_form"].fields["action"].choices]
    assert "delete_selected" not in actions
    assert "deactivate_selected" in actions
    assert StaffMember.objects.filter(pk=member.pk).exists()


def test_the_staff_list_filters_by_role_hospital_and_department(admin_client):
    doctor = DoctorFactory()
    nurse = StaffMemberFactory(role=StaffRole.NURSE)
    url = admin_url(StaffMember, "changelist")

    doctors = admin_client.get(url, {"role__exact": StaffRole.DOCTOR}).context["cl"].result_list
    assert list(doctors) == [doctor]
    by_hospital = admin_client.get(url, {"hospital__id__exact": nurse.hospital_id}).context["cl"].result_list
    assert list(by_hospital) == [nurse]
    by_department = admin_client.get(url, {"department__id__exact": doctor.department_id}).context["cl"].result_list
    assert list(by_department) == [doctor]


def test_old_versions_are_shown_but_cannot_be_reverted(admin_client):
    hospital = HospitalFactory(name="Old Name")
    hospital.name = "New Name"
    hospital.save()
    old = hospital.history.earliest()
    url = reverse("admin:staff_hospital_simple_history", args=[hospital.pk, old.history_id])

    assert admin_client.get(url).status_code == 200
    response = admin_client.post(url, {"name": "Old Name"})
    assert response.status_code == 403
    hospital.refresh_from_db()
    assert hospital.name == "New Name"


def test_the_back_office_cannot_move_a_department_to_another_hospital_either(admin_client):
    """The rule is staff.services.department_save's, so the admin refuses what the API refuses."""
    department = DepartmentFactory()
    home, elsewhere = department.hospital_id, HospitalFactory()
    data = {"hospital": elsewhere.pk, "name": department.name, "code": department.code, "is_active": "on"}

    response = admin_client.post(admin_url(Department, "change", department.pk), data, follow=True)

    department.refresh_from_db()
    assert department.hospital_id == home
    assert "cannot move to another hospital" in response.content.decode()


def test_a_hospital_changed_in_the_back_office_keeps_who_changed_it(admin_client, admin_user):
    hospital = HospitalFactory()
    data = {
        "name": "Renamed General",
        "code": hospital.code,
        "timezone": hospital.timezone,
        "phone": hospital.phone,
        "is_active": "on",
        "address_line1": hospital.address_line1,
        "address_line2": hospital.address_line2,
        "city": hospital.city,
        "state": hospital.state,
        "postal_code": hospital.postal_code,
    }

    response = admin_client.post(admin_url(Hospital, "change", hospital.pk), data)

    assert response.status_code == 302, response.content.decode()[:2000]
    hospital.refresh_from_db()
    assert hospital.name == "Renamed General"
    assert hospital.history.first().history_user == admin_user
