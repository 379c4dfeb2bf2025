"""manage.py send_appointment_reminders: one email per scheduled appointment in the next 24 hours, ever."""

import datetime
from io import StringIO

import pytest
from django.core import mail
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from patients import services as patients_services
from patients.choices import ConsentKind
from patients.models import Consent, Patient
from patients.tests.factories import PatientFactory
from scheduling import services
from scheduling.choices import AppointmentKind, AppointmentStatus
from scheduling.selectors import doctor_free_slots
from scheduling.tests.factories import AppointmentFactory, AvailabilityFactory
from staff.tests.factories import DoctorFactory, UserFactory

pytestmark = pytest.mark.django_db


def run(*args, consenting=True):
    """Run the command; ``consenting``: every patient has given consent to email reminders first (the command
    reminds only those who have: patients/tests/test_consents.py)."""
    if consenting:
        for patient in Patient.objects.exclude(consents__kind=ConsentKind.EMAIL_REMINDERS):
            Consent.objects.create(patient=patient, kind=ConsentKind.EMAIL_REMINDERS, granted=True)
    out = StringIO()
    call_command("send_appointment_reminders", *args, stdout=out)
    return out.getvalue()


def soon(hours):
    start = timezone.now().replace(microsecond=0) + datetime.timedelta(hours=hours)
    return {"start": start, "end": start + datetime.timedelta(minutes=30)}


def test_each_patient_due_gets_one_reminder_and_a_second_run_sends_nothing():
    tomorrow = AppointmentFactory(patient__email="ann@example.com", **soon(20))
    video = AppointmentFactory(patient__email="bob@example.com", kind=AppointmentKind.TELEMEDICINE, **soon(2))
    video.telemedicine_url = "https://telehealth.hms.example/join/abc"
    video.save()

    first = run()
    second = run()

    assert first.strip() == "Sent 2 appointment reminders."
    assert second.strip() == "Sent 0 appointment reminders."
    assert sorted(message.to[0] for message in mail.outbox) == ["ann@example.com", "bob@example.com"]
    by_address = {message.to[0]: message for message in mail.outbox}
    assert str(tomorrow.doctor) in by_address["ann@example.com"].body
    assert tomorrow.hospital.name in by_address["ann@example.com"].body
    assert "https://telehealth.hms.example/join/abc" in by_address["bob@example.com"].body
    tomorrow.refresh_from_db()
    assert tomorrow.reminder_sent_at is not None


def test_appointments_not_due_are_left_alone():
    AppointmentFactory(**soon(30))  # beyond 24 hours
    AppointmentFactory(**soon(-1))  # already begun
    AppointmentFactory(status=AppointmentStatus.CANCELLED, **soon(3))
    AppointmentFactory(status=AppointmentStatus.CHECKED_IN, **soon(1))
    no_email = AppointmentFactory(patient=PatientFactory(email=""), **soon(3))

    assert run().strip() == "Sent 0 appointment reminders."
    assert mail.outbox == []
    no_email.refresh_from_db()
    assert no_email.reminder_sent_at is None


def test_a_rescheduled_appointment_is_reminded_again():
    doctor = DoctorFactory(hospital__timezone="America/New_York")
    for weekday in range(7):  # open around the clock, so slots within the next 24 hours always exist
        AvailabilityFactory(doctor=doctor, weekday=weekday, start_time=datetime.time(0), end_time=datetime.time(23, 30))
    today = timezone.localdate()
    slots = doctor_free_slots(doctor=doctor, date_from=today, date_to=today + datetime.timedelta(days=1))
    due = [start for start, _ in slots if start - timezone.now() < datetime.timedelta(hours=20)]
    appointment = services.appointment_book(
        acting_user=UserFactory(), patient=PatientFactory(), doctor=doctor, start=due[0], reason="Check-up"
    )
    assert run().strip() == "Sent 1 appointment reminder."

    services.appointment_reschedule(appointment=appointment, start=due[-1], acting_user=UserFactory())

    assert run().strip() == "Sent 1 appointment reminder."
    assert len(mail.outbox) == 2


def test_bad_hours_exit_with_a_message():
    with pytest.raises(CommandError, match="--hours must be between"):
        call_command("send_appointment_reminders", "--hours", "0")


def test_marking_a_reminder_leaves_a_history_row_made_by_the_system():
    """The mark goes through scheduling.services (not a bare .update()): the history shows when it was set."""
    appointment = AppointmentFactory(patient__email="ann@example.com", **soon(5))
    rows_before = appointment.history.count()

    run()

    latest = appointment.history.latest()
    assert appointment.history.count() == rows_before + 1
    assert latest.reminder_sent_at is not None and latest.history_user is None


def test_the_reminder_service_marks_once_and_leaves_others_alone():
    appointment = AppointmentFactory(**soon(5))
    cancelled = AppointmentFactory(status=AppointmentStatus.CANCELLED, **soon(6))
    now = timezone.now()

    assert services.appointment_mark_reminded(appointment=appointment, acting_user=None, now=now) is not None
    assert services.appointment_mark_reminded(appointment=appointment, acting_user=None, now=now) is None
    assert services.appointment_mark_reminded(appointment=cancelled, acting_user=None, now=now) is None
    cancelled.refresh_from_db()
    assert cancelled.reminder_sent_at is None


def test_no_reminder_email_without_consent_to_email_reminders(admin_user_obj):
    start = timezone.now().replace(microsecond=0) + datetime.timedelta(hours=3)
    end = start + datetime.timedelta(minutes=30)
    agreed = AppointmentFactory(patient__email="yes@example.com", start=start, end=end)
    AppointmentFactory(patient__email="never@example.com", start=start, end=end)
    withdrew = AppointmentFactory(patient__email="withdrew@example.com", start=start, end=end)
    for appointment, granted in ((agreed, True), (withdrew, True), (withdrew, False)):
        patients_services.consent_record(
            patient=appointment.patient, kind=ConsentKind.EMAIL_REMINDERS, granted=granted, acting_user=admin_user_obj
        )

    run(consenting=False)

    assert [message.to for message in mail.outbox] == [["yes@example.com"]]
