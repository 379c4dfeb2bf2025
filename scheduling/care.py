"""Appointments as care relationships (registered with patients.care in SchedulingConfig.ready()).

A user cares for a patient who has an appointment (not cancelled) at the user's hospital starting within
CARE_WINDOW_DAYS_BACK days before now and CARE_WINDOW_DAYS_AHEAD days after it (read along
appt_hospital_start_idx), and a doctor for every patient of their own appointments, whenever they are
(appt_doctor_start_idx)."""

from datetime import timedelta

from django.conf import settings
from django.db.models import Q

from scheduling.choices import AppointmentStatus
from scheduling.models import Appointment
from staff.models import StaffMember


def _window(now):
    return now - timedelta(days=settings.CARE_WINDOW_DAYS_BACK), now + timedelta(days=settings.CARE_WINDOW_DAYS_AHEAD)


def _own(user):
    return Appointment.objects.filter(doctor__in=StaffMember.objects.filter(user=user).values("pk"))


def _at_hospital(user, now):
    start, end = _window(now)
    return Appointment.objects.filter(
        hospital__in=StaffMember.objects.filter(user=user).values("hospital_id"), start__gte=start, start__lte=end
    ).exclude(status=AppointmentStatus.CANCELLED)


def appointment_patient_ids(user, now):
    return [_own(user).values("patient_id"), _at_hospital(user, now).values("patient_id")]


def appointment_reason(user, patient_id, now):
    start, end = _window(now)
    mine = Q(doctor__user=user)
    here = Q(hospital__staff__user=user, start__gte=start, start__lte=end) & ~Q(status=AppointmentStatus.CANCELLED)
    appointment = (
        Appointment.objects.filter(patient_id=patient_id)
        .filter(mine | here)
        .order_by("-start")
        .values("pk", "start", "doctor__user_id")
        .first()
    )
    if appointment is None:
        return None
    whose = "their own " if appointment["doctor__user_id"] == user.pk else ""
    return f"appointment: {whose}visit #{appointment['pk']} on {appointment['start']:%Y-%m-%d}"
