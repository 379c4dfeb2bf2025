"""Scheduling pages through the Django test client: reception board and booking, doctor's pages, patient portal."""

import datetime
import re
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import timezone

from conftest import query_count, query_counter
from patients.tests.factories import PatientFactory
from scheduling.choices import AppointmentKind, AppointmentStatus
from scheduling.models import Appointment, Availability, TimeOff
from scheduling.tests.factories import (
    AppointmentFactory,
    AvailabilityFactory,
    RoomFactory,
    TimeOffFactory,
    starting_now,
)
from staff.tests.factories import DepartmentFactory, DoctorFactory, HospitalFactory, StaffMemberFactory

pytestmark = pytest.mark.django_db

STAFF_ROLES = ["Administrator", "Doctor", "Nurse", "Receptionist", "Billing Clerk", "Pharmacist", "Lab Technician"]
ALL_ROLES = [*STAFF_ROLES, "Patient"]

NY = ZoneInfo("America/New_York")
LA = ZoneInfo("America/Los_Angeles")
MONDAY = datetime.date(2030, 1, 7)  # a Monday; AvailabilityFactory gives Mondays 09:00-17:00 in 30-minute slots


def at(hour, minute=0, day=MONDAY, tz=NY):
    return datetime.datetime.combine(day, datetime.time(hour, minute), tzinfo=tz)


def local_today(tz):
    return timezone.now().astimezone(tz).date()


def text(response):
    return response.content.decode()


def messages_of(response):
    return [str(m) for m in response.context["messages"]]


@pytest.fixture
def window():
    return AvailabilityFactory(doctor__hospital__timezone="America/New_York", doctor__user__last_name="Grey")


@pytest.fixture
def doctor(window):
    return window.doctor


@pytest.fixture
def patient():
    return PatientFactory(first_name="Jane", last_name="Roe")


def receptionist_at(hospital, department=None):
    return StaffMemberFactory(role="receptionist", hospital=hospital, department=department or None).user


# --- who may open what -----------------------------------------------------------------------------------------

# Page -> the roles that may open it; every other role gets 403.
PAGE_ACCESS = {
    "scheduling:board": {"Administrator", "Doctor", "Nurse", "Receptionist", "Billing Clerk"},
    "scheduling:book": {"Administrator", "Receptionist"},
    "scheduling:reschedule": {"Administrator", "Doctor", "Nurse", "Receptionist"},
    "scheduling:my_schedule": {"Administrator", "Doctor"},
    "scheduling:availability": {"Administrator", "Doctor"},
    "scheduling:portal_appointments": {"Patient"},
    "scheduling:portal_book": {"Patient"},
}


@pytest.mark.parametrize(
    ("page", "role", "allowed"),
    [(page, role, role in allowed) for page, allowed in PAGE_ACCESS.items() for role in ALL_ROLES],
)
def test_each_page_opens_for_its_roles_and_is_refused_to_the_others(client, login, patient, page, role, allowed):
    appointment = AppointmentFactory(patient=patient, start=at(10))
    user = login(role)
    if role == "Patient":
        PatientFactory(user=user)
    url = reverse(page, args=[appointment.pk]) if page == "scheduling:reschedule" else reverse(page)

    response = client.get(url)

    if allowed:
        assert response.status_code == 200
    else:
        assert response.status_code == 403
        assert "Not allowed" in text(response)
        assert patient.mrn not in text(response)


@pytest.mark.parametrize("page", sorted(PAGE_ACCESS))
def test_anonymous_visitors_are_sent_to_the_login_page(client, page):
    appointment = AppointmentFactory(start=at(10))
    url = reverse(page, args=[appointment.pk]) if page == "scheduling:reschedule" else reverse(page)

    response = client.get(url)

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


# POST actions of the board -> roles allowed (change_appointment); the others get 403 and nothing changes.
BOARD_ACTIONS = {
    "scheduling:check_in": ({}, AppointmentStatus.CHECKED_IN),
    "scheduling:cancel": ({"reason": "Patient called"}, AppointmentStatus.CANCELLED),
    "scheduling:no_show": ({}, AppointmentStatus.NO_SHOW),
}
CHANGE_ROLES = {"Administrator", "Doctor", "Nurse", "Receptionist"}


@pytest.mark.parametrize(
    ("action", "role", "allowed"),
    [(action, role, role in CHANGE_ROLES) for action in BOARD_ACTIONS for role in ALL_ROLES],
)
def test_board_actions_are_allowed_to_roles_that_change_appointments_only(client, login, action, role, allowed):
    appointment = AppointmentFactory(start=timezone.now() - datetime.timedelta(minutes=10))
    data, new_status = BOARD_ACTIONS[action]
    login(role)

    response = client.post(reverse(action, args=[appointment.pk]), data)

    appointment.refresh_from_db()
    if allowed:
        assert response.status_code == 302
        assert appointment.status == new_status
    else:
        assert response.status_code == 403
        assert appointment.status == AppointmentStatus.SCHEDULED


@pytest.mark.parametrize("action", ["scheduling:check_in", "scheduling:start", "scheduling:complete"])
def test_actions_answer_only_post(client, login, action):
    appointment = AppointmentFactory(start=at(10))
    login("Administrator")

    assert client.get(reverse(action, args=[appointment.pk])).status_code == 405


# --- booking by the receptionist --------------------------------------------------------------------------------


def book_url(**params):
    return reverse("scheduling:book") + "?" + "&".join(f"{k}={v}" for k, v in params.items())


def test_the_booking_page_offers_the_free_slots_of_the_day_in_the_hospitals_time(client, login, doctor, patient):
    login("Receptionist")

    response = client.get(book_url(patient=patient.pk, doctor=doctor.pk, date=MONDAY.isoformat()))

    page = text(response)
    assert response.status_code == 200
    slots = response.context["slots"]
    assert len(slots) == 16  # 09:00-17:00 in 30-minute slots
    assert slots[0]["value"] == at(9).isoformat()
    assert slots[0]["label"] == "9:00 AM"
    assert slots[-1]["label"] == "4:30 PM"
    assert f'value="{at(9).isoformat()}"' in page
    assert "MRN" in page and patient.mrn in page


