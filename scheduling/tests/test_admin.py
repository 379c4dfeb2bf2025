"""The back office books and changes appointments through the services."""

import datetime
from zoneinfo import ZoneInfo

import pytest
from django.contrib.messages import get_messages
from django.db import connection

from conftest import query_counter
from patients.tests.factories import PatientFactory
from scheduling.choices import AppointmentStatus
from scheduling.models import Appointment, Availability
from scheduling.tests.factories import AppointmentFactory, AvailabilityFactory, RoomFactory, TimeOffFactory
from staff.tests.factories import HospitalFactory

pytestmark = pytest.mark.django_db

NY = ZoneInfo("America/New_York")


def add_form(patient, doctor, time="10:00:00"):
    return {
        "patient": patient.pk,
        "doctor": doctor.pk,
        "start_0": "2030-01-07",
        "start_1": time,
        "kind": "in_person",
        "reason": "Knee pain",
    }


def test_adding_an_appointment_books_it_through_the_service(admin_client, admin_user):
    doctor = AvailabilityFactory(doctor__hospital__timezone="America/New_York").doctor

    response = admin_client.post("/admin/scheduling/appointment/add/", add_form(PatientFactory(), doctor))

    assert response.status_code == 302, response.content
    appointment = Appointment.objects.get()
    assert appointment.start == datetime.datetime(2030, 1, 7, 10, tzinfo=NY)
    assert appointment.end == datetime.datetime(2030, 1, 7, 10, 30, tzinfo=NY)
    assert appointment.booked_by == admin_user
    assert appointment.history.count() == 1


def test_the_start_is_read_on_the_clock_of_the_doctors_hospital(admin_client):
    doctor = AvailabilityFactory(doctor__hospital__timezone="America/Los_Angeles").doctor

    response = admin_client.post("/admin/scheduling/appointment/add/", add_form(PatientFactory(), doctor, "09:00:00"))

    assert response.status_code == 302, response.content
    assert Appointment.objects.get().start == datetime.datetime(2030, 1, 7, 9, tzinfo=ZoneInfo("America/Los_Angeles"))


def test_a_refused_booking_shows_the_reason_on_the_form(admin_client):
    doctor = AvailabilityFactory(doctor__hospital__timezone="America/New_York").doctor

    response = admin_client.post("/admin/scheduling/appointment/add/", add_form(PatientFactory(), doctor, "10:10:00"))

    assert response.status_code == 200
    assert "not at the start of a slot" in response.content.decode()
    assert not Appointment.objects.exists()


def test_actions_call_the_services_and_report_refusals(admin_client, admin_user):
    scheduled = AppointmentFactory()
    completed = AppointmentFactory(status=AppointmentStatus.COMPLETED)

    response = admin_client.post(
        "/admin/scheduling/appointment/",
        {"action": "cancel_appointments", "_selected_action": [scheduled.pk, completed.pk]},
    )

    scheduled.refresh_from_db()
    completed.refresh_from_db()
    assert scheduled.status == AppointmentStatus.CANCELLED
    assert scheduled.history.first().history_user == admin_user
    assert completed.status == AppointmentStatus.COMPLETED
    assert response.status_code == 302
    notes = [str(message) for message in get_messages(response.wsgi_request)]
    assert notes[0] == "1 appointment(s) cancelled."
    assert "A completed appointment cannot be cancelled" in notes[1]


def database_has_time_zones():
    if connection.vendor != "mysql":
        return True
    with connection.cursor() as cursor:
        cursor.execute("SELECT CONVERT_TZ('2030-01-01 00:00', 'UTC', 'America/New_York')")
        return cursor.fetchone()[0] is not None


def test_the_appointment_list_renders_with_its_date_hierarchy(admin_client):
    if not database_has_time_zones():
        pytest.skip("The admin's date hierarchy needs MariaDB's time zone tables: mariadb-tzinfo-to-sql.")
    AppointmentFactory(room=None)

    response = admin_client.get("/admin/scheduling/appointment/")

    assert response.status_code == 200
    assert "2030" in response.content.decode()


def test_appointments_cannot_be_deleted_and_pages_render(admin_client):
    appointment = AppointmentFactory(room=None)
    RoomFactory()

    assert admin_client.get(f"/admin/scheduling/appointment/{appointment.pk}/change/").status_code == 200
    assert admin_client.get(f"/admin/scheduling/appointment/{appointment.pk}/delete/").status_code == 403
    assert admin_client.get("/admin/scheduling/room/").status_code == 200
    assert admin_client.get("/admin/scheduling/equipment/").status_code == 200


def test_overlapping_availability_is_refused_in_the_admin(admin_client):
    window = AvailabilityFactory()

    response = admin_client.post(
        "/admin/scheduling/availability/add/",
        {
            "doctor": window.doctor.pk,
            "hospital": window.hospital.pk,
            "weekday": 0,
            "start_time": "16:00",
            "end_time": "18:00",
            "slot_minutes": 30,
            "valid_from": "2030-01-01",
        },
    )

    assert response.status_code == 200
    assert "overlaps another window" in response.content.decode()
    assert Availability.objects.count() == 1


def test_the_appointment_list_runs_the_same_queries_for_few_and_many_doctors(admin_client):

    def count():
        with query_counter() as ctx:
            assert admin_client.get("/admin/scheduling/appointment/").status_code == 200
        return len(ctx)

    AppointmentFactory.create_batch(2)
    few = count()
    AppointmentFactory.create_batch(12)  # each with its own doctor, department and hospital
    assert count() == few


def test_time_off_is_withdrawn_in_the_admin_never_deleted(admin_client, admin_user):
    time_off = TimeOffFactory()
    assert admin_client.get(f"/admin/scheduling/timeoff/{time_off.pk}/delete/").status_code == 403
    listing = admin_client.get("/admin/scheduling/timeoff/")
    assert "delete_selected" not in [value for value, _ in listing.context["action_form"].fields["action"].choices]

    admin_client.post("/admin/scheduling/timeoff/", {"action": "withdraw_selected", "_selected_action": [time_off.pk]})

    time_off.refresh_from_db()
    assert time_off.is_cancelled
    assert time_off.history.latest().history_user == admin_user


def test_new_windows_and_rooms_are_offered_only_active_hospitals(admin_client):
    open_hospital, closed_hospital = HospitalFactory(), HospitalFactory(is_active=False)
    for url in ("/admin/scheduling/availability/add/", "/admin/scheduling/room/add/"):
        offered = admin_client.get(url).context["adminform"].form.fields["hospital"].queryset
        assert open_hospital in offered and closed_hospital not in offered
