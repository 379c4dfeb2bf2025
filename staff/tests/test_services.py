from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from staff.choices import StaffRole
from staff.models import StaffMember
from staff.services import (
    department_save,
    hospital_save,
    staff_member_create,
    staff_member_set_active,
    staff_member_update,
)
from staff.tests.factories import DepartmentFactory, HospitalFactory, UserFactory

pytestmark = pytest.mark.django_db


def create_doctor(admin, **overrides):
    hospital = overrides.pop("hospital", None) or HospitalFactory()
    data = {
        "username": "dr.house",
        "first_name": "Gregory",
        "last_name": "House",
        "password": "a-long-password",
        "hospital": hospital,
        "department": DepartmentFactory(hospital=hospital),
        "role": StaffRole.DOCTOR,
        "specialty": "Diagnostics",
        "license_number": "NJ-12345",
        "consultation_fee": Decimal("250.00"),
    }
    data.update(overrides)
    return staff_member_create(acting_user=admin, **data)


def test_creating_a_doctor_makes_a_login_in_the_doctor_group_with_history():
    admin = UserFactory()
    doctor = create_doctor(admin)
    assert doctor.user.check_password("a-long-password")
    assert list(doctor.user.groups.values_list("name", flat=True)) == ["Doctor"]
    assert doctor.history.first().history_user == admin
    assert str(doctor) == "Dr. Gregory House (Diagnostics)"


def test_a_doctor_needs_specialty_license_and_fee_and_nothing_is_saved_otherwise():
    with pytest.raises(ValidationError) as refusal:
        create_doctor(UserFactory(), specialty="", license_number="", consultation_fee=None)
    assert {"specialty", "license_number", "consultation_fee"} <= set(refusal.value.message_dict)
    assert not StaffMember.objects.exists()


def test_the_department_must_belong_to_the_same_hospital():
    with pytest.raises(ValidationError) as refusal:
        create_doctor(UserFactory(), department=DepartmentFactory())
    assert "department" in refusal.value.message_dict


def test_changing_the_role_moves_the_user_to_the_new_group():
    member = create_doctor(UserFactory())
    staff_member_update(member=member, acting_user=UserFactory(), role=StaffRole.NURSE)
    assert list(member.user.groups.values_list("name", flat=True)) == ["Nurse"]


def test_deactivating_a_staff_member_blocks_the_login_and_keeps_the_record():
    admin = UserFactory()
    member = create_doctor(admin)
    staff_member_set_active(member=member, active=False, acting_user=admin)
    member.refresh_from_db()
    assert member.is_active is False and member.user.is_active is False
    assert member.history.count() == 2


def test_an_administrator_gets_into_the_back_office_and_loses_it_with_the_role():
    member = create_doctor(UserFactory(), role=StaffRole.ADMINISTRATOR)
    assert member.user.is_staff
    staff_member_update(member=member, acting_user=UserFactory(), role=StaffRole.RECEPTIONIST)
    member.user.refresh_from_db()
    assert not member.user.is_staff


# --- hospitals and departments: saved through staff.services (admin and API alike) -------------------------


def test_a_hospital_is_saved_with_the_acting_user_on_its_history():
    admin = UserFactory()
    hospital = HospitalFactory.build(code="LAK", name="Lakeside General")

    saved = hospital_save(instance=hospital, acting_user=admin)

    assert saved.history.get().history_user == admin


def test_a_department_cannot_move_to_another_hospital():
    department = DepartmentFactory()
    home = department.hospital_id
    department.hospital = HospitalFactory()

    with pytest.raises(ValidationError) as refused:
        department_save(instance=department, acting_user=UserFactory())

    assert "hospital" in refused.value.message_dict
    department.refresh_from_db()
    assert department.hospital_id == home
