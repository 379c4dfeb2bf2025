"""The scheduling API: who may do what, bookings and their refusals, filters, free slots, query counts."""

import datetime
from zoneinfo import ZoneInfo

import pytest

from conftest import counted_get, query_counter
from patients.tests.factories import PatientFactory
from scheduling.choices import AppointmentStatus
from scheduling.models import Appointment, Availability, Room, TimeOff
from scheduling.tests.factories import (
    AppointmentFactory,
    AvailabilityFactory,
    EquipmentFactory,
    RoomFactory,
    TimeOffFactory,
    starting_now,
)
from staff.tests.factories import DoctorFactory, HospitalFactory

pytestmark = pytest.mark.django_db

NY = ZoneInfo("America/New_York")
MONDAY = datetime.date(2030, 1, 7)
S = AppointmentStatus


def local(hour, minute=0, day=MONDAY, tz=NY):
    return datetime.datetime.combine(day, datetime.time(hour, minute), tzinfo=tz)


@pytest.fixture
def window():
    return AvailabilityFactory(doctor__hospital__timezone="America/New_York")


@pytest.fixture
def doctor(window):
    return window.doctor


def booking(patient, doctor, start="2030-01-07T10:00:00-05:00", **extra):
    return {"patient": patient.pk, "doctor": doctor.pk, "start": start, "reason": "Persistent cough", **extra}


def portal_patient(api_as, make_user):
    client = api_as(make_user("Patient"))
    client.patient = PatientFactory(user=client.user)
    return client


# --- who may do what ---------------------------------------------------------------------------

ROLES = ["Administrator", "Doctor", "Nurse", "Receptionist", "Billing Clerk", "Pharmacist", "Lab Technician", "Patient"]
ALLOWED = {
    "list appointments": {"Administrator", "Doctor", "Nurse", "Receptionist", "Billing Clerk", "Patient"},
    "book": {"Administrator", "Receptionist", "Patient"},
    "check in": {"Administrator", "Doctor", "Nurse", "Receptionist"},
    "cancel": {"Administrator", "Doctor", "Nurse", "Receptionist", "Patient"},
    "list availability": {"Administrator", "Doctor", "Receptionist", "Patient"},
    "free slots": {"Administrator", "Doctor", "Receptionist", "Patient"},
    "list time off": {"Administrator", "Doctor", "Receptionist"},
    "list rooms": {"Administrator", "Doctor", "Receptionist"},
    "add room": {"Administrator"},
}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("endpoint", sorted(ALLOWED))
def test_role_access(endpoint, role, api_as, make_user, doctor):
    if role == "Patient":
        client = portal_patient(api_as, make_user)
        patient = client.patient
    else:
        client, patient = api_as(role), PatientFactory()
    appointment = AppointmentFactory(patient=patient, doctor=doctor, start=starting_now())  # today: check-in is allowed
    requests = {
        "list appointments": lambda: client.get("/api/v1/appointments/"),
        "book": lambda: client.post("/api/v1/appointments/", booking(patient, doctor)),
        "check in": lambda: client.post(f"/api/v1/appointments/{appointment.pk}/check-in/"),
        "cancel": lambda: client.post(f"/api/v1/appointments/{appointment.pk}/cancel/", {"reason": "Sick"}),
        "list availability": lambda: client.get("/api/v1/availability/"),
        "free slots": lambda: client.get(f"/api/v1/doctors/{doctor.pk}/slots/?date=2030-01-07"),
        "list time off": lambda: client.get("/api/v1/time-off/"),
        "list rooms": lambda: client.get("/api/v1/rooms/"),
        "add room": lambda: client.post("/api/v1/rooms/", {"hospital": doctor.hospital_id, "name": "Exam 7"}),
    }

    response = requests[endpoint]()

    if role in ALLOWED[endpoint]:
        assert response.status_code in (200, 201), response.content
    else:
        assert response.status_code == 403, response.content


# --- booking -----------------------------------------------------------------------------------


def test_a_receptionist_books_a_free_slot(api_as, doctor):
    client, patient = api_as("Receptionist"), PatientFactory()

    response = client.post("/api/v1/appointments/", booking(patient, doctor, kind="telemedicine"))

    assert response.status_code == 201, response.content
    body = response.json()
    assert body["start"] == "2030-01-07T10:00:00-05:00"
    assert body["end"] == "2030-01-07T10:30:00-05:00"
    assert body["status"] == "scheduled"
    assert body["telemedicine_url"].startswith("https://")
    assert body["patient_mrn"] == patient.mrn
    assert body["booked_by"] == client.user.username
    appointment = Appointment.objects.get()
    assert appointment.history.get().history_user == client.user


