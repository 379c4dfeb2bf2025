"""The reason for a visit is clinical: it reaches only the roles hms.roles.RESTRICTED_FIELDS names (issue 10,
item 3). Billing clerks see appointments, to bill them, without it, in the API and on the pages they can open."""

import datetime

import pytest
from django.urls import reverse

from hms.roles import ALL_GROUPS, RESTRICTED_FIELDS, ROLE_PERMISSIONS, codenames_for
from scheduling.tests.factories import AppointmentFactory

pytestmark = pytest.mark.django_db

REASON = "Chest pain on exertion"
LABEL = "scheduling.appointment.reason"


def table_reads_reason(role):
    perms = {f"{app}.{codename}" for app, codename in codenames_for(ROLE_PERMISSIONS.get(role, {}))}
    return any(perm in perms for perm in RESTRICTED_FIELDS[LABEL])


def test_the_reason_is_read_by_clinical_roles_and_the_desk_but_not_by_billing():
    readers = {role for role in ALL_GROUPS if table_reads_reason(role)}
    assert readers == {"Administrator", "Doctor", "Nurse", "Receptionist", "Patient"}


@pytest.mark.parametrize("role", ["Administrator", "Doctor", "Nurse", "Receptionist", "Billing Clerk", "Patient"])
def test_the_appointments_api_shows_the_reason_only_to_roles_that_may_read_it(api_as, make_user, role):
    user = make_user(role)
    appointment = AppointmentFactory(reason=REASON, **({"patient__user": user} if role == "Patient" else {}))
    client = api_as(user)

    listed = client.get("/api/v1/appointments/")
    detail = client.get(f"/api/v1/appointments/{appointment.pk}/")

    assert listed.status_code == detail.status_code == 200
    [row] = [row for row in listed.data["results"] if row["id"] == appointment.pk]
    expected = REASON if table_reads_reason(role) else None
    assert row["reason"] == detail.data["reason"] == expected
    if expected is None:
        assert REASON not in listed.content.decode() + detail.content.decode()
        assert row["patient_mrn"] == appointment.patient.mrn  # the rest of the appointment is still there


@pytest.mark.parametrize("role", ["Receptionist", "Billing Clerk", "Nurse"])
def test_the_board_shows_the_reason_only_to_roles_that_may_read_it(client, make_user, role):
    today = datetime.date.today()
    appointment = AppointmentFactory(reason=REASON, start=datetime.datetime.combine(
        today, datetime.time(15, 0), tzinfo=datetime.UTC))
    client.force_login(make_user(role))

    response = client.get(reverse("scheduling:board"), {
        "hospital": appointment.hospital_id, "date": appointment.start.astimezone(
            appointment.hospital.tzinfo).date().isoformat()})

    assert response.status_code == 200
    page = response.content.decode()
    assert appointment.patient.mrn in page
    assert (REASON in page) == table_reads_reason(role)
