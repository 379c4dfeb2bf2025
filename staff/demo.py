"""Demo shifts for the roster (``manage.py seed_demo`` hook, run before the other apps' hooks).

Every active staff member works in their own department from last week to two weeks ahead, in their hospital's
local time: nurses rotate 12-hour day and night shifts (07:00-19:00, 19:00-07:00), doctors work weekdays
08:00-17:00 (the demo doctor also weekend mornings, their weekend clinic), everyone else weekdays 08:00-16:30.
One person's shifts never overlap. Safe to rerun: a person who already has a shift in the period gets none.
"""

from datetime import datetime, time, timedelta

from staff.choices import StaffRole
from staff.models import Shift, StaffMember

DAYS_BACK = 7
DAYS_AHEAD = 14
DEMO_DOCTOR = "doctor"
NURSE_ROTATION = ["day", "day", "day", "off", "night", "night", "off"]  # repeats; each nurse starts elsewhere
SHIFT_HOURS = {
    "day": (time(7), time(19)),
    "night": (time(19), time(7)),  # ends the next morning
    "doctor": (time(8), time(17)),
    "weekend clinic": (time(8), time(14)),
    "office": (time(8), time(16, 30)),
}


def _shift(member, day, kind):
    tz = member.hospital.tzinfo
    start_time, end_time = SHIFT_HOURS[kind]
    start = datetime.combine(day, start_time, tzinfo=tz)
    end = datetime.combine(day + timedelta(days=1) if end_time <= start_time else day, end_time, tzinfo=tz)
    return Shift(staff_member=member, department=member.department, start=start, end=end, notes=kind.capitalize())


def _kind(member, day, index):
    """The shift ``member`` works on ``day`` (None: a day off)."""
    if member.role == StaffRole.NURSE:
        slot = NURSE_ROTATION[(day.toordinal() + index) % len(NURSE_ROTATION)]
        return None if slot == "off" else slot
    if day.weekday() >= 5:
        return "weekend clinic" if member.user.username == DEMO_DOCTOR else None
    return "doctor" if member.role == StaffRole.DOCTOR else "office"


def seed(ctx):
    members = list(
        StaffMember.objects.active()
        .filter(department__isnull=False, department__is_active=True)
        .select_related("user", "hospital", "department")
        .order_by("hospital__code", "department__code", "user__username")
    )
    first_day = ctx.now.date() - timedelta(days=DAYS_BACK)
    days = [first_day + timedelta(days=i) for i in range(DAYS_BACK + DAYS_AHEAD + 1)]
    low = datetime.combine(days[0] - timedelta(days=1), time.min, tzinfo=ctx.now.tzinfo)
    high = datetime.combine(days[-1] + timedelta(days=2), time.min, tzinfo=ctx.now.tzinfo)
    rostered = set(
        Shift.objects.filter(start__gte=low, start__lt=high).values_list("staff_member_id", flat=True).distinct()
    )
    shifts = []
    for index, member in enumerate(members):
        if member.pk in rostered:
            continue
        for day in days:  # the same calendar days, each in the hospital's own time
            kind = _kind(member, day, index)
            if kind is not None:
                shifts.append(_shift(member, day, kind))
    if shifts:
        ctx.bulk_create(Shift, shifts)
    return {"shifts": len(shifts)}
