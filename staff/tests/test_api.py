"""The staff API: hospitals and departments, the staff directory and the doctors list."""

from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model

from conftest import counted_get
from staff.choices import StaffRole
from staff.models import Department, Hospital, StaffMember
from staff.tests.factories import DepartmentFactory, DoctorFactory, HospitalFactory, StaffMemberFactory

pytestmark = pytest.mark.django_db


User = get_user_model()

ADMIN = "Administrator"
DOCTOR = "Doctor"
NURSE = "Nurse"
RECEPTION = "Receptionist"
BILLING = "Billing Clerk"
PHARMACIST = "Pharmacist"
LAB = "Lab Technician"
PATIENT = "Patient"
ROLES = [ADMIN, DOCTOR, NURSE, RECEPTION, BILLING, PHARMACIST, LAB, PATIENT]
EVERYONE = set(ROLES)

# endpoint -> action -> the roles allowed (hms/roles.py). The staff directory (logins, contact details,
# licenses) is closed to portal patients, who find doctors through /doctors/. /doctors/ is read-only
# and nothing is deleted (see the tests below the table).
ACCESS = {
    "hospitals": {"list": EVERYONE, "retrieve": EVERYONE, "create": {ADMIN}, "update": {ADMIN}},
    "departments": {"list": EVERYONE, "retrieve": EVERYONE, "create": {ADMIN}, "update": {ADMIN}},
    "staff": {"list": EVERYONE - {PATIENT}, "retrieve": EVERYONE - {PATIENT}, "create": {ADMIN}, "update": {ADMIN}},
    "doctors": {"list": EVERYONE, "retrieve": EVERYONE},
}
SUCCESS = {"list": 200, "retrieve": 200, "create": 201, "update": 200}
MODELS = {"hospitals": Hospital, "departments": Department, "staff": StaffMember, "doctors": StaffMember}
TARGETS = {
    "hospitals": HospitalFactory,
    "departments": DepartmentFactory,
    "staff": StaffMemberFactory,
    "doctors": DoctorFactory,
}
UPDATES = {
    "hospitals": {"phone": "(617) 555-0100"},
    "departments": {"name": "Renamed department"},
    "staff": {"phone": "(617) 555-0177"},
    "doctors": {"specialty": "Neurology"},
}


def _create_payload(endpoint, target):
    if endpoint == "hospitals":
        return {
            "name": "North Clinic",
            "code": "NTH",
            "address_line1": "1 Main St",
            "city": "Boston",
            "state": "MA",
            "postal_code": "02115",
        }
    if endpoint == "departments":
        return {"hospital": target.hospital_id, "name": "Radiology", "code": "RAD-NEW"}
    return {
        "username": "nina.new",
        "first_name": "Nina",
        "last_name": "Newhire",
        "email": "nina.new@hms.example",
        "password": "Correct-Horse-42",
        "hospital": target.hospital_id,
        "department": target.department_id,
        "role": StaffRole.NURSE,
    }


def _call(client, endpoint, action, target):
    collection = f"/api/v1/{endpoint}/"
    detail = f"{collection}{target.pk}/"
    return {
        "list": lambda: client.get(collection),
        "retrieve": lambda: client.get(detail),
        "create": lambda: client.post(collection, _create_payload(endpoint, target)),
        "update": lambda: client.patch(detail, UPDATES[endpoint]),
        "delete": lambda: client.delete(detail),
    }[action]()


ROLE_CASES = [
    pytest.param(endpoint, action, role, role in allowed, id=f"{endpoint}-{action}-{role}")
    for endpoint, actions in ACCESS.items()
    for action, allowed in actions.items()
    for role in ROLES
]


@pytest.mark.parametrize(("endpoint", "action", "role", "allowed"), ROLE_CASES)
def test_each_role_may_do_what_the_role_table_allows(api_as, endpoint, action, role, allowed):
    target = TARGETS[endpoint]()
    client = api_as(role)
    model = MODELS[endpoint]
    rows, history_rows = model.objects.count(), model.history.count()

    response = _call(client, endpoint, action, target)

    if allowed:
        assert response.status_code == SUCCESS[action], response.data
        if action == "list":
            assert target.pk in [row["id"] for row in response.data["results"]]
    else:
        assert response.status_code == 403, response.data
        assert (model.objects.count(), model.history.count()) == (rows, history_rows)


