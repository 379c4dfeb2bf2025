"""Reads behind the scheduling pages: board, doctor's schedule, portal lists, a doctor's windows and time off.

Appointment rows always come from scheduling.selectors.appointment_list (scoped to the user, with
the related rows a page shows already joined), so every page runs the same number of queries
whatever the number of rows.
"""

from __future__ import annotations

import datetime
from datetime import tzinfo

from django.db.models import ExpressionWrapper, F, IntegerField, Q, QuerySet
from django.utils import timezone

from hms.roles import is_administrator  # noqa: F401 (the doctor pages ask page_selectors)
from hms.typing import AnyUser
from patients.models import Patient
from scheduling.choices import ACTIVE_APPOINTMENT_STATUSES
from scheduling.models import Appointment, Availability, TimeOff
from scheduling.selectors import appointment_list
from staff.choices import StaffRole
from staff.models import Department, Hospital, StaffMember
from staff.selectors import staff_member_of


def staff_member_for(user: AnyUser) -> StaffMember | None:
    """The user's StaffMember row (with hospital and department), or None; read once per request."""
    return staff_member_of(user)


def doctor_for_user(user: AnyUser) -> StaffMember | None:
    """The user's own StaffMember row if they are a doctor, else None."""
    member = staff_member_for(user)
    return member if member is not None and member.role == StaffRole.DOCTOR else None


def doctor_queryset() -> QuerySet[StaffMember]:
    """Doctors with what their labels show (name, specialty, hospital, department) joined."""
    return StaffMember.objects.doctors().select_related("user", "hospital", "department")


def bookable_doctors(
    *, department: Department | None = None, hospital: Hospital | None = None
) -> QuerySet[StaffMember]:
    """Active doctors of active hospitals, by name; narrowed to a department or hospital when given."""
    qs = doctor_queryset().filter(is_active=True, hospital__is_active=True)
    if department is not None:
        qs = qs.filter(department=department)
    if hospital is not None:
        qs = qs.filter(hospital=hospital)
    return qs.order_by("user__last_name", "user__first_name", "pk")


def active_departments() -> QuerySet[Department]:
    return (
        Department.objects.filter(is_active=True, hospital__is_active=True)
        .select_related("hospital")
        .order_by("hospital__name", "name")
    )


def local_today(tz: tzinfo) -> datetime.date:
    return timezone.now().astimezone(tz).date()


def week_bounds(day: datetime.date) -> tuple[datetime.date, datetime.date]:
    """(Monday, Sunday) of the week of ``day``."""
    monday = day - datetime.timedelta(days=day.weekday())
    return monday, monday + datetime.timedelta(days=6)


def local_day_bounds(day: datetime.date, tz: tzinfo) -> tuple[datetime.datetime, datetime.datetime]:
    """[start, end) of the local day ``day`` in time zone ``tz``, as aware datetimes (23 or 25 hours at DST)."""
    start = datetime.datetime.combine(day, datetime.time.min, tzinfo=tz)
    return start, datetime.datetime.combine(day + datetime.timedelta(days=1), datetime.time.min, tzinfo=tz)


def board_appointments(
    *,
    user: AnyUser,
    hospital: Hospital,
    day: datetime.date,
    department: Department | None = None,
    status: str | None = None,
) -> QuerySet[Appointment]:
    """One hospital's appointments on one local day (optionally one department, one status), by time.

    The hospital's time zone is known, so the day is a range of the (hospital, start) index read without
    the date filter's look-up of every hospital's time zone."""
    filters = {"hospital": hospital.pk}
    if department is not None:
        filters["department"] = department.pk
    start, end = local_day_bounds(day, hospital.tzinfo)
    qs = appointment_list(user=user, filters=filters).filter(start__gte=start, start__lt=end)
    if status:
        qs = qs.filter(status=status)
    return qs.order_by("start", "doctor__user__last_name", "pk")


def hospitals_by_id() -> dict[int, Hospital]:
    """Every hospital by id (a short table), read once for a page's time zones and names."""
    return {hospital.pk: hospital for hospital in Hospital.objects.order_by("pk")}


