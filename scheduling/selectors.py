"""Reads of scheduling data: free slots, and appointments scoped to what the user may see."""

from __future__ import annotations

from bisect import bisect_right
from collections import defaultdict
from collections.abc import Iterable, Mapping
from datetime import UTC, date, datetime, timedelta, tzinfo
from typing import Any, NamedTuple

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils import timezone

from hms.typing import AnyUser
from patients.selectors import is_portal_patient
from scheduling.filters import AppointmentFilter
from scheduling.models import MAX_APPOINTMENT_MINUTES, Appointment, Availability, Equipment, TimeOff
from staff.choices import StaffRole
from staff.models import StaffMember


class Slot(NamedTuple):
    """One slot of an availability window; start and end are aware datetimes in UTC."""

    start: datetime
    end: datetime
    window: Availability

    @property
    def tzinfo(self) -> tzinfo:
        return self.window.hospital.tzinfo

    def local(self) -> tuple[datetime, datetime]:
        """(start, end) in the hospital's time zone."""
        tz = self.tzinfo
        return self.start.astimezone(tz), self.end.astimezone(tz)


def _existing_moment(naive: datetime, tz: tzinfo) -> datetime | None:
    """The aware UTC moment of a wall-clock time, or None when a DST jump skips it (02:30 on spring-forward)."""
    aware = naive.replace(tzinfo=tz)
    moment = aware.astimezone(UTC)
    if moment.astimezone(tz).replace(tzinfo=None) != naive:
        return None
    return moment


def window_slots(windows: Iterable[Availability], date_from: date, date_to: date) -> list[Slot]:
    """Every slot the windows give on the days date_from..date_to (inclusive), sorted by start.

    Windows are cut on the local wall clock of their hospital: a 09:00-17:00 window gives
    09:00, 09:30, ... 16:30 local time whatever the UTC offset of the day. No queries.
    """
    by_weekday = defaultdict(list)
    for window in windows:
        by_weekday[window.weekday].append(window)
    slots = []
    day = date_from
    while day <= date_to:
        for window in by_weekday.get(day.weekday(), ()):
            if not window.is_valid_on(day):
                continue
            tz = window.hospital.tzinfo
            step = timedelta(minutes=window.slot_minutes)
            cursor = datetime.combine(day, window.start_time)
            close = datetime.combine(day, window.end_time)
            while cursor + step <= close:
                start = _existing_moment(cursor, tz)
                end = _existing_moment(cursor + step, tz)
                if start is not None and end is not None and end > start:
                    slots.append(Slot(start, end, window))
                cursor += step
        day += timedelta(days=1)
    slots.sort(key=lambda slot: slot.start)
    return slots


def _merge(intervals: Iterable[tuple[datetime, datetime]]) -> list[list[datetime]]:
    """Sorted, disjoint (start, end) intervals covering the given ones."""
    merged = []
    for start, end in sorted(intervals):
        if merged and start <= merged[-1][1]:
            if end > merged[-1][1]:
                merged[-1][1] = end
        else:
            merged.append([start, end])
    return merged


def _free(slots: list[Slot], busy: Iterable[tuple[datetime, datetime]]) -> list[Slot]:
    """The slots that overlap none of the busy intervals."""
    merged = _merge(busy)
    starts = [interval[0] for interval in merged]
    free = []
    for slot in slots:
        index = bisect_right(starts, slot.start) - 1
        if index >= 0 and merged[index][1] > slot.start:
            continue  # a busy interval began before the slot and is still running
        if index + 1 < len(merged) and merged[index + 1][0] < slot.end:
            continue  # a busy interval begins inside the slot
        free.append(slot)
    return free


def doctor_windows(doctor: StaffMember, date_from: date, date_to: date) -> list[Availability]:
    """The doctor's availability windows valid on some day of the range, at active hospitals. One query."""
    return list(
        Availability.objects.filter(doctor=doctor, hospital__is_active=True)
        .valid_between(date_from, date_to)
        .select_related("hospital")
    )


def doctor_free_slot_objects(
    *, doctor: StaffMember, date_from: date, date_to: date, now: datetime | None = None
) -> list[Slot]:
    """Free slots as Slot tuples (with their window). Three queries whatever the number of appointments."""
    if not doctor.is_active or doctor.role != StaffRole.DOCTOR:
        return []
    now = now or timezone.now()
    slots = window_slots(doctor_windows(doctor, date_from, date_to), date_from, date_to)
    slots = [slot for slot in slots if slot.start >= now]
    if not slots:
        return []
    low, high = slots[0].start, max(slot.end for slot in slots)
    # A doctor takes a few periods of time off a year, some weeks long: all those begun before ``high`` are few.
    busy = list(TimeOff.objects.active().filter(doctor=doctor).overlapping(low, high).values_list("start", "end"))
    # Appointments are many and last at most MAX_APPOINTMENT_MINUTES: one that overlaps the days began after
    # low - MAX, so the (doctor, start) index is read over the days only, not over every past visit.
    earliest = low - timedelta(minutes=MAX_APPOINTMENT_MINUTES)
    appointments = Appointment.objects.active().filter(doctor=doctor, start__gt=earliest).overlapping(low, high)
    busy += list(appointments.values_list("start", "end"))
    return _free(slots, busy)


def doctor_free_slots(
    *, doctor: StaffMember, date_from: date, date_to: date, now: datetime | None = None
) -> list[tuple[datetime, datetime]]:
    """Free slots of a doctor on the days date_from..date_to (inclusive) as [(start, end)].

    Availability windows cut into slots, minus time off, minus active appointments, minus
    slots that have already begun. Datetimes are aware, in the hospital's time zone.
    At most three queries, however many appointments the doctor has.
    """
    slots = doctor_free_slot_objects(doctor=doctor, date_from=date_from, date_to=date_to, now=now)
    return [slot.local() for slot in slots]


def doctor_slot_at(*, doctor: StaffMember, start: datetime) -> Slot | None:
    """The slot of the doctor's windows that begins exactly at ``start`` (aware), or None. One query."""
    start = start.astimezone(UTC)
    day = start.date()
    date_from, date_to = day - timedelta(days=1), day + timedelta(days=1)  # local dates differ from UTC ones
    for slot in window_slots(doctor_windows(doctor, date_from, date_to), date_from, date_to):
        if slot.start == start:
            return slot
    return None


def appointment_queryset_for(user: AnyUser) -> QuerySet[Appointment]:
    """Appointments the user may see: all for staff, their own for a portal patient, none otherwise."""
    qs = Appointment.objects.select_related(
        "patient", "doctor__user", "doctor__department", "hospital", "room", "equipment", "booked_by"
    )
    if not user.is_authenticated:
        return qs.none()
    if is_portal_patient(user):
        return qs.filter(patient__user=user)
    return qs


def appointment_list(*, user: AnyUser, filters: Mapping[str, Any] | None = None) -> QuerySet[Appointment]:
    """Appointments the user may see, filtered by the AppointmentFilter fields (doctor, patient, dates ...)."""
    qs = appointment_queryset_for(user)
    if filters:
        filterset = AppointmentFilter(filters, queryset=qs)
        if not filterset.is_valid():
            raise ValidationError(filterset.errors)
        qs = filterset.qs
    return qs


def equipment_list() -> QuerySet[Equipment]:
    """Every piece of equipment with its hospital and catalog item (the API filters it)."""
    return Equipment.objects.select_related("hospital", "item")