@pytest.mark.parametrize(
    ("endpoint", "action"),
    [(endpoint, action) for endpoint in ACCESS for action in ["list", "retrieve", "create", "update", "delete"]],
)
def test_anonymous_requests_answer_401(api_client, endpoint, action):
    response = _call(api_client, endpoint, action, TARGETS[endpoint]())
    assert response.status_code == 401


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("endpoint", list(ACCESS))
def test_nothing_can_be_deleted(api_as, endpoint, role):
    target = TARGETS[endpoint]()

    response = api_as(role).delete(f"/api/v1/{endpoint}/{target.pk}/")

    assert response.status_code in (403, 405)
    assert MODELS[endpoint].objects.filter(pk=target.pk).exists()


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("action", ["create", "update"])
def test_the_doctors_list_is_read_only(api_as, role, action):
    doctor = DoctorFactory()
    client = api_as(role)
    history_rows = StaffMember.history.count()

    response = _call(client, "doctors", action, doctor)

    assert response.status_code in (403, 405)
    assert StaffMember.history.count() == history_rows


# --- Hospitals and departments ------------------------------------------------------------------

HOSPITAL = {
    "name": "Lakeside General",
    "code": "LAK",
    "address_line1": "10 Shore Rd",
    "city": "Burlington",
    "state": "VT",
    "postal_code": "05401",
    "timezone": "America/New_York",
}


def test_an_administrator_adds_a_hospital_and_the_history_names_them(api_as):
    client = api_as(ADMIN)

    response = client.post("/api/v1/hospitals/", HOSPITAL)

    assert response.status_code == 201, response.data
    hospital = Hospital.objects.get(pk=response.data["id"])
    assert (hospital.code, hospital.state, hospital.is_active) == ("LAK", "VT", True)
    assert hospital.history.get().history_user == client.user


@pytest.mark.parametrize(
    ("field", "value"),
    [("state", "ZZ"), ("code", "lower case"), ("postal_code", "ABCDE"), ("timezone", "Mars/Olympus"), ("phone", "x")],
)
def test_an_invalid_hospital_is_refused_with_a_field_error(api_as, field, value):
    response = api_as(ADMIN).post("/api/v1/hospitals/", {**HOSPITAL, field: value})

    assert response.status_code == 400
    assert field in response.data, response.data
    assert not Hospital.objects.filter(name=HOSPITAL["name"]).exists()


def test_a_hospital_is_deactivated_not_deleted(api_as):
    hospital = HospitalFactory()
    client = api_as(ADMIN)

    response = client.patch(f"/api/v1/hospitals/{hospital.pk}/", {"is_active": False})

    hospital.refresh_from_db()
    assert response.status_code == 200
    assert hospital.is_active is False
    assert hospital.history.first().history_user == client.user
    assert [h["id"] for h in client.get("/api/v1/hospitals/", {"is_active": "false"}).data["results"]] == [hospital.pk]


def test_hospitals_filter_by_state_and_search_by_name_or_code(api_as):
    boston = HospitalFactory(name="Boston Medical", code="BOS", state="MA")
    austin = HospitalFactory(name="Austin Regional", code="AUS", state="TX")
    client = api_as(NURSE)

    def found(**params):
        return [h["id"] for h in client.get("/api/v1/hospitals/", params).data["results"]]

    assert found(state="TX") == [austin.pk]
    assert found(search="boston") == [boston.pk]
    assert found(search="AUS") == [austin.pk]


def test_departments_filter_by_hospital(api_as):
    cardiology = DepartmentFactory(name="Cardiology")
    DepartmentFactory(name="Pediatrics")

    response = api_as(RECEPTION).get("/api/v1/departments/", {"hospital": cardiology.hospital_id})

    assert [d["id"] for d in response.data["results"]] == [cardiology.pk]
    assert response.data["results"][0]["hospital_name"] == cardiology.hospital.name