def test_booking_through_the_page_creates_one_appointment_booked_by_the_receptionist(client, login, doctor, patient):
    receptionist = login("Receptionist")
    url = book_url(patient=patient.pk, doctor=doctor.pk, date=MONDAY.isoformat())

    response = client.post(
        url,
        {
            "patient": patient.pk,
            "doctor": doctor.pk,
            "start": at(10).isoformat(),
            "reason": "Chest pain on exertion",
            "kind": AppointmentKind.IN_PERSON,
        },
    )

    appointment = Appointment.objects.get()
    assert response.status_code == 302
    assert (appointment.patient, appointment.doctor, appointment.start) == (patient, doctor, at(10))
    assert appointment.end == at(10, 30)
    assert appointment.booked_by == receptionist
    assert appointment.history.get().history_user == receptionist
    board = client.get(response["Location"])
    assert "Booked Jane Roe" in " ".join(messages_of(board))
    assert board.context["day"] == MONDAY
    assert f'id="appointment-{appointment.pk}"' in text(board)


def test_a_telemedicine_booking_gets_a_join_link(client, login, doctor, patient):
    login("Receptionist")

    client.post(
        book_url(patient=patient.pk, doctor=doctor.pk, date=MONDAY.isoformat()),
        {
            "patient": patient.pk,
            "doctor": doctor.pk,
            "start": at(11).isoformat(),
            "reason": "Review",
            "kind": "telemedicine",
        },
    )

    appointment = Appointment.objects.get()
    assert appointment.kind == AppointmentKind.TELEMEDICINE
    assert appointment.telemedicine_url.startswith("https://")


def test_a_room_of_the_doctors_hospital_can_be_booked_with_the_slot(client, login, doctor, patient):
    room = RoomFactory(hospital=doctor.hospital, name="Exam 4")
    RoomFactory(name="Elsewhere")  # another hospital: not offered
    login("Receptionist")
    url = book_url(patient=patient.pk, doctor=doctor.pk, date=MONDAY.isoformat())

    page = text(client.get(url))
    client.post(
        url,
        {
            "patient": patient.pk,
            "doctor": doctor.pk,
            "start": at(11).isoformat(),
            "reason": "X-ray",
            "kind": "in_person",
            "room": room.pk,
        },
    )

    assert "Exam 4" in page and "Elsewhere" not in page
    assert Appointment.objects.get().room == room


def test_a_taken_slot_is_not_offered(client, login, doctor, patient):
    AppointmentFactory(doctor=doctor, start=at(10))
    login("Receptionist")

    response = client.get(book_url(patient=patient.pk, doctor=doctor.pk, date=MONDAY.isoformat()))

    values = [slot["value"] for slot in response.context["slots"]]
    assert at(10).isoformat() not in values
    assert at(9, 30).isoformat() in values and at(10, 30).isoformat() in values
    assert f'value="{at(10).isoformat()}"' not in text(response)


def test_a_day_without_free_slots_points_to_the_next_free_day(client, login, doctor, patient):
    login("Receptionist")

    response = client.get(book_url(patient=patient.pk, doctor=doctor.pk, date="2030-01-08"))  # a Tuesday

    assert response.context["slots"] == []
    assert response.context["next_free_day"] == MONDAY + datetime.timedelta(days=7)
    assert "Next free slot: Monday, 01/14/2030" in text(response)


def test_a_stale_post_of_a_taken_slot_shows_the_conflict_and_saves_nothing(client, login, doctor, patient):
    login("Receptionist")
    url = book_url(patient=patient.pk, doctor=doctor.pk, date=MONDAY.isoformat())
    client.get(url)  # the page was opened while 10:00 was still free ...
    taken = AppointmentFactory(doctor=doctor, start=at(10))  # ... and someone else booked it meanwhile
    history_before = Appointment.history.count()

    response = client.post(
        url,
        {
            "patient": patient.pk,
            "doctor": doctor.pk,
            "start": at(10).isoformat(),
            "reason": "Check-up",
            "kind": "in_person",
        },
    )

    assert response.status_code == 409
    assert list(Appointment.objects.all()) == [taken]
    assert Appointment.history.count() == history_before
    message = " ".join(messages_of(response))
    assert "Not booked" in message and "the slot" in message and "is taken" in message
    assert "Traceback" not in text(response)
    assert at(10).isoformat() not in [slot["value"] for slot in response.context["slots"]]
    assert 'value="Check-up"' in text(response)  # what was typed is kept


def test_a_booking_without_a_reason_is_refused_and_nothing_is_saved(client, login, doctor, patient):
    login("Receptionist")

    response = client.post(
        book_url(patient=patient.pk, doctor=doctor.pk, date=MONDAY.isoformat()),
        {"patient": patient.pk, "doctor": doctor.pk, "start": at(10).isoformat(), "reason": "", "kind": "in_person"},
    )

    assert response.status_code == 400
    assert not Appointment.objects.exists()
    assert "Give the reason for the visit." in text(response)


def test_a_time_outside_the_doctors_hours_is_refused_with_the_services_message(client, login, doctor, patient):
    login("Receptionist")

    response = client.post(
        book_url(patient=patient.pk, doctor=doctor.pk),
        {
            "patient": patient.pk,
            "doctor": doctor.pk,
            "start": at(20).isoformat(),
            "reason": "Late",
            "kind": "in_person",
        },
    )

    assert response.status_code == 409
    assert not Appointment.objects.exists()
    assert "does not see patients at" in " ".join(messages_of(response))


def test_the_patient_is_found_by_name_and_chosen_for_the_booking(client, login, doctor, patient):
    PatientFactory(first_name="Rick", last_name="Other")
    login("Receptionist")

    found = client.get(book_url(q="roe", doctor=doctor.pk, date=MONDAY.isoformat()))
    chosen = client.get(book_url(patient=patient.pk, doctor=doctor.pk, date=MONDAY.isoformat()))

    assert [p.pk for p in found.context["patient_page"]] == [patient.pk]
    assert f"patient={patient.pk}" in text(found)
    assert "Other" not in text(found)
    assert found.context["slots_disabled"] is True  # no booking before the patient is chosen
    assert chosen.context["patient"] == patient
    assert chosen.context["slots_disabled"] is False