def test_a_start_without_offset_is_read_in_the_hospitals_time_zone(api_as):
    doctor = AvailabilityFactory(doctor__hospital__timezone="America/Los_Angeles").doctor
    client = api_as("Receptionist")

    response = client.post("/api/v1/appointments/", booking(PatientFactory(), doctor, start="2030-01-07T09:00"))

    assert response.status_code == 201, response.content
    assert response.json()["start"] == "2030-01-07T09:00:00-08:00"
    assert Appointment.objects.get().start == datetime.datetime(2030, 1, 7, 17, tzinfo=datetime.UTC)


def test_a_taken_slot_answers_409_with_a_message_and_saves_nothing(api_as, doctor):
    client = api_as("Receptionist")
    assert client.post("/api/v1/appointments/", booking(PatientFactory(), doctor)).status_code == 201

    response = client.post("/api/v1/appointments/", booking(PatientFactory(), doctor))

    assert response.status_code == 409
    assert "already has an appointment at Mon 01/07/2030 at 10:00 AM EST" in response.json()["detail"]
    assert response.json()["code"] == "doctor_busy"
    assert Appointment.objects.count() == 1


@pytest.mark.parametrize(
    ("change", "status", "field"),
    [
        ({"start": "2030-01-07T10:10:00-05:00"}, 409, "detail"),
        ({"start": "next monday"}, 400, "start"),
        ({"kind": "video"}, 400, "kind"),
        ({"reason": ""}, 400, "reason"),
        ({"doctor": 999999}, 400, "doctor"),
        ({"start": "2020-01-06T10:00:00-05:00"}, 409, "detail"),
    ],
)
def test_bad_bookings_are_refused_with_a_message(api_as, doctor, change, status, field):
    client = api_as("Receptionist")

    response = client.post("/api/v1/appointments/", {**booking(PatientFactory(), doctor), **change})

    assert response.status_code == status, response.content
    assert response.json()[field]
    assert not Appointment.objects.exists()


def test_a_patient_books_for_themselves(api_as, make_user, doctor):
    client = portal_patient(api_as, make_user)

    response = client.post("/api/v1/appointments/", booking(client.patient, doctor))

    assert response.status_code == 201, response.content
    assert Appointment.objects.get().patient == client.patient


def test_a_patient_cannot_book_for_another_patient(api_as, make_user, doctor):
    client = portal_patient(api_as, make_user)

    response = client.post("/api/v1/appointments/", booking(PatientFactory(), doctor))

    assert response.status_code == 400
    assert response.json()["patient"] == ["No such patient, or not one you may book for."]
    assert not Appointment.objects.exists()


def test_a_patient_cannot_pick_rooms(api_as, make_user, doctor):
    client = portal_patient(api_as, make_user)
    room = RoomFactory(hospital=doctor.hospital)

    response = client.post("/api/v1/appointments/", booking(client.patient, doctor, room=room.pk))

    # A right the patient's role does not have (scheduling.policies.ensure_may_book): 403, as the issue's
    # refusal table says (it was a 400 while the serializer decided it).
    assert response.status_code == 403
    assert response.json()["detail"] == "Rooms and equipment are assigned by the hospital."
    assert not Appointment.objects.exists()


def test_a_patient_sees_and_cancels_only_their_own(api_as, make_user, doctor):
    client = portal_patient(api_as, make_user)
    own = AppointmentFactory(patient=client.patient, doctor=doctor)
    other = AppointmentFactory(doctor=doctor, start=local(11))

    listed = client.get("/api/v1/appointments/").json()["results"]
    assert [row["id"] for row in listed] == [own.pk]
    assert client.get(f"/api/v1/appointments/{other.pk}/").status_code == 404
    assert client.post(f"/api/v1/appointments/{other.pk}/cancel/", {"reason": "No"}).status_code == 404
    other.refresh_from_db()
    assert other.status == S.SCHEDULED

    response = client.post(f"/api/v1/appointments/{own.pk}/cancel/", {"reason": "Feeling better"})
    assert response.status_code == 200
    assert response.json()["status"] == "cancelled"


@pytest.mark.parametrize("action", ["check-in", "start", "complete", "no-show"])
def test_a_patient_cannot_move_their_visit_along(api_as, make_user, action):
    client = portal_patient(api_as, make_user)
    appointment = AppointmentFactory(patient=client.patient)

    response = client.post(f"/api/v1/appointments/{appointment.pk}/{action}/")

    assert response.status_code == 403
    appointment.refresh_from_db()
    assert appointment.status == S.SCHEDULED