def test_a_department_code_is_unique_within_its_hospital(api_as):
    existing = DepartmentFactory(code="CARD")

    response = api_as(ADMIN).post(
        "/api/v1/departments/", {"hospital": existing.hospital_id, "name": "Cardiology 2", "code": "CARD"}
    )

    assert response.status_code == 400
    assert "non_field_errors" in response.data
    assert existing.hospital.departments.count() == 1


def test_a_department_cannot_move_to_another_hospital(api_as):
    department = DepartmentFactory()
    elsewhere = HospitalFactory()

    response = api_as(ADMIN).patch(f"/api/v1/departments/{department.pk}/", {"hospital": elsewhere.pk})

    department.refresh_from_db()
    assert response.status_code == 400
    assert "hospital" in response.data
    assert department.hospital_id != elsewhere.pk


# --- Staff members ------------------------------------------------------------------------------


@pytest.fixture
def department():
    return DepartmentFactory(name="Cardiology")


def _new_staff(department, **changes):
    return {
        "username": "nina.new",
        "first_name": "Nina",
        "last_name": "Newhire",
        "email": "nina.new@hms.example",
        "password": "Correct-Horse-42",
        "hospital": department.hospital_id,
        "department": department.pk,
        "role": StaffRole.NURSE,
        "phone": "(617) 555-0150",
        **changes,
    }


def test_creating_a_staff_member_makes_a_login_in_the_role_group(api_as, department):
    client = api_as(ADMIN)

    response = client.post("/api/v1/staff/", _new_staff(department))

    assert response.status_code == 201, response.data
    member = StaffMember.objects.get(pk=response.data["id"])
    assert member.user.username == "nina.new"
    assert member.user.check_password("Correct-Horse-42")
    assert [g.name for g in member.user.groups.all()] == [NURSE]
    assert member.history.get().history_user == client.user
    assert response.data["full_name"] == "Nina Newhire"
    assert response.data["email"] == "nina.new@hms.example"
    assert "password" not in response.data


def test_a_doctor_needs_a_specialty_license_and_fee_and_nothing_is_saved_without(api_as, department):
    client = api_as(ADMIN)
    users = User.objects.count()

    response = client.post("/api/v1/staff/", _new_staff(department, role=StaffRole.DOCTOR))

    assert response.status_code == 400
    assert {"specialty", "license_number", "consultation_fee"} <= set(response.data)
    assert User.objects.count() == users
    assert not User.objects.filter(username="nina.new").exists()


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("email", "not-an-email"),
        ("password", "123"),
        ("role", "janitor"),
        ("consultation_fee", "-10.00"),
        ("username", "has spaces!"),
    ],
)
def test_invalid_staff_input_is_a_field_error(api_as, department, field, value):
    client = api_as(ADMIN)
    users = User.objects.count()

    response = client.post("/api/v1/staff/", _new_staff(department, **{field: value}))

    assert response.status_code == 400
    assert field in response.data, response.data
    assert User.objects.count() == users


def test_a_taken_username_is_refused(api_as, department):
    StaffMemberFactory(user__username="nina.new")

    response = api_as(ADMIN).post("/api/v1/staff/", _new_staff(department))

    assert response.status_code == 400
    assert "username" in response.data


def test_the_department_must_belong_to_the_staff_members_hospital(api_as, department):
    response = api_as(ADMIN).post("/api/v1/staff/", _new_staff(department, hospital=HospitalFactory().pk))

    assert response.status_code == 400
    assert "department" in response.data
    assert not User.objects.filter(username="nina.new").exists()


def test_changing_the_role_moves_the_login_to_the_new_role_group(api_as):
    member = StaffMemberFactory(role=StaffRole.NURSE)

    response = api_as(ADMIN).patch(
        f"/api/v1/staff/{member.pk}/",
        {"role": StaffRole.DOCTOR, "specialty": "Cardiology", "license_number": "MD-1", "consultation_fee": "120.00"},
    )

    member.refresh_from_db()
    assert response.status_code == 200, response.data
    assert member.role == StaffRole.DOCTOR
    assert member.consultation_fee == Decimal("120.00")
    assert [g.name for g in member.user.groups.all()] == [DOCTOR]