def test_choosing_a_department_narrows_the_doctors(client, login, doctor):
    other = DoctorFactory(user__last_name="Elsewhere")
    login("Receptionist")

    response = client.get(book_url(department=doctor.department_id))

    choices = list(response.context["search_form"].fields["doctor"].queryset)
    assert choices == [doctor]
    assert other not in choices


def test_a_doctor_outside_the_chosen_department_is_refused_on_the_form(client, login, doctor):
    other_department = DepartmentFactory()
    login("Receptionist")

    response = client.get(book_url(department=other_department.pk, doctor=doctor.pk))

    assert response.context["doctor"] is None
    assert response.context["search_form"].errors


# --- the board --------------------------------------------------------------------------------------------------


def test_the_board_shows_today_at_the_users_hospital_in_every_clinical_department_in_local_time(client, login):
    hospital = HospitalFactory(timezone="America/Los_Angeles")
    department = DepartmentFactory(hospital=hospital, name="Cardiology")
    front_desk = DepartmentFactory(hospital=hospital, name="Front Desk")
    doctor = DoctorFactory(hospital=hospital, department=department)
    other_department_doctor = DoctorFactory(hospital=hospital)
    elsewhere_doctor = DoctorFactory()
    today = local_today(LA)
    shown = AppointmentFactory(doctor=doctor, start=at(8, 15, day=today, tz=LA), patient__last_name="Shown")
    other_department = AppointmentFactory(
        doctor=other_department_doctor, start=at(9, day=today, tz=LA), patient__last_name="Otherdept"
    )
    AppointmentFactory(doctor=elsewhere_doctor, start=at(9, day=today, tz=LA), patient__last_name="Otherhospital")
    AppointmentFactory(
        doctor=doctor, start=at(9, day=today + datetime.timedelta(days=1), tz=LA), patient__last_name="Tomorrow"
    )
    login(receptionist_at(hospital, front_desk))  # the desk's own department sees no patients

    response = client.get(reverse("scheduling:board"))

    page = text(response)
    assert [a.pk for a in response.context["page"]] == [shown.pk, other_department.pk]
    assert response.context["day"] == today
    assert response.context["department"] is None
    assert "All clinical departments" in page
    assert "8:15 AM" in page  # the hospital's wall clock, not the server's (11:15 AM in New York)
    assert "11:15 AM" not in page
    assert "(today)" in page
    assert 'class="badge status status-scheduled"' in page
    for hidden in ("Otherhospital", "Tomorrow"):
        assert hidden not in page


def test_the_board_filters_by_department_day_and_status(client, login, doctor):
    checked_in = AppointmentFactory(doctor=doctor, start=at(9), status=AppointmentStatus.CHECKED_IN)
    AppointmentFactory(doctor=doctor, start=at(10))
    other = AppointmentFactory(doctor=DoctorFactory(hospital=doctor.hospital), start=at(11))
    login("Receptionist")
    base = {"hospital": doctor.hospital_id, "date": MONDAY.isoformat()}

    everyone = client.get(reverse("scheduling:board"), {**base, "department": ""})
    arrived = client.get(
        reverse("scheduling:board"), {**base, "department": doctor.department_id, "status": "checked_in"}
    )

    assert other.pk in [a.pk for a in everyone.context["page"]]
    assert len(everyone.context["page"]) == 3
    assert [a.pk for a in arrived.context["page"]] == [checked_in.pk]


def test_a_department_of_another_hospital_is_refused_on_the_board_filter(client, login, doctor):
    login("Receptionist")

    response = client.get(
        reverse("scheduling:board"), {"hospital": doctor.hospital_id, "department": DepartmentFactory().pk}
    )

    assert response.status_code == 400
    assert "Select a valid choice" in text(response)


def test_a_whole_day_is_on_one_page_however_many_appointments_it_has(client, login):
    doctor = DoctorFactory()
    for i in range(30):
        AppointmentFactory(doctor=doctor, start=at(8, day=MONDAY) + datetime.timedelta(minutes=15 * i))
    login("Receptionist")
    params = {"hospital": doctor.hospital_id, "department": doctor.department_id, "date": MONDAY.isoformat()}

    response = client.get(reverse("scheduling:board"), params)

    assert len(response.context["page"]) == 30
    assert "page=2" not in text(response) and "30 appointments" in text(response)
    assert 'id="board-limit"' not in text(response)


def test_a_day_past_the_limit_shows_the_first_rows_and_says_so(client, login, monkeypatch):
    monkeypatch.setattr("scheduling.views.frontdesk.BOARD_DAY_LIMIT", 5)
    doctor = DoctorFactory()
    starts = [at(8, day=MONDAY) + datetime.timedelta(minutes=15 * i) for i in range(7)]
    for start in starts:
        AppointmentFactory(doctor=doctor, start=start)
    login("Receptionist")

    response = client.get(reverse("scheduling:board"), {"hospital": doctor.hospital_id, "date": MONDAY.isoformat()})

    assert [a.start for a in response.context["page"]] == starts[:5]
    assert "more than 5 appointments: the first 5 by time are shown" in text(response)


def test_the_board_runs_the_same_number_of_queries_for_3_or_30_appointments(client, login):
    hospital = HospitalFactory()
    department = DepartmentFactory(hospital=hospital)
    doctors = DoctorFactory.create_batch(3, hospital=hospital, department=department)
    room = RoomFactory(hospital=hospital)

    def make(count, offset):
        for i in range(count):
            AppointmentFactory(
                doctor=doctors[i % 3],
                start=at(8, day=MONDAY) + datetime.timedelta(minutes=15 * (offset + i)),
                room=room if i % 5 and i % 2 else None,
                kind="telemedicine" if i % 5 == 0 else "in_person",
                status=[AppointmentStatus.SCHEDULED, AppointmentStatus.CHECKED_IN, AppointmentStatus.CANCELLED][i % 3],
            )

    login(receptionist_at(hospital, department))
    params = {"hospital": hospital.pk, "department": department.pk, "date": MONDAY.isoformat()}
    make(3, 0)
    small = query_count(client, reverse("scheduling:board"), params)
    make(27, 3)

    large = query_count(client, reverse("scheduling:board"), params)
    by_default = query_count(client, reverse("scheduling:board"))  # own hospital, all clinical departments, today

    # session, user, roles, staff member, hospitals, departments (each read once for the options and the
    # check of the choice) and the rows of the day
    assert small == large <= 8
    assert by_default <= 8