def test_the_visit_moves_through_check_in_start_and_complete(api_as, doctor):
    appointment = AppointmentFactory(doctor=doctor, start=starting_now())
    nurse, doctor_client = api_as("Nurse"), api_as(doctor.user)

    assert nurse.post(f"/api/v1/appointments/{appointment.pk}/check-in/").json()["status"] == "checked_in"
    assert doctor_client.post(f"/api/v1/appointments/{appointment.pk}/start/").json()["status"] == "in_progress"
    completed = doctor_client.post(f"/api/v1/appointments/{appointment.pk}/complete/")
    assert completed.status_code == 200 and completed.json()["completed_at"]

    again = doctor_client.post(f"/api/v1/appointments/{appointment.pk}/complete/")
    assert again.status_code == 409
    assert again.json()["detail"] == "This appointment has already been completed."


def test_check_in_before_the_appointments_day_answers_409_and_starting_is_refused_too(api_as, doctor):
    tomorrow = AppointmentFactory(doctor=doctor, start=starting_now() + datetime.timedelta(days=1))
    nurse, doctor_client = api_as("Nurse"), api_as(doctor.user)

    check_in = nurse.post(f"/api/v1/appointments/{tomorrow.pk}/check-in/")
    start = doctor_client.post(f"/api/v1/appointments/{tomorrow.pk}/start/")

    assert check_in.status_code == 409
    assert check_in.json()["code"] == "not_appointment_day"
    assert "checked in on the day of their appointment only" in check_in.json()["detail"]
    assert start.status_code == 409
    assert "Check the patient in first." in start.json()["detail"]
    tomorrow.refresh_from_db()
    assert tomorrow.status == S.SCHEDULED


def test_cancel_needs_a_reason(api_as):
    appointment = AppointmentFactory()

    response = api_as("Receptionist").post(f"/api/v1/appointments/{appointment.pk}/cancel/", {})

    assert response.status_code == 400 and response.json()["reason"]
    appointment.refresh_from_db()
    assert appointment.status == S.SCHEDULED


def test_reschedule_moves_the_appointment(api_as, doctor):
    client = api_as("Receptionist")
    created = client.post("/api/v1/appointments/", booking(PatientFactory(), doctor)).json()

    response = client.post(f"/api/v1/appointments/{created['id']}/reschedule/", {"start": "2030-01-07T15:30"})

    assert response.status_code == 200, response.content
    assert response.json()["start"] == "2030-01-07T15:30:00-05:00"
    assert response.json()["id"] == created["id"]


def test_reschedule_into_time_off_is_refused(api_as, doctor):
    client = api_as("Receptionist")
    created = client.post("/api/v1/appointments/", booking(PatientFactory(), doctor)).json()
    TimeOffFactory(doctor=doctor, start=local(15), end=local(17))

    response = client.post(f"/api/v1/appointments/{created['id']}/reschedule/", {"start": "2030-01-07T15:30"})

    assert response.status_code == 409
    assert "is away from" in response.json()["detail"]


# --- lists and filters --------------------------------------------------------------------------


def test_filters(api_as, doctor):
    client = api_as("Receptionist")
    cardiology = doctor
    pediatrics = DoctorFactory(hospital=HospitalFactory(timezone="America/Chicago"))
    a = AppointmentFactory(doctor=cardiology, start=local(9))
    b = AppointmentFactory(
        doctor=cardiology, start=local(9, day=MONDAY + datetime.timedelta(days=7)), status=S.CANCELLED
    )
    # 23:30 in Chicago on Monday is already Tuesday in UTC and New York: it still counts as Monday.
    c = AppointmentFactory(doctor=pediatrics, start=local(23, 30, tz=ZoneInfo("America/Chicago")))
    past = AppointmentFactory(doctor=pediatrics, start=local(9, day=datetime.date(2020, 1, 6)))

    def ids(query):
        response = client.get(f"/api/v1/appointments/?{query}")
        assert response.status_code == 200, response.content
        return {row["id"] for row in response.json()["results"]}

    assert ids(f"doctor={cardiology.pk}") == {a.pk, b.pk}
    assert ids(f"patient={a.patient_id}") == {a.pk}
    assert ids(f"department={pediatrics.department_id}") == {c.pk, past.pk}
    assert ids(f"hospital={pediatrics.hospital_id}") == {c.pk, past.pk}
    assert ids("status=cancelled") == {b.pk}
    assert ids("status=scheduled&status=cancelled") == {a.pk, b.pk, c.pk, past.pk}
    assert ids("date_from=2030-01-07&date_to=2030-01-07") == {a.pk, c.pk}
    assert ids("date_from=2030-01-08") == {b.pk}
    assert ids("upcoming=true") == {a.pk, c.pk}
    assert client.get("/api/v1/appointments/?date_from=yesterday").status_code == 400


