"""Email each patient a reminder of their scheduled appointments in the next 24 hours, once, if they consented
to email reminders (patients.Consent).

Each appointment is marked (reminder_sent_at) under its row lock before the email leaves
(scheduling.services.appointment_mark_reminded, which keeps a history row), so
running the command twice - or two copies at once - sends nothing new. Rescheduling clears the
mark: the new time gets its own reminder.
"""

import logging
from datetime import timedelta

from django.core.mail import send_mail
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from patients.choices import ConsentKind
from patients.selectors import consenting_patient_ids
from scheduling import services
from scheduling.choices import AppointmentKind, AppointmentStatus
from scheduling.models import Appointment, local_label

logger = logging.getLogger(__name__)


def due_for_reminder(now, hours):
    """Scheduled appointments in the next ``hours`` not yet reminded, of patients who gave consent to email
    reminders (patients.Consent: no consent, no email)."""
    return Appointment.objects.filter(
        status=AppointmentStatus.SCHEDULED,
        start__gte=now,
        start__lt=now + timedelta(hours=hours),
        reminder_sent_at__isnull=True,
        patient__in=consenting_patient_ids(ConsentKind.EMAIL_REMINDERS),
    ).exclude(patient__email="")


def reminder_text(appointment):
    hospital = appointment.hospital
    when = local_label(appointment.start, hospital.tzinfo)
    lines = [
        f"Dear {appointment.patient.first_name},",
        "",
        f"This is a reminder of your appointment with {appointment.doctor} on {when}.",
    ]
    if appointment.kind == AppointmentKind.TELEMEDICINE:
        lines.append(f"It is a video visit. Join here at the time of the visit: {appointment.telemedicine_url}")
    else:
        lines.append(f"Place: {hospital.name}, {hospital.address_line1}, {hospital.city}, {hospital.state}.")
        if appointment.room_id:
            lines.append(f"Room: {appointment.room.name}.")
    lines += [
        "",
        f"If you cannot come, please call us{' at ' + hospital.phone if hospital.phone else ''} "
        "or cancel it in the patient portal.",
        "",
        hospital.name,
    ]
    subject = f"Reminder: your appointment on {when}"
    return subject, "\n".join(lines)


class Command(BaseCommand):
    help = "Email a reminder to each patient with a scheduled appointment in the next 24 hours (once per appointment)."

    def add_arguments(self, parser):
        parser.add_argument("--hours", type=int, default=24, help="How far ahead to remind (default 24 hours).")

    def handle(self, *args, **options):
        hours = options["hours"]
        if hours < 1 or hours > 24 * 14:
            raise CommandError("--hours must be between 1 and 336 (two weeks).")
        now = timezone.now()
        sent = failed = 0
        for pk in list(due_for_reminder(now, hours).values_list("pk", flat=True)):
            # The service marks it under its row lock and commits (with a history row) before the email leaves.
            if services.appointment_mark_reminded(appointment=Appointment(pk=pk), acting_user=None, now=now) is None:
                continue  # sent by another run, cancelled or moved meanwhile
            # Marked and committed first: at most one email per appointment, even if this one fails.
            appointment = Appointment.objects.select_related("patient", "doctor__user", "hospital", "room").get(pk=pk)
            subject, body = reminder_text(appointment)
            try:
                send_mail(subject, body, None, [appointment.patient.email])
            except Exception:  # one bad address must not stop the others
                logger.exception("Reminder for appointment %s could not be sent", pk)
                failed += 1
                continue
            sent += 1
        self.stdout.write(f"Sent {sent} appointment reminder{'s' if sent != 1 else ''}.")
        if failed:
            self.stderr.write(f"{failed} reminder(s) could not be sent; see the log.")