def test_the_board_offers_every_active_hospital_and_only_the_chosen_hospitals_clinical_departments(client, login):
    hospital = HospitalFactory(name="Boston General")
    other = HospitalFactory(name="Austin Memorial")
    HospitalFactory(name="Closed Clinic", is_active=False)
    cardiology = DepartmentFactory(hospital=hospital, name="Cardiology")
    DoctorFactory(hospital=hospital, department=cardiology)
    front_desk = DepartmentFactory(hospital=hospital, name="Front Desk")  # nobody sees patients there
    oncology = DepartmentFactory(hospital=other, name="Oncology")
    DoctorFactory(hospital=other, department=oncology)
    login(receptionist_at(hospital, front_desk))

    shown = text(client.get(reverse("scheduling:board")))
    in_austin = text(client.get(reverse("scheduling:board"), {"hospital": other.pk}))
    unknown = client.get(reverse("scheduling:board"), {"hospital": hospital.pk, "department": 987654})
    not_clinical = client.get(reverse("scheduling:board"), {"hospital": hospital.pk, "department": front_desk.pk})
    closed = client.get(reverse("scheduling:board"), {"hospital": HospitalFactory(is_active=False).pk})

    assert ">Boston General (" in shown and ">Austin Memorial (" in shown and "Closed Clinic" not in shown
    assert ">Cardiology</option>" in shown and "Front Desk</option>" not in shown and "Oncology" not in shown
    assert ">Oncology</option>" in in_austin and "Cardiology" not in in_austin
    assert unknown.status_code == 400 and "Select a valid choice" in text(unknown)
    assert not_clinical.status_code == 400 and "Select a valid choice" in text(not_clinical)
    assert closed.status_code == 400 and "Select a valid choice" in text(closed)


def test_check_in_from_the_board_changes_the_status_and_records_the_receptionist(client, login, doctor):
    appointment = AppointmentFactory(doctor=doctor, start=starting_now())
    receptionist = login("Receptionist")
    day = appointment.local_start.date().isoformat()
    board = reverse("scheduling:board") + f"?hospital={doctor.hospital_id}&date={day}"

    response = client.post(reverse("scheduling:check_in", args=[appointment.pk]), {"next": board}, follow=True)

    appointment.refresh_from_db()
    assert appointment.status == AppointmentStatus.CHECKED_IN
    assert appointment.checked_in_at is not None
    assert appointment.history.latest().history_user == receptionist
    assert response.redirect_chain[-1][0] == board
    assert "checked in" in " ".join(messages_of(response))


def test_cancel_from_the_board_needs_a_reason_and_keeps_it(client, login, doctor):
    appointment = AppointmentFactory(doctor=doctor, start=at(10))
    receptionist = login("Receptionist")
    url = reverse("scheduling:cancel", args=[appointment.pk])

    refused = client.post(url, {"reason": "  "}, follow=True)
    appointment.refresh_from_db()
    assert appointment.status == AppointmentStatus.SCHEDULED
    assert "Give a reason for the cancellation" in " ".join(messages_of(refused))

    client.post(url, {"reason": "Patient is travelling"})
    appointment.refresh_from_db()
    assert appointment.status == AppointmentStatus.CANCELLED
    assert appointment.cancellation_reason == "Patient is travelling"
    assert appointment.history.latest().history_user == receptionist


def test_no_show_after_the_start_is_recorded_and_before_it_is_refused(client, login):
    started = AppointmentFactory(start=timezone.now() - datetime.timedelta(minutes=20))
    ahead = AppointmentFactory(start=timezone.now() + datetime.timedelta(hours=2))
    receptionist = login("Receptionist")

    client.post(reverse("scheduling:no_show", args=[started.pk]))
    refused = client.post(reverse("scheduling:no_show", args=[ahead.pk]), follow=True)

    started.refresh_from_db()
    ahead.refresh_from_db()
    assert started.status == AppointmentStatus.NO_SHOW
    assert started.history.latest().history_user == receptionist
    assert ahead.status == AppointmentStatus.SCHEDULED
    assert "has not begun yet" in " ".join(messages_of(refused))


@pytest.mark.parametrize(
    ("status", "action", "data", "phrase"),
    [
        (AppointmentStatus.CANCELLED, "scheduling:check_in", {}, "A cancelled appointment cannot be checked in"),
        (
            AppointmentStatus.COMPLETED,
            "scheduling:cancel",
            {"reason": "Late"},
            "A completed appointment cannot be cancelled",
        ),
        (AppointmentStatus.CHECKED_IN, "scheduling:check_in", {}, "already been checked in"),
        (AppointmentStatus.NO_SHOW, "scheduling:no_show", {}, "already been marked as a no-show"),
    ],
)
def test_a_forbidden_transition_shows_a_message_and_changes_nothing(client, login, status, action, data, phrase):
    appointment = AppointmentFactory(start=timezone.now() - datetime.timedelta(hours=1), status=status)
    history_before = appointment.history.count()
    login("Receptionist")

    response = client.post(reverse(action, args=[appointment.pk]), data, follow=True)

    appointment.refresh_from_db()
    assert response.status_code == 200
    assert appointment.status == status
    assert appointment.history.count() == history_before
    assert phrase in " ".join(messages_of(response))


def test_the_board_offers_only_the_actions_the_status_allows(client, login, doctor):
    later_today = starting_now() + datetime.timedelta(minutes=1)
    scheduled = AppointmentFactory(doctor=doctor, start=later_today)
    cancelled = AppointmentFactory(doctor=doctor, start=later_today, status=AppointmentStatus.CANCELLED)
    login("Receptionist")
    day = scheduled.local_start.date().isoformat()

    page = text(client.get(reverse("scheduling:board"), {"hospital": doctor.hospital_id, "date": day}))

    assert reverse("scheduling:check_in", args=[scheduled.pk]) in page
    assert reverse("scheduling:cancel", args=[scheduled.pk]) in page
    assert reverse("scheduling:check_in", args=[cancelled.pk]) not in page
    assert reverse("scheduling:cancel", args=[cancelled.pk]) not in page
    assert reverse("scheduling:no_show", args=[scheduled.pk]) not in page  # it has not begun yet


