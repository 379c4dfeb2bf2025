"""Appointments as care relationships (registered with patients.care in SchedulingConfig.ready()).

A user cares for a patient who has an appointment (not cancelled) at the user's hospital starting within
CARE_WINDOW_DAYS_BACK days before now and CARE_WINDOW_DAYS_AHEAD days after it (read along
appt_hospital_start_idx), and a doctor for every patient of their own appointments, whenever they are
(appt_doctor_start_idx). Both answers are subqueries (patients.care), never a query of their own."""

from datetime import timedelta

from django.conf import settings
from django.db.models import Case, CharField, OuterRef, Q, Value, When
from django.db.models.functions import Cast, Concat, TruncDate

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


def appointment_reason(user, now):
    """The newest appointment of the patient (``OuterRef("pk")``) giving ``user`` a care relationship, as one text
    column ("appointment: visit #12 on 2026-11-30"; "their own visit" for the doctor's own): a subquery."""
    start, end = _window(now)
    mine = Q(doctor__in=StaffMember.objects.filter(user=user).values("pk"))
    here = Q(
        hospital__in=StaffMember.objects.filter(user=user).values("hospital_id"), start__gte=start, start__lte=end
    ) & ~Q(status=AppointmentStatus.CANCELLED)
    text = CharField()
    own = Case(When(mine, then=Value("their own visit")), default=Value("visit"), output_field=text)
    return (
        Appointment.objects.filter(mine | here, patient_id=OuterRef("pk"))
        .order_by("-start")
        .annotate(
            reason_text=Concat(
                Value("appointment: "), own, Value(" #"), Cast("pk", text), Value(" on "),
                Cast(TruncDate("start"), text), output_field=text,
            )
        )
        .values("reason_text")[:1]
    )
