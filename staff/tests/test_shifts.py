import datetime
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from conftest import query_counter
from hms.exceptions import Conflict
from staff.models import Shift
from staff.services import shift_cancel, shift_create, shift_update
from staff.tests.factories import DepartmentFactory, ShiftFactory, StaffMemberFactory, UserFactory

pytestmark = pytest.mark.django_db
NY = ZoneInfo("America/New_York")


def at(day, hour):
    return datetime.datetime.combine(day, datetime.time(hour), tzinfo=NY)


MONDAY = datetime.date(2026, 12, 7)


def test_a_shift_is_created_with_history_and_the_acting_user():
    admin = UserFactory()
    nurse = StaffMemberFactory()
    shift = shift_create(
        staff_member=nurse, department=nurse.department, start=at(MONDAY, 7), end=at(MONDAY, 15), acting_user=admin
    )
    assert shift.history.first().history_user == admin
    assert shift.created_by == admin


def test_one_persons_shifts_never_overlap():
    nurse = StaffMemberFactory()
    ShiftFactory(staff_member=nurse, start=at(MONDAY, 7), end=at(MONDAY, 15))
    with pytest.raises(Conflict, match="cannot overlap"):
        shift_create(
            staff_member=nurse, department=nurse.department, start=at(MONDAY, 14), end=at(MONDAY, 22),
            acting_user=UserFactory(),
        )
    assert Shift.objects.count() == 1


def test_back_to_back_shifts_and_other_peoples_shifts_are_fine():
    nurse, colleague = StaffMemberFactory(), StaffMemberFactory()
    ShiftFactory(staff_member=nurse, start=at(MONDAY, 7), end=at(MONDAY, 15))
    admin = UserFactory()
    shift_create(staff_member=nurse, department=nurse.department, start=at(MONDAY, 15), end=at(MONDAY, 23),
                 acting_user=admin)
    shift_create(staff_member=colleague, department=colleague.department, start=at(MONDAY, 7), end=at(MONDAY, 15),
                 acting_user=admin)
    assert Shift.objects.count() == 3


def test_a_cancelled_shift_frees_the_time_and_cannot_be_changed():
    nurse = StaffMemberFactory()
    shift = ShiftFactory(staff_member=nurse, start=at(MONDAY, 7), end=at(MONDAY, 15))
    shift_cancel(shift=shift, acting_user=UserFactory())
    shift_create(staff_member=nurse, department=nurse.department, start=at(MONDAY, 8), end=at(MONDAY, 12),
                 acting_user=UserFactory())
    with pytest.raises(Conflict):
        shift_update(shift=shift, acting_user=UserFactory(), notes="again")


def test_moving_a_shift_onto_another_is_refused():
    nurse = StaffMemberFactory()
    ShiftFactory(staff_member=nurse, start=at(MONDAY, 7), end=at(MONDAY, 15))
    late = ShiftFactory(staff_member=nurse, start=at(MONDAY, 16), end=at(MONDAY, 23))
    with pytest.raises(Conflict):
        shift_update(shift=late, acting_user=UserFactory(), start=at(MONDAY, 12))
    late.refresh_from_db()
    assert late.start == at(MONDAY, 16)


def test_shifts_must_end_after_start_and_stay_in_the_persons_hospital():
    nurse = StaffMemberFactory()
    with pytest.raises(ValidationError):
        shift_create(staff_member=nurse, department=nurse.department, start=at(MONDAY, 15), end=at(MONDAY, 7),
                     acting_user=UserFactory())
    with pytest.raises(ValidationError) as refusal:
        shift_create(staff_member=nurse, department=DepartmentFactory(), start=at(MONDAY, 7), end=at(MONDAY, 15),
                     acting_user=UserFactory())
    assert "department" in refusal.value.message_dict


def test_a_deactivated_person_cannot_be_rostered():
    nurse = StaffMemberFactory(is_active=False)
    with pytest.raises(Conflict):
        shift_create(staff_member=nurse, department=nurse.department, start=at(MONDAY, 7), end=at(MONDAY, 15),
                     acting_user=UserFactory())


def roster_url(department, day=MONDAY):
    return f"{reverse('staff:roster')}?department={department.pk}&week={day}"


def test_the_roster_shows_the_departments_week_in_local_time(client, make_user):
    nurse = StaffMemberFactory(user__first_name="Florence", user__last_name="Nightingale")
    ShiftFactory(staff_member=nurse, start=at(MONDAY + datetime.timedelta(days=2), 19),
                 end=at(MONDAY + datetime.timedelta(days=3), 7))
    ShiftFactory(staff_member=nurse, start=at(MONDAY + datetime.timedelta(days=7), 7),
                 end=at(MONDAY + datetime.timedelta(days=7), 15))  # next week: not shown
    client.force_login(make_user("Nurse"))
    response = client.get(roster_url(nurse.department, MONDAY + datetime.timedelta(days=4)))
    assert response.status_code == 200
    body = response.content.decode()
    assert "Florence Nightingale" in body
    assert "7:00 PM–7:00 AM" in body  # the house time format (settings.TIME_FORMAT)
    assert body.count("badge\">") == 1
    assert "Add a shift" not in body  # nurses read the roster, administrators write it


def test_the_roster_query_count_does_not_grow_with_shifts(client, make_user, django_assert_max_num_queries):
    department = DepartmentFactory()
    client.force_login(make_user("Nurse"))

    def count_queries():

        with query_counter() as ctx:
            assert client.get(roster_url(department)).status_code == 200
        return len(ctx)

    for i in range(2):
        member = StaffMemberFactory(hospital=department.hospital, department=department)
        ShiftFactory(staff_member=member, start=at(MONDAY, 7 + i), end=at(MONDAY, 12 + i))
    small = count_queries()
    for i in range(12):
        member = StaffMemberFactory(hospital=department.hospital, department=department)
        ShiftFactory(staff_member=member, start=at(MONDAY + datetime.timedelta(days=i % 7), 7),
                     end=at(MONDAY + datetime.timedelta(days=i % 7), 15))
    assert count_queries() == small


def test_an_administrator_adds_a_shift_from_the_roster_and_overlaps_are_shown_as_errors(client, make_user):
    nurse = StaffMemberFactory()
    client.force_login(make_user("Administrator"))
    data = {"staff_member": nurse.pk, "day": MONDAY, "start_time": "22:00", "end_time": "06:00", "notes": "Night"}
    response = client.post(roster_url(nurse.department), data)
    assert response.status_code == 302
    shift = Shift.objects.get()
    assert shift.start == at(MONDAY, 22) and shift.end == at(MONDAY + datetime.timedelta(days=1), 6)
    response = client.post(roster_url(nurse.department), {**data, "start_time": "23:00", "end_time": "03:00"})
    assert response.status_code == 200
    assert "cannot overlap" in response.content.decode()
    assert Shift.objects.count() == 1


def test_roles_without_the_roster_permission_are_refused(client, make_user):
    client.force_login(make_user("Patient"))
    assert client.get(reverse("staff:roster")).status_code == 403


def test_the_roster_shows_times_in_the_hospitals_own_zone(client, make_user):
    denver = ZoneInfo("America/Denver")
    nurse = StaffMemberFactory(hospital__timezone="America/Denver", hospital__code="DEN")
    start = datetime.datetime.combine(MONDAY, datetime.time(7), tzinfo=denver)
    ShiftFactory(staff_member=nurse, start=start, end=start + datetime.timedelta(hours=8))
    client.force_login(make_user("Nurse"))
    body = client.get(roster_url(nurse.department)).content.decode()
    assert "7:00 AM–3:00 PM" in body