def test_the_board_offers_check_in_on_the_appointments_day_only(client, login, doctor):
    future = AppointmentFactory(doctor=doctor, start=at(9))
    login("Receptionist")

    page = text(client.get(reverse("scheduling:board"), {"hospital": doctor.hospital_id, "date": MONDAY.isoformat()}))

    assert f'id="appointment-{future.pk}"' in page
    assert reverse("scheduling:check_in", args=[future.pk]) not in page
    assert reverse("scheduling:cancel", args=[future.pk]) in page


def test_checking_in_the_day_before_is_refused_with_a_message_and_nothing_changes(client, login, doctor):
    tomorrow = AppointmentFactory(doctor=doctor, start=starting_now() + datetime.timedelta(days=1))
    login("Receptionist")

    response = client.post(reverse("scheduling:check_in", args=[tomorrow.pk]), follow=True)

    tomorrow.refresh_from_db()
    assert tomorrow.status == AppointmentStatus.SCHEDULED
    assert tomorrow.checked_in_at is None
    assert "checked in on the day of their appointment only" in " ".join(messages_of(response))


def test_the_board_offers_no_show_once_the_appointment_has_begun(client, login):
    begun = AppointmentFactory(start=timezone.now() - datetime.timedelta(minutes=5))
    login("Receptionist")
    day = begun.start.astimezone(begun.hospital.tzinfo).date().isoformat()

    page = text(client.get(reverse("scheduling:board"), {"hospital": begun.hospital_id, "date": day}))

    assert reverse("scheduling:no_show", args=[begun.pk]) in page


def test_a_billing_clerk_sees_the_board_without_actions(client, login, doctor):
    appointment = AppointmentFactory(doctor=doctor, start=at(9))
    login("Billing Clerk")

    page = text(client.get(reverse("scheduling:board"), {"hospital": doctor.hospital_id, "date": MONDAY.isoformat()}))

    assert f'id="appointment-{appointment.pk}"' in page
    assert reverse("scheduling:check_in", args=[appointment.pk]) not in page


def test_reschedule_offers_the_same_doctors_free_slots_and_moves_the_appointment(client, login, doctor):
    appointment = AppointmentFactory(doctor=doctor, start=at(9))
    AppointmentFactory(doctor=doctor, start=at(11))
    receptionist = login("Receptionist")
    url = reverse("scheduling:reschedule", args=[appointment.pk])

    page = client.get(url, {"date": MONDAY.isoformat()})
    response = client.post(url + f"?date={MONDAY.isoformat()}", {"start": at(14).isoformat()})

    values = [slot["value"] for slot in page.context["slots"]]
    assert at(9).isoformat() not in values and at(11).isoformat() not in values
    assert at(14).isoformat() in values
    appointment.refresh_from_db()
    assert response.status_code == 302
    assert (appointment.start, appointment.end) == (at(14), at(14, 30))
    assert appointment.history.latest().history_user == receptionist


def test_rescheduling_to_a_taken_slot_shows_the_conflict_and_keeps_the_time(client, login, doctor):
    appointment = AppointmentFactory(doctor=doctor, start=at(9))
    AppointmentFactory(doctor=doctor, start=at(11))
    login("Receptionist")

    response = client.post(reverse("scheduling:reschedule", args=[appointment.pk]), {"start": at(11).isoformat()})

    appointment.refresh_from_db()
    assert response.status_code == 409
    assert appointment.start == at(9)
    assert "Not rescheduled" in " ".join(messages_of(response))


def test_a_next_url_to_another_site_is_ignored(client, login, doctor):
    appointment = AppointmentFactory(doctor=doctor, start=at(10))
    login("Receptionist")

    response = client.post(reverse("scheduling:check_in", args=[appointment.pk]), {"next": "https://evil.example/"})

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("scheduling:board"))


# --- the doctor's schedule -------------------------------------------------------------------------------------


def test_a_doctor_sees_only_their_own_schedule_of_today_in_local_time(client, login):
    me = DoctorFactory(hospital__timezone="America/Los_Angeles")
    colleague = DoctorFactory(hospital=me.hospital, department=me.department)
    today = local_today(LA)
    mine = AppointmentFactory(doctor=me, start=at(7, 45, day=today, tz=LA), patient__last_name="Mine")
    AppointmentFactory(doctor=colleague, start=at(8, day=today, tz=LA), patient__last_name="Theirs")
    AppointmentFactory(
        doctor=me, start=at(8, day=today + datetime.timedelta(days=1), tz=LA), patient__last_name="Later"
    )
    login(me.user)

    response = client.get(reverse("scheduling:my_schedule"))

    page = text(response)
    assert [a.pk for a in response.context["page"]] == [mine.pk]
    assert "7:45 AM" in page
    assert "Theirs" not in page and "Later" not in page


def test_the_week_view_lists_the_doctors_appointments_of_the_week_grouped_by_day(client, login, doctor):
    monday = AppointmentFactory(doctor=doctor, start=at(9))
    sunday = AppointmentFactory(doctor=doctor, start=at(18, day=MONDAY + datetime.timedelta(days=6)))
    AppointmentFactory(doctor=doctor, start=at(9, day=MONDAY + datetime.timedelta(days=7)))  # next week
    login(doctor.user)

    response = client.get(reverse("scheduling:my_schedule"), {"view": "week", "date": "2030-01-09"})

    assert [a.pk for a in response.context["page"]] == [monday.pk, sunday.pk]
    assert (response.context["date_from"], response.context["date_to"]) == (MONDAY, datetime.date(2030, 1, 13))
    assert "Sunday, 01/13/2030" in text(response)


def test_the_week_shows_each_visit_in_its_hospitals_time_with_the_zone_across_a_dst_change(client, login):
    ny = HospitalFactory(timezone="America/New_York")
    la = HospitalFactory(timezone="America/Los_Angeles")
    me = DoctorFactory(hospital=ny)
    march = datetime.date(2030, 3, 4)  # the week of the change to daylight time (Sunday 03/10/2030)
    before = AppointmentFactory(doctor=me, hospital=ny, start=at(12, 5, day=march), end=at(12, 25, day=march))
    sunday = march + datetime.timedelta(days=6)
    across = AppointmentFactory(doctor=me, hospital=la, start=at(1, 40, day=sunday, tz=LA).astimezone(datetime.UTC))
    login(me.user)

    page = text(client.get(reverse("scheduling:my_schedule"), {"view": "week", "date": march.isoformat()}))

    first = re.search(rf'<tr id="appointment-{before.pk}".*?</tr>', page, re.S).group(0)
    second = re.search(rf'<tr id="appointment-{across.pk}".*?</tr>', page, re.S).group(0)
    assert "<strong>12:05 PM</strong>" in first and "to 12:25 PM EST" in first
    assert "<strong>1:40 AM</strong>" in second and "to 3:10 AM PDT" in second  # 30 minutes later
    assert f'href="{reverse("patients:detail", args=[before.patient_id])}"' in first


