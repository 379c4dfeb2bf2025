"""Who may act on appointments, availability and time off: scheduling.policies, asked by scheduling.services.

The rules hold at the service, whatever calls it (page, API, admin, command); the pages and the API then
answer a refusal alike: 404 for another patient's appointment, 403 for an action the role may not take.
"""

import datetime

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone

from hms.exceptions import DomainNotFound
from patients.tests.factories import PatientFactory
from scheduling import policies, services
from scheduling.choices import AppointmentStatus
from scheduling.models import Appointment, Availability
from scheduling.tests.factories import (
    AppointmentFactory,
    AvailabilityFactory,
    RoomFactory,
    TimeOffFactory,
)
from staff.tests.factories import DoctorFactory

pytestmark = pytest.mark.django_db

S = AppointmentStatus


@pytest.fixture
def patient_user(make_user):
    user = make_user("Patient")
    PatientFactory(user=user)
    return user


def upcoming(**kwargs):
    return AppointmentFactory(start=timezone.now() + datetime.timedelta(days=2), **kwargs)


def window_data(**kwargs):
    return {
        "weekday": 2,
        "start_time": datetime.time(8),
        "end_time": datetime.time(10),
        "slot_minutes": 15,
        "valid_from": datetime.date(2029, 1, 1),
        **kwargs,
    }


# --- appointments: a portal patient --------------------------------------------------------------------------


def test_a_patient_cancelling_another_patients_appointment_is_told_it_does_not_exist(patient_user):
    theirs = upcoming()

    with pytest.raises(DomainNotFound):
        services.appointment_cancel(appointment=theirs, reason="Mischief", acting_user=patient_user)

    theirs.refresh_from_db()
    assert theirs.status == S.SCHEDULED


def test_a_patient_rescheduling_another_patients_appointment_is_told_it_does_not_exist(patient_user):
    theirs = upcoming()

    with pytest.raises(DomainNotFound):
        services.appointment_reschedule(
            appointment=theirs, start=theirs.start + datetime.timedelta(hours=1), acting_user=patient_user
        )


@pytest.mark.parametrize(
    "service",
    [services.appointment_check_in, services.appointment_start, services.appointment_mark_no_show],
)
def test_a_patient_cannot_move_their_own_visit_along(patient_user, service):
    own = upcoming(patient=patient_user.patient_profile)

    with pytest.raises(PermissionDenied, match="cancel or reschedule"):
        service(appointment=own, acting_user=patient_user)

    own.refresh_from_db()
    assert own.status == S.SCHEDULED


def test_a_patient_cannot_complete_their_own_visit(patient_user):
    own = upcoming(patient=patient_user.patient_profile, status=S.IN_PROGRESS)

    with pytest.raises(PermissionDenied):
        services.appointment_complete(appointment=own, acting_user=patient_user)


def test_a_patient_cancels_their_own_appointment(patient_user):
    own = upcoming(patient=patient_user.patient_profile)

    services.appointment_cancel(appointment=own, reason="Feeling better", acting_user=patient_user)

    own.refresh_from_db()
    assert own.status == S.CANCELLED


def test_a_patient_books_only_for_themselves(patient_user):
    window = AvailabilityFactory()

    with pytest.raises(DomainNotFound):
        services.appointment_book(
            acting_user=patient_user, patient=PatientFactory(), doctor=window.doctor, start=None, reason="Cough"
        )
    assert not Appointment.objects.exists()


def test_a_patient_cannot_assign_a_room(patient_user):
    window = AvailabilityFactory()
    room = RoomFactory(hospital=window.hospital)

    with pytest.raises(PermissionDenied, match="assigned by the hospital"):
        services.appointment_book(
            acting_user=patient_user,
            patient=patient_user.patient_profile,
            doctor=window.doctor,
            start=None,
            reason="Cough",
            room=room,
        )
    assert not Appointment.objects.exists()


def test_staff_are_not_held_to_the_patients_rules(make_user):
    appointment = upcoming()

    services.appointment_cancel(appointment=appointment, reason="Doctor ill", acting_user=make_user("Receptionist"))

    appointment.refresh_from_db()
    assert appointment.status == S.CANCELLED


# --- availability and time off ---------------------------------------------------------------------------------


def test_a_doctor_cannot_add_another_doctors_availability(make_user):
    other = DoctorFactory()

    with pytest.raises(PermissionDenied, match="only your own availability"):
        services.availability_create(acting_user=make_user("Doctor"), doctor=other, **window_data())
    assert not Availability.objects.exists()


def test_a_doctor_cannot_change_another_doctors_window(make_user):
    window = AvailabilityFactory()

    with pytest.raises(PermissionDenied):
        services.availability_update(
            availability=window, acting_user=make_user("Doctor"), valid_to=datetime.date(2030, 1, 1)
        )
    window.refresh_from_db()
    assert window.valid_to is None