def test_the_list_is_paginated(api_as, doctor):
    for hour in range(9, 12):
        AppointmentFactory(doctor=doctor, start=local(hour))

    body = api_as("Receptionist").get("/api/v1/appointments/?page_size=2").json()

    following = api_as("Receptionist").get(body["next"]).json()

    assert "count" not in body and len(body["results"]) == 2 and body["next"] and body["previous"] is None
    assert len(following["results"]) == 1 and following["next"] is None and following["previous"]


def _list_queries(client):
    count, response = counted_get(client, "/api/v1/appointments/")
    return count, len(response.json()["results"])


def test_the_appointment_list_query_count_does_not_grow(api_as):
    client = api_as("Receptionist")
    for _ in range(3):
        AppointmentFactory(room=None)
    few = _list_queries(client)
    for _ in range(27):
        doctor = DoctorFactory()
        AppointmentFactory(doctor=doctor, room=RoomFactory(hospital=doctor.hospital))
    many = _list_queries(client)

    assert few[1] == 3 and many[1] == 30
    assert few[0] == many[0]


# --- free slots ----------------------------------------------------------------------------------


def test_free_slots_of_a_day(api_as, doctor):
    AppointmentFactory(doctor=doctor, start=local(10))

    response = api_as("Receptionist").get(f"/api/v1/doctors/{doctor.pk}/slots/?date=2030-01-07")

    assert response.status_code == 200
    slots = response.json()
    assert slots[0] == {"start": "2030-01-07T09:00:00-05:00", "end": "2030-01-07T09:30:00-05:00"}
    assert len(slots) == 15
    assert {"start": "2030-01-07T10:00:00-05:00", "end": "2030-01-07T10:30:00-05:00"} not in slots


def test_free_slots_of_a_range(api_as, doctor):
    response = api_as("Patient").get(f"/api/v1/doctors/{doctor.pk}/slots/?date_from=2030-01-07&date_to=2030-02-06")

    assert response.status_code == 200
    assert len(response.json()) == 5 * 16  # five Mondays


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("", "Give the day (?date=YYYY-MM-DD) or a range"),
        ("date=2030-02-30", "Give the day as YYYY-MM-DD, not '2030-02-30'."),
        ("date=monday", "Give the day as YYYY-MM-DD, not 'monday'."),
        ("date_from=2030-01-07&date_to=2030-02-07", "Ask for at most 31 days at a time."),  # 32 days
        ("date_from=2030-01-07&date_to=2030-01-06", "date_to must be on or after date_from."),
        ("date=2030-01-07&date_from=2030-01-07", "Give either date, or date_from and date_to, not both."),
    ],
)
def test_bad_slot_ranges_answer_400(api_as, doctor, query, message):
    response = api_as("Receptionist").get(f"/api/v1/doctors/{doctor.pk}/slots/?{query}")

    assert response.status_code == 400
    assert message in str(response.json())


def test_slots_of_someone_who_is_not_a_doctor_answer_404(api_as):
    nurse = api_as("Nurse").user.staff_profile
    assert api_as("Receptionist").get(f"/api/v1/doctors/{nurse.pk}/slots/?date=2030-01-07").status_code == 404