def test_deactivating_a_staff_member_blocks_their_login(api_as):
    member = StaffMemberFactory()
    client = api_as(ADMIN)

    response = client.patch(f"/api/v1/staff/{member.pk}/", {"is_active": False, "phone": "(617) 555-0999"})

    member.refresh_from_db()
    member.user.refresh_from_db()
    assert response.status_code == 200
    assert response.data["is_active"] is False
    assert (member.is_active, member.user.is_active, member.phone) == (False, False, "(617) 555-0999")
    assert member.history.first().history_user == client.user


def test_an_invalid_update_changes_nothing(api_as):
    member = StaffMemberFactory(role=StaffRole.NURSE)

    response = api_as(ADMIN).patch(f"/api/v1/staff/{member.pk}/", {"role": StaffRole.DOCTOR, "is_active": False})

    member.refresh_from_db()
    assert response.status_code == 400
    assert "specialty" in response.data
    assert (member.role, member.is_active, member.user.is_active) == (StaffRole.NURSE, True, True)


def test_staff_filter_by_role_and_hospital_and_search_by_name(api_as):
    nurse = StaffMemberFactory(role=StaffRole.NURSE, user__first_name="Florence", user__last_name="Nightingale")
    doctor = DoctorFactory(user__first_name="Gregory", user__last_name="House")
    client = api_as(ADMIN)

    def found(**params):
        response = client.get("/api/v1/staff/", params)
        assert response.status_code == 200, response.data
        return [m["id"] for m in response.data["results"]]

    assert found(role="doctor", hospital=doctor.hospital_id) == [doctor.pk]
    assert found(search="nightin") == [nurse.pk]
    assert found(department=nurse.department_id) == [nurse.pk]
    assert client.get("/api/v1/staff/", {"role": "janitor"}).status_code == 400


# --- Doctors ------------------------------------------------------------------------------------


def test_the_doctors_list_shows_only_active_doctors(api_as):
    active = DoctorFactory(specialty="Pediatrics", consultation_fee=Decimal("95.50"))
    DoctorFactory(is_active=False)
    StaffMemberFactory(role=StaffRole.NURSE)

    response = api_as(PATIENT).get("/api/v1/doctors/")

    assert [d["id"] for d in response.data["results"]] == [active.pk]
    row = response.data["results"][0]
    assert (row["specialty"], row["consultation_fee"]) == ("Pediatrics", "95.50")
    assert (row["hospital"], row["hospital_name"]) == (active.hospital_id, active.hospital.name)
    assert row["full_name"] == active.user.get_full_name()
    assert "license_number" not in row and "phone" not in row


def test_doctors_filter_by_specialty_hospital_and_department_and_search(api_as):
    heart = DoctorFactory(specialty="Cardiology", user__last_name="Harvey")
    kids = DoctorFactory(specialty="Pediatrics", user__last_name="Spock")
    client = api_as(RECEPTION)

    def found(**params):
        return [d["id"] for d in client.get("/api/v1/doctors/", params).data["results"]]

    assert found(specialty="cardiology") == [heart.pk]
    assert found(hospital=kids.hospital_id) == [kids.pk]
    assert found(department=heart.department_id) == [heart.pk]
    assert found(search="pedia") == [kids.pk]
    assert found(search="spock") == [kids.pk]


def test_an_inactive_doctor_answers_404_on_the_doctors_list(api_as):
    doctor = DoctorFactory(is_active=False)

    assert api_as(PATIENT).get(f"/api/v1/doctors/{doctor.pk}/").status_code == 404


# --- Query counts: constant whatever the number of rows ------------------------------------------


def _queries(client, url):
    count, response = counted_get(client, url)
    return count, response.data


@pytest.mark.parametrize("endpoint", list(ACCESS))
def test_list_query_count_does_not_grow_with_rows(api_as, endpoint):
    client = api_as(ADMIN)
    baseline = client.get(f"/api/v1/{endpoint}/").data["count"]  # the admin's own staff row and hospital count
    TARGETS[endpoint].create_batch(3)
    client.get(f"/api/v1/{endpoint}/")  # warm up

    few, few_data = _queries(client, f"/api/v1/{endpoint}/")
    TARGETS[endpoint].create_batch(27)
    many, many_data = _queries(client, f"/api/v1/{endpoint}/")

    assert (few_data["count"] - baseline, many_data["count"] - baseline) == (3, 30)
    assert few == many