def test_a_doctor_cannot_withdraw_or_change_another_doctors_time_off(make_user):
    away = TimeOffFactory()
    intruder = make_user("Doctor")

    with pytest.raises(PermissionDenied, match="only your own time off"):
        services.time_off_withdraw(time_off=away, acting_user=intruder)
    with pytest.raises(PermissionDenied):
        services.time_off_update(time_off=away, acting_user=intruder, reason="Mischief")
    away.refresh_from_db()
    assert not away.is_cancelled


def test_a_doctor_keeps_their_own_and_an_administrator_anyones(make_user):
    doctor = DoctorFactory()

    own = services.availability_create(acting_user=doctor.user, doctor=doctor, **window_data())
    by_admin = services.availability_create(
        acting_user=make_user("Administrator"), doctor=doctor, **window_data(weekday=3)
    )

    assert {own.doctor, by_admin.doctor} == {doctor}


@pytest.mark.parametrize("role", ["Receptionist", "Nurse"])
def test_other_staff_do_not_change_a_doctors_schedule(make_user, role):
    with pytest.raises(PermissionDenied):
        services.time_off_create(
            acting_user=make_user(role),
            doctor=DoctorFactory(),
            start=timezone.now() + datetime.timedelta(days=30),
            end=timezone.now() + datetime.timedelta(days=31),
            reason="Leave",
        )


def test_a_visit_is_run_by_its_own_doctor_or_an_administrator(make_user):
    appointment = upcoming()

    assert policies.may_run_visit(user=appointment.doctor.user, appointment=appointment)
    assert policies.may_run_visit(user=make_user("Administrator"), appointment=appointment)
    assert not policies.may_run_visit(user=make_user("Doctor"), appointment=appointment)
    assert not policies.may_run_visit(user=make_user("Nurse"), appointment=appointment)


@pytest.mark.parametrize("role", ["Doctor", "Nurse", "Receptionist"])
def test_only_the_visits_own_doctor_or_an_administrator_starts_it(make_user, role):
    appointment = AppointmentFactory(status=S.CHECKED_IN, start=timezone.now())

    with pytest.raises(PermissionDenied, match="by the doctor of the appointment"):
        services.appointment_start(appointment=appointment, acting_user=make_user(role))
    appointment.refresh_from_db()
    assert appointment.status == S.CHECKED_IN

    services.appointment_start(appointment=appointment, acting_user=appointment.doctor.user)
    appointment.refresh_from_db()
    assert appointment.status == S.IN_PROGRESS


def test_another_doctor_cannot_complete_a_visit(make_user):
    appointment = AppointmentFactory(status=S.IN_PROGRESS)

    with pytest.raises(PermissionDenied):
        services.appointment_complete(appointment=appointment, acting_user=make_user("Doctor"))

    appointment.refresh_from_db()
    assert appointment.status == S.IN_PROGRESS


# --- pages and API answer alike --------------------------------------------------------------------------------


def test_another_patients_appointment_is_404_on_the_page_and_in_the_api(client, api_as, patient_user):
    theirs = upcoming()
    client.force_login(patient_user)

    page = client.post(reverse("scheduling:portal_cancel", args=[theirs.pk]), {"reason": "Mischief"})
    api = api_as(patient_user).post(f"/api/v1/appointments/{theirs.pk}/cancel/", {"reason": "Mischief"})

    assert (page.status_code, api.status_code) == (404, 404)
    theirs.refresh_from_db()
    assert theirs.status == S.SCHEDULED


def test_checking_in_is_403_for_a_patient_on_the_page_and_in_the_api(client, api_as, patient_user):
    own = upcoming(patient=patient_user.patient_profile)
    client.force_login(patient_user)

    page = client.post(reverse("scheduling:check_in", args=[own.pk]))
    api = api_as(patient_user).post(f"/api/v1/appointments/{own.pk}/check-in/")

    assert (page.status_code, api.status_code) == (403, 403)
    own.refresh_from_db()
    assert own.status == S.SCHEDULED


def test_cancelling_a_cancelled_appointment_is_409_in_the_api_and_refused_on_the_page(client, api_as, make_user):
    appointment = upcoming(status=S.CANCELLED)
    receptionist = make_user("Receptionist")
    client.force_login(receptionist)

    api = api_as(receptionist).post(f"/api/v1/appointments/{appointment.pk}/cancel/", {"reason": "Again"})
    page = client.post(reverse("scheduling:cancel", args=[appointment.pk]), {"reason": "Again"}, follow=True)

    assert api.status_code == 409
    assert api.json()["detail"] in " ".join(str(m) for m in page.context["messages"])


def test_another_doctor_starting_a_visit_is_403_on_the_page_and_in_the_api(client, api_as, make_user):
    appointment = AppointmentFactory(status=S.CHECKED_IN, start=timezone.now())
    other = make_user("Doctor")
    client.force_login(other)

    page = client.post(reverse("scheduling:start", args=[appointment.pk]))
    api = api_as(other).post(f"/api/v1/appointments/{appointment.pk}/start/")

    assert (page.status_code, api.status_code) == (403, 403)
    appointment.refresh_from_db()
    assert appointment.status == S.CHECKED_IN