def test_the_slot_endpoint_query_count_does_not_grow(api_as, doctor):
    client = api_as("Receptionist")
    url = f"/api/v1/doctors/{doctor.pk}/slots/?date_from=2030-01-07&date_to=2030-01-27"

    def measure(appointments):
        for index in range(appointments):
            start = local(9) + datetime.timedelta(days=7 * (index // 16), minutes=30 * (index % 16))
            AppointmentFactory(doctor=doctor, start=start)
        with query_counter() as queries:
            response = client.get(url)
        assert response.status_code == 200
        return len(queries), len(response.json())

    few = measure(2)
    Appointment.objects.all().delete()
    many = measure(30)

    assert few[1] == 48 - 2 and many[1] == 48 - 30
    assert few[0] == many[0]


# --- availability, time off, rooms ------------------------------------------------------------------


def window_payload(**extra):
    return {
        "weekday": 2,
        "start_time": "13:00",
        "end_time": "15:00",
        "slot_minutes": 20,
        "valid_from": "2030-01-01",
        **extra,
    }


def test_a_doctor_adds_their_own_availability(api_as, doctor):
    response = api_as(doctor.user).post("/api/v1/availability/", window_payload())

    assert response.status_code == 201, response.content
    window = Availability.objects.get(pk=response.json()["id"])
    assert (window.doctor, window.hospital, window.slot_minutes) == (doctor, doctor.hospital, 20)


def test_a_doctor_cannot_add_or_change_anothers_availability(api_as, doctor, window):
    other = api_as("Doctor")

    created = other.post("/api/v1/availability/", window_payload(doctor=doctor.pk))
    changed = other.patch(f"/api/v1/availability/{window.pk}/", {"end_time": "18:00"})

    assert created.status_code == 403 and changed.status_code == 403
    assert "only your own availability" in created.json()["detail"]
    window.refresh_from_db()
    assert window.end_time == datetime.time(17)
    assert Availability.objects.count() == 1


def test_an_administrator_maintains_anyones_availability(api_as, doctor, window):
    admin = api_as("Administrator")

    created = admin.post("/api/v1/availability/", window_payload(doctor=doctor.pk))
    changed = admin.patch(f"/api/v1/availability/{window.pk}/", {"valid_to": "2030-06-30"})

    assert created.status_code == 201 and changed.status_code == 200, (created.content, changed.content)
    window.refresh_from_db()
    assert window.valid_to == datetime.date(2030, 6, 30)
    assert window.history.first().history_user == admin.user


def test_an_administrator_must_name_the_doctor(api_as):
    response = api_as("Administrator").post("/api/v1/availability/", window_payload())

    assert response.status_code == 400 and response.json()["doctor"] == ["Choose the doctor."]


def test_overlapping_availability_answers_400_with_the_clash(api_as, doctor):
    response = api_as(doctor.user).post(
        "/api/v1/availability/", window_payload(weekday=0, start_time="16:00", end_time="18:00")
    )

    assert response.status_code == 400
    assert "overlaps another window" in str(response.json())
    assert Availability.objects.count() == 1


def test_a_doctor_records_time_off(api_as, doctor):
    client = api_as(doctor.user)

    bad = client.post(
        "/api/v1/time-off/", {"start": "2030-01-08T12:00:00Z", "end": "2030-01-08T11:00:00Z", "reason": "x"}
    )
    good = client.post(
        "/api/v1/time-off/", {"start": "2030-01-07T14:00:00Z", "end": "2030-01-07T22:00:00Z", "reason": "CME"}
    )

    assert bad.status_code == 400 and bad.json()["end"] == ["The time off must end after it starts."]
    assert good.status_code == 201, good.content
    assert TimeOff.objects.get().doctor == doctor
    slots = api_as("Receptionist").get(f"/api/v1/doctors/{doctor.pk}/slots/?date=2030-01-07").json()
    assert slots == []


def test_a_doctor_cannot_change_anothers_time_off(api_as, doctor):
    time_off = TimeOffFactory(doctor=doctor)

    response = api_as("Doctor").patch(f"/api/v1/time-off/{time_off.pk}/", {"reason": "Golf"})

    assert response.status_code == 403
    time_off.refresh_from_db()
    assert time_off.reason == "Conference"


def test_rooms_are_added_and_deactivated_not_deleted(api_as, doctor):
    admin = api_as("Administrator")

    created = admin.post("/api/v1/rooms/", {"hospital": doctor.hospital_id, "name": "Imaging 2", "kind": "imaging"})
    duplicate = admin.post("/api/v1/rooms/", {"hospital": doctor.hospital_id, "name": "Imaging 2"})
    deactivated = admin.patch(f"/api/v1/rooms/{created.json()['id']}/", {"is_active": False})
    deleted = admin.delete(f"/api/v1/rooms/{created.json()['id']}/")

    assert created.status_code == 201
    assert duplicate.status_code == 400 and "already has a room with this name" in str(duplicate.json())
    assert deactivated.status_code == 200 and deactivated.json()["is_active"] is False
    assert deleted.status_code in (403, 405)
    assert Room.objects.count() == 1


def test_nothing_internal_leaks_into_the_name_fields_null_is_null(api_as):
    """Issue 12 bug 1: an appointment without equipment showed "<method-wrapper '__str__' of NoneType ...>"."""
    without = AppointmentFactory(equipment=None)
    with_equipment = AppointmentFactory(equipment=EquipmentFactory(name="Holter monitor"))
    client = api_as("Administrator")

    bare = client.get(f"/api/v1/appointments/{without.pk}/").json()
    equipped = client.get(f"/api/v1/appointments/{with_equipment.pk}/").json()
    listed = client.get("/api/v1/appointments/").json()

    assert bare["equipment_name"] is None
    assert equipped["equipment_name"] == str(with_equipment.equipment)
    assert bare["doctor_name"] == str(without.doctor)
    assert not any("method-wrapper" in str(row) for row in listed["results"])