def doctor_schedule(
    *,
    user: AnyUser,
    doctor: StaffMember,
    date_from: datetime.date,
    date_to: datetime.date,
    hospitals: dict[int, Hospital],
) -> QuerySet[Appointment]:
    """A doctor's appointments on the local days date_from..date_to (every status), by time.

    ``hospitals`` (``hospitals_by_id()``) gives each hospital's time zone, so the days are bounded without the
    date filter's own look-ups, and the rows need not join the hospital: the view sets it from the same dict.
    The hospital is compared as ``hospital_id + 0`` so that the (doctor, start) index is the one read.
    """
    by_tz = {}
    for hospital in hospitals.values():
        by_tz.setdefault(hospital.timezone, []).append(hospital.pk)
    condition, starts, ends = Q(pk__in=[]), [], []
    for hospital_ids in by_tz.values():
        tz = hospitals[hospital_ids[0]].tzinfo
        start, end = local_day_bounds(date_from, tz)[0], local_day_bounds(date_to, tz)[1]
        starts.append(start)
        ends.append(end)
        condition |= Q(hospital_key__in=hospital_ids, start__gte=start, start__lt=end)
    qs = appointment_list(user=user, filters={"doctor": doctor.pk}).alias(
        hospital_key=ExpressionWrapper(F("hospital_id") + 0, output_field=IntegerField())
    )
    if starts:
        qs = qs.filter(start__gte=min(starts), start__lt=max(ends))
    # Only what each row shows (the doctor is the page's): a week of a busy doctor is a full page of rows.
    return (
        qs.filter(condition)
        .select_related(None)
        .select_related("patient", "room")
        .only(*SCHEDULE_ROW_FIELDS)
        .order_by("start", "pk")
    )


SCHEDULE_ROW_FIELDS = [
    "doctor_id",
    "hospital_id",
    "start",
    "end",
    "kind",
    "reason",
    "telemedicine_url",
    "status",
    "patient__mrn",
    "patient__first_name",
    "patient__last_name",
    "room__name",
]


def patient_appointments(
    *, user: AnyUser, patient: Patient, upcoming: bool, now: datetime.datetime | None = None
) -> QuerySet[Appointment]:
    """A patient's appointments: upcoming (active, not yet over) soonest first, or past ones latest first."""
    now = now or timezone.now()
    qs = appointment_list(user=user).filter(patient=patient)
    still_ahead = Q(status__in=ACTIVE_APPOINTMENT_STATUSES, end__gt=now)
    if upcoming:
        return qs.filter(still_ahead).order_by("start", "pk")
    return qs.exclude(still_ahead).order_by("-start", "-pk")


def doctor_windows_list(*, doctor: StaffMember, include_ended: bool = False) -> QuerySet[Availability]:
    """A doctor's availability windows by weekday and hour; ended windows (valid_to in the past) only on request."""
    qs = Availability.objects.filter(doctor=doctor).select_related("hospital")
    if not include_ended:
        qs = qs.filter(Q(valid_to__isnull=True) | Q(valid_to__gte=local_today(doctor.hospital.tzinfo)))
    return qs.order_by("weekday", "start_time", "valid_from", "pk")


def doctor_time_off(
    *, doctor: StaffMember, include_past: bool = False, now: datetime.datetime | None = None
) -> QuerySet[TimeOff]:
    """A doctor's time off, soonest first; what has already ended only on request."""
    qs = TimeOff.objects.filter(doctor=doctor)
    if not include_past:
        qs = qs.filter(end__gt=now or timezone.now())
    return qs.order_by("start", "pk")


def own_booking(
    *, user: AnyUser, patient: Patient | None, doctor: StaffMember | None, start: datetime.datetime | None
) -> Appointment | None:
    """The active appointment ``user`` booked for exactly this patient, doctor and start, if any: a repeated
    booking (double click, second tab, reload) is recognised as already done rather than refused as a taken slot."""
    if patient is None or doctor is None or start is None:
        return None
    return (
        Appointment.objects.active()
        .select_related("patient", "doctor__user", "hospital")
        .filter(booked_by=user, patient=patient, doctor=doctor, start=start)
        .first()
    )
