"""Helpers shared by the scheduling pages of every audience (front desk, doctor, portal): links, slot buttons,
the status actions a row allows, and running one service call with its message."""

import datetime
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme

from hms.exceptions import DomainError
from hms.pages import refusal_message as _refusal
from scheduling import page_selectors
from scheduling.models import local_label
from scheduling.selectors import appointment_queryset_for, doctor_free_slots

NEXT_FREE_DAYS = 28  # on a full day, look this many days ahead for the next free slot


# --- helpers --------------------------------------------------------------------------------------


def _next_url(request, fallback):
    """Where to go back after a POST: the page the form came from, if it is ours."""
    target = request.POST.get("next") or request.GET.get("next")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return fallback


def _url(name, **params):
    query = urlencode({k: v for k, v in params.items() if v not in (None, "")})
    return f"{reverse(name)}?{query}" if query else reverse(name)


def _board_url(appointment):
    day = appointment.start.astimezone(appointment.hospital.tzinfo).date()
    return _url(
        "scheduling:board",
        hospital=appointment.hospital_id,
        department=appointment.doctor.department_id,
        date=day.isoformat(),
    )


def _slot_day(form, doctor):
    """The day whose slots to show: the form's, or today at the doctor's hospital."""
    day = form.cleaned_data.get("date") if form.is_valid() else None
    return day or page_selectors.local_today(doctor.hospital.tzinfo)


def _pk_url(name):
    """``reverse(name, args=[pk])`` for every row of a page at the cost of one reverse."""
    marker = "987654321987654321"
    head, tail = reverse(name, args=[int(marker)]).split(marker)
    return lambda pk: f"{head}{pk}{tail}"


def _slot_buttons(slots):
    """Free slots (local start, end) as buttons: the posted value keeps the UTC offset; the label is local."""
    return [
        {
            "value": start.isoformat(),
            "label": _clock(start),
            "title": f"{_clock(start)}–{_clock(end)} {start:%Z}",
            "zone": start.tzname(),
        }
        for start, end in slots
    ]


def _clock(moment):
    """'9:05 AM', as the template filter ``time:"g:i A"`` writes it."""
    return moment.strftime("%I:%M %p").lstrip("0")


def _with_actions(appointments):
    """Mark on each row which status changes its current status allows (the services decide for real)."""
    now = timezone.now()
    for appointment in appointments:
        for action in ("check_in", "start", "complete", "cancel", "no_show", "reschedule"):
            setattr(appointment, f"can_{action}", appointment.can(action))
        appointment.can_no_show = appointment.can_no_show and appointment.start <= now  # only once it has begun
        appointment.can_check_in = appointment.can_check_in and appointment.is_on_its_day(now)  # on its day only
    return appointments


def _slot_context(doctor, day):
    """The doctor's free slots of ``day`` as buttons, the day's neighbours, and, on a full day, the next free one."""
    slots = doctor_free_slots(doctor=doctor, date_from=day, date_to=day)
    context = {
        "day": day,
        "slots": _slot_buttons(slots),
        "previous_day": day - datetime.timedelta(days=1),
        "next_day": day + datetime.timedelta(days=1),
        "next_free_day": None,
    }
    if not slots:
        later = doctor_free_slots(
            doctor=doctor,
            date_from=day + datetime.timedelta(days=1),
            date_to=day + datetime.timedelta(days=NEXT_FREE_DAYS),
        )
        context["next_free_day"] = later[0][0].date() if later else None
    return context


def _when(appointment):
    return local_label(appointment.start, appointment.hospital.tzinfo)


def _staff_appointment(request, pk):
    return get_object_or_404(appointment_queryset_for(request.user), pk=pk)


def _run_action(request, appointment, call, done, success_url=None):
    """Run one service call; report success or the refusal as a message, then go back where the form was
    (on success, to ``success_url`` when given)."""
    try:
        appointment = call()
    except (DomainError, ValidationError) as exc:
        messages.error(request, f"{appointment.patient.full_name}, {_when(appointment)}: {_refusal(exc)}")
    else:
        messages.success(request, f"{appointment.patient.full_name}, {_when(appointment)}: {done}.")
        if success_url:
            return redirect(success_url)
    return redirect(_next_url(request, _board_url(appointment)))