def test_the_week_ends_at_midnight_of_each_hospitals_own_zone(client, login):
    ny = HospitalFactory(timezone="America/New_York")
    la = HospitalFactory(timezone="America/Los_Angeles")
    me = DoctorFactory(hospital=ny)
    sunday = MONDAY + datetime.timedelta(days=6)
    late_in_la = AppointmentFactory(doctor=me, hospital=la, start=at(23, 0, day=sunday, tz=LA))  # 02:00 Mon in NY
    late_in_ny = AppointmentFactory(doctor=me, hospital=ny, start=at(23, 0, day=sunday, tz=NY))
    AppointmentFactory(doctor=me, hospital=ny, start=at(0, 30, day=sunday + datetime.timedelta(days=1), tz=NY))
    AppointmentFactory(doctor=me, hospital=la, start=at(23, 30, day=MONDAY - datetime.timedelta(days=1), tz=LA))
    login(me.user)

    response = client.get(reverse("scheduling:my_schedule"), {"view": "week", "date": MONDAY.isoformat()})

    assert [a.pk for a in response.context["page"]] == [late_in_ny.pk, late_in_la.pk]
    assert [a.hospital for a in response.context["page"]] == [ny, la]


def test_the_schedule_reads_only_what_its_rows_show(client, login, doctor):
    AppointmentFactory(doctor=doctor, start=at(9), booked_by=doctor.user)
    login(doctor.user)

    with query_counter() as queries:
        client.get(reverse("scheduling:my_schedule"), {"view": "week", "date": MONDAY.isoformat()})

    rows = next(q["sql"] for q in queries if q["sql"].startswith("SELECT `scheduling_appointment`.`id`"))
    assert "`staff_department`" not in rows and "`inventory_equipment`" not in rows and "`auth_user`" not in rows
    assert "`patients_patient`.`address_line1`" not in rows


def test_a_doctor_cannot_open_another_doctors_schedule(client, login, doctor):
    me = DoctorFactory()
    login(me.user)

    assert client.get(reverse("scheduling:my_schedule"), {"doctor": doctor.pk}).status_code == 404
    assert client.get(reverse("scheduling:availability"), {"doctor": doctor.pk}).status_code == 404


def test_an_administrator_picks_any_doctors_schedule(client, login, doctor):
    appointment = AppointmentFactory(doctor=doctor, start=at(9))
    login("Administrator")

    empty = client.get(reverse("scheduling:my_schedule"))
    chosen = client.get(reverse("scheduling:my_schedule"), {"doctor": doctor.pk, "date": MONDAY.isoformat()})

    assert empty.context["doctor"] is None
    assert "Choose a doctor" in text(empty)
    assert [a.pk for a in chosen.context["page"]] == [appointment.pk]


def test_the_doctor_starts_and_completes_a_visit_of_their_own(client, login, doctor):
    appointment = AppointmentFactory(doctor=doctor, start=at(9), status=AppointmentStatus.CHECKED_IN)
    login(doctor.user)
    schedule = reverse("scheduling:my_schedule") + f"?date={MONDAY.isoformat()}"

    assert reverse("scheduling:start", args=[appointment.pk]) in text(client.get(schedule))
    client.post(reverse("scheduling:start", args=[appointment.pk]), {"next": schedule})
    appointment.refresh_from_db()
    assert appointment.status == AppointmentStatus.IN_PROGRESS
    assert reverse("scheduling:complete", args=[appointment.pk]) in text(client.get(schedule))
    response = client.post(reverse("scheduling:complete", args=[appointment.pk]), {"next": schedule}, follow=True)

    appointment.refresh_from_db()
    assert appointment.status == AppointmentStatus.COMPLETED
    assert appointment.history.latest().history_user == doctor.user
    assert response.redirect_chain[-1][0] == schedule
    assert "visit completed" in " ".join(messages_of(response))


def test_starting_a_visit_before_check_in_is_refused_with_a_hint(client, login, doctor):
    appointment = AppointmentFactory(doctor=doctor, start=at(9))
    login(doctor.user)

    response = client.post(reverse("scheduling:start", args=[appointment.pk]), follow=True)

    appointment.refresh_from_db()
    assert appointment.status == AppointmentStatus.SCHEDULED
    assert "Check the patient in first." in " ".join(messages_of(response))


@pytest.mark.parametrize("action", ["scheduling:start", "scheduling:complete"])
def test_a_doctor_cannot_start_or_complete_another_doctors_visit(client, login, doctor, action):
    status = AppointmentStatus.CHECKED_IN if action == "scheduling:start" else AppointmentStatus.IN_PROGRESS
    appointment = AppointmentFactory(doctor=doctor, start=at(9), status=status)
    login(DoctorFactory().user)

    response = client.post(reverse(action, args=[appointment.pk]))

    appointment.refresh_from_db()
    assert response.status_code == 403
    assert appointment.status == status


def test_telemedicine_join_links_show_to_the_doctor_and_the_patient_but_not_on_the_board(
    client, login, doctor, make_user
):
    user = make_user("Patient")
    patient = PatientFactory(user=user)
    visit = AppointmentFactory(
        doctor=doctor,
        patient=patient,
        start=timezone.now() + datetime.timedelta(days=1),
        kind=AppointmentKind.TELEMEDICINE,
        telemedicine_url="https://telehealth.hms.example/join/abc123",
    )
    day = visit.start.astimezone(NY).date().isoformat()

    login(doctor.user)
    schedule = text(client.get(reverse("scheduling:my_schedule"), {"date": day}))
    login(user)
    portal = text(client.get(reverse("scheduling:portal_appointments")))
    login("Receptionist")
    board = text(client.get(reverse("scheduling:board"), {"hospital": doctor.hospital_id, "date": day}))

    assert visit.telemedicine_url in schedule
    assert visit.telemedicine_url in portal
    assert f'id="appointment-{visit.pk}"' in board
    assert visit.telemedicine_url not in board


