from __future__ import annotations

import datetime
from typing import Any

from django.db import models
from django.db.models import QuerySet

from hms.typing import AnyUser
from staff.choices import StaffRole
from staff.models import Department, Hospital, Shift, StaffMember


def active_hospitals() -> QuerySet[Hospital]:
    """The hospitals a page offers to choose from: the active ones, by name."""
    return Hospital.objects.active().order_by("name")


def staff_member_of(user: AnyUser | None) -> StaffMember | None:
    """The user's StaffMember row (user, hospital and department joined), or None.

    Read once per user object, i.e. once per request (``request.user`` lives one request): the row is
    kept in the user's ``staff_profile`` relation cache, so ``user.staff_profile`` reads it too.
    """
    if user is None or not user.is_authenticated:
        return None
    cache = user._state.fields_cache
    if "staff_profile" not in cache:
        cache["staff_profile"] = (
            StaffMember.objects.select_related("user", "hospital", "department").filter(user_id=user.pk).first()
        )
    return cache["staff_profile"]


def roster_for_week(*, department: Department, week_start: datetime.date) -> dict[str, Any]:
    """Shifts of a department for the 7 days from week_start, as rows per person and columns per day.

    Days are the hospital's local days; one query whatever the number of shifts.
    """
    tz = department.hospital.tzinfo
    days = [week_start + datetime.timedelta(days=i) for i in range(7)]
    start = datetime.datetime.combine(days[0], datetime.time.min, tzinfo=tz)
    end = datetime.datetime.combine(days[-1] + datetime.timedelta(days=1), datetime.time.min, tzinfo=tz)
    shifts = (
        Shift.objects.active()
        .filter(department=department, start__lt=end, end__gt=start)
        .select_related("staff_member__user")
        .order_by("staff_member__user__last_name", "staff_member__user__first_name", "start")
    )
    rows = {}
    for shift in shifts:
        shift.local_start = shift.start.astimezone(tz)
        shift.local_end = shift.end.astimezone(tz)
        row = rows.setdefault(shift.staff_member_id, {"member": shift.staff_member, "cells": [[] for _ in days]})
        index = (shift.local_start.date() - days[0]).days
        if 0 <= index < 7:
            row["cells"][index].append(shift)
    return {"days": days, "week_start": days[0], "rows": list(rows.values())}


def clinical_departments(hospital: Hospital | None) -> QuerySet[Department]:
    """The clinical departments of ``hospital``: its active departments where active doctors see patients.

    A department is not marked clinical in its row: it is clinical when doctors work in it (Cardiology,
    Pediatrics ...), and not when nobody there sees patients by appointment (Front Desk, Billing, Pharmacy).
    Appointments belong to the department of their doctor, so these are the departments a queue or the board
    has rows for. By name; one query.
    """
    if hospital is None:
        return Department.objects.none()
    doctors = StaffMember.objects.filter(
        department_id=models.OuterRef("pk"), role=StaffRole.DOCTOR, is_active=True
    )
    return (
        Department.objects.filter(hospital=hospital, is_active=True)
        .filter(models.Exists(doctors))
        .select_related("hospital")
        .order_by("name", "pk")
    )