def test_the_doctors_schedule_runs_the_same_number_of_queries_for_3_or_30_appointments(client, login, doctor):
    login(doctor.user)

    def make(count, offset):
        for i in range(count):
            AppointmentFactory(
                doctor=doctor,
                start=at(7, day=MONDAY) + datetime.timedelta(minutes=20 * (offset + i)),
                kind="telemedicine" if i % 4 == 0 else "in_person",
                telemedicine_url="https://telehealth.hms.example/join/x" if i % 4 == 0 else "",
                status=[AppointmentStatus.SCHEDULED, AppointmentStatus.CHECKED_IN, AppointmentStatus.IN_PROGRESS][
                    i % 3
                ],
            )

    params = {"view": "week", "date": MONDAY.isoformat()}
    make(3, 0)
    small = query_count(client, reverse("scheduling:my_schedule"), params)
    make(27, 3)

    large = query_count(client, reverse("scheduling:my_schedule"), params)

    assert small == large <= 8


# --- availability and time off ----------------------------------------------------------------------------------


def window_data(**overrides):
    return {
        "weekday": 2,
        "start_time": "08:00",
        "end_time": "12:00",
        "slot_minutes": 20,
        "valid_from": "2030-01-01",
        "valid_to": "",
        **overrides,
    }


def test_a_doctor_adds_weekly_hours_for_themselves(client, login, doctor):
    login(doctor.user)

    response = client.post(reverse("scheduling:availability_add"), window_data(hospital=doctor.hospital_id))

    added = Availability.objects.get(weekday=2)
    assert response.status_code == 302
    assert (added.doctor, added.start_time, added.slot_minutes) == (doctor, datetime.time(8), 20)
    assert added.history.get().history_user == doctor.user


def test_overlapping_weekly_hours_are_refused_and_nothing_is_saved(client, login, doctor):
    login(doctor.user)

    response = client.post(
        reverse("scheduling:availability_add"),
        window_data(hospital=doctor.hospital_id, weekday=0, start_time="16:00", end_time="18:00"),
    )

    assert response.status_code == 400
    assert Availability.objects.count() == 1
    assert "overlaps another window" in text(response)


def test_a_doctor_ends_a_window_and_cannot_touch_another_doctors(client, login, window):
    other_window = AvailabilityFactory()
    login(window.doctor.user)

    ended = client.post(reverse("scheduling:availability_end", args=[window.pk]), {"valid_to": "2030-06-30"})
    refused = client.post(reverse("scheduling:availability_end", args=[other_window.pk]), {"valid_to": "2030-06-30"})

    window.refresh_from_db()
    other_window.refresh_from_db()
    assert ended.status_code == 302
    assert window.valid_to == datetime.date(2030, 6, 30)
    assert window.history.latest().history_user == window.doctor.user
    assert refused.status_code == 404
    assert other_window.valid_to is None


def test_an_administrator_adds_hours_for_any_doctor(client, login, doctor):
    admin = login("Administrator")

    page = client.get(reverse("scheduling:availability"), {"doctor": doctor.pk})
    response = client.post(
        reverse("scheduling:availability_add") + f"?doctor={doctor.pk}", window_data(hospital=doctor.hospital_id)
    )

    assert page.status_code == 200
    assert response.status_code == 302
    added = Availability.objects.get(weekday=2)
    assert added.doctor == doctor
    assert added.history.get().history_user == admin


def test_time_off_is_entered_in_the_hospitals_time_and_listed(client, login):
    doctor = DoctorFactory(hospital__timezone="America/Los_Angeles")
    login(doctor.user)

    response = client.post(
        reverse("scheduling:time_off_add"),
        {"start": "2030-01-14T09:00", "end": "2030-01-14T13:00", "reason": "Conference"},
    )
    page = text(client.get(reverse("scheduling:availability")))

    time_off = TimeOff.objects.get()
    assert response.status_code == 302
    assert time_off.doctor == doctor
    assert time_off.start == at(9, day=datetime.date(2030, 1, 14), tz=LA)
    assert time_off.history.get().history_user == doctor.user
    assert "Mon 01/14/2030 9:00 AM PST" in page


def test_time_off_over_a_booked_appointment_is_refused(client, login, doctor):
    AppointmentFactory(doctor=doctor, start=at(10))
    login(doctor.user)

    response = client.post(
        reverse("scheduling:time_off_add"),
        {"start": "2030-01-07T09:00", "end": "2030-01-07T12:00", "reason": "Dentist"},
    )

    assert response.status_code == 400
    assert not TimeOff.objects.exists()
    assert "Reschedule or cancel it first" in text(response)


def test_a_doctor_changes_their_own_time_off_but_not_another_doctors(client, login, doctor):
    mine = TimeOffFactory(doctor=doctor)
    theirs = TimeOffFactory()
    login(doctor.user)

    response = client.post(
        reverse("scheduling:time_off_edit", args=[mine.pk]),
        {"start": "2030-01-21T09:00", "end": "2030-01-21T10:00", "reason": "Shorter conference"},
    )

    mine.refresh_from_db()
    assert response.status_code == 302
    assert (mine.start, mine.reason) == (at(9, day=datetime.date(2030, 1, 21)), "Shorter conference")
    assert client.get(reverse("scheduling:time_off_edit", args=[theirs.pk])).status_code == 404


# --- the patient portal -----------------------------------------------------------------------------------------


@pytest.fixture
def me(make_user):
    user = make_user("Patient")
    return PatientFactory(user=user, first_name="Mina", last_name="Harker")


def test_a_patient_sees_their_own_upcoming_and_past_appointments_only(client, login, me):
    soon = AppointmentFactory(patient=me, start=timezone.now() + datetime.timedelta(days=2))
    past = AppointmentFactory(
        patient=me, start=timezone.now() - datetime.timedelta(days=30), status=AppointmentStatus.COMPLETED
    )
    cancelled = AppointmentFactory(
        patient=me, start=timezone.now() + datetime.timedelta(days=3), status=AppointmentStatus.CANCELLED
    )
    AppointmentFactory(start=timezone.now() + datetime.timedelta(days=2), patient__last_name="Westenra")
    login(me.user)

    response = client.get(reverse("scheduling:portal_appointments"))

    assert [a.pk for a in response.context["upcoming"]] == [soon.pk]
    assert [a.pk for a in response.context["past"]] == [cancelled.pk, past.pk]
    assert "Westenra" not in text(response)


def test_the_portal_lists_are_paginated(client, login, me):
    for i in range(12):
        AppointmentFactory(patient=me, start=timezone.now() + datetime.timedelta(days=1 + i))
    login(me.user)

    first = client.get(reverse("scheduling:portal_appointments"))
    second = client.get(reverse("scheduling:portal_appointments"), {"upcoming_page": 2})

    assert len(first.context["upcoming"]) == 10
    assert len(second.context["upcoming"]) == 2
    assert "upcoming_page=2" in text(first)


def test_a_patient_books_a_free_slot_with_their_doctor(client, login, me, doctor):
    login(me.user)
    url = reverse("scheduling:portal_book") + f"?doctor={doctor.pk}&date={MONDAY.isoformat()}"

    page = client.get(url)
    response = client.post(
        url, {"doctor": doctor.pk, "start": at(9, 30).isoformat(), "reason": "Annual check-up", "kind": "in_person"}
    )

    assert at(9, 30).isoformat() in [slot["value"] for slot in page.context["slots"]]
    assert response.status_code == 302
    appointment = Appointment.objects.get()
    assert (appointment.patient, appointment.doctor, appointment.start) == (me, doctor, at(9, 30))
    assert appointment.booked_by == me.user
    assert appointment.history.get().history_user == me.user


def test_a_patient_cannot_book_for_someone_else(client, login, me, doctor):
    other = PatientFactory()
    login(me.user)

    client.post(
        reverse("scheduling:portal_book") + f"?doctor={doctor.pk}",
        {"patient": other.pk, "doctor": doctor.pk, "start": at(9).isoformat(), "reason": "Hi", "kind": "in_person"},
    )

    assert Appointment.objects.get().patient == me  # the posted patient is ignored


def test_a_patient_booking_a_taken_slot_sees_the_conflict(client, login, me, doctor):
    AppointmentFactory(doctor=doctor, start=at(9))
    login(me.user)

    response = client.post(
        reverse("scheduling:portal_book") + f"?doctor={doctor.pk}&date={MONDAY.isoformat()}",
        {"doctor": doctor.pk, "start": at(9).isoformat(), "reason": "Check-up", "kind": "in_person"},
    )

    assert response.status_code == 409
    assert Appointment.objects.count() == 1
    assert "is taken" in " ".join(messages_of(response))


def test_a_patient_cancels_their_own_appointment_with_a_reason(client, login, me):
    appointment = AppointmentFactory(patient=me, start=timezone.now() + datetime.timedelta(days=2))
    login(me.user)

    response = client.post(reverse("scheduling:portal_cancel", args=[appointment.pk]), {"reason": "Feeling better"})

    appointment.refresh_from_db()
    assert response.status_code == 302
    assert appointment.status == AppointmentStatus.CANCELLED
    assert appointment.cancellation_reason == "Feeling better"
    assert appointment.history.latest().history_user == me.user


def test_a_patient_cannot_touch_another_patients_appointment(client, login, me):
    theirs = AppointmentFactory(start=timezone.now() + datetime.timedelta(days=2))
    login(me.user)

    cancel = client.post(reverse("scheduling:portal_cancel", args=[theirs.pk]), {"reason": "Mischief"})
    check_in = client.post(reverse("scheduling:check_in", args=[theirs.pk]))
    reschedule = client.get(reverse("scheduling:reschedule", args=[theirs.pk]))

    theirs.refresh_from_db()
    assert cancel.status_code == 404
    assert check_in.status_code == 403
    assert reschedule.status_code == 403
    assert theirs.status == AppointmentStatus.SCHEDULED


def test_a_patient_without_a_linked_record_is_told_so(client, login, make_user):
    login(make_user("Patient"))

    response = client.get(reverse("scheduling:portal_appointments"))
    booking = client.get(reverse("scheduling:portal_book"))

    assert "not linked to a patient record" in text(response)
    assert booking.status_code == 302


def test_the_portal_runs_the_same_number_of_queries_for_3_or_30_appointments(client, login, me):
    login(me.user)

    def make(count, offset):
        for i in range(count):
            AppointmentFactory(patient=me, start=timezone.now() + datetime.timedelta(days=1 + offset + i))
            AppointmentFactory(
                patient=me,
                start=timezone.now() - datetime.timedelta(days=1 + offset + i),
                status=AppointmentStatus.COMPLETED,
            )

    make(3, 0)
    small = query_count(client, reverse("scheduling:portal_appointments"))
    make(27, 3)

    large = query_count(client, reverse("scheduling:portal_appointments"))

    assert small == large


# --- start pages and navigation ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "page"),
    [("Receptionist", "scheduling:board"), ("Doctor", "scheduling:my_schedule")],
)
def test_receptionists_start_on_the_board_and_doctors_on_their_schedule(client, login, role, page):
    login(role)

    response = client.get(reverse("home"))

    assert response.status_code == 302
    assert response["Location"] == reverse(page)


def test_the_navigation_links_the_scheduling_pages_by_role(client, login, make_user):
    login("Receptionist")
    reception = text(client.get(reverse("scheduling:board")))
    user = make_user("Patient")
    PatientFactory(user=user)
    login(user)
    portal = text(client.get(reverse("scheduling:portal_appointments")))

    assert f'href="{reverse("scheduling:book")}"' in reception
    assert f'href="{reverse("scheduling:my_schedule")}"' not in reception
    assert f'href="{reverse("scheduling:portal_appointments")}"' in portal
    assert f'href="{reverse("scheduling:board")}"' not in portal


def test_the_patient_page_links_to_booking_for_that_patient(client, login, patient):
    login("Receptionist")

    detail = text(client.get(reverse("patients:detail", args=[patient.pk])))
    booking = client.get(reverse("scheduling:book"), {"patient": patient.pk})

    assert f'href="{reverse("scheduling:book")}?patient={patient.pk}"' in detail
    assert booking.context["patient"] == patient
