"""Front desk pages: booking for a patient, the day's board, and the board's actions (check in, no-show,
cancel, reschedule).

Views check access and shape pages. Reads go through scheduling.selectors / page_selectors (scoped to
the user); every change is one call of a scheduling.services function with ``acting_user``, which decides who
may act (scheduling.policies). A refusal (Conflict or ValidationError) becomes a message on the page and nothing
is changed. Times are shown in the time zone of the appointment's hospital.
"""

import datetime

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.html import format_html
from django.views.decorators.http import require_POST

from hms.exceptions import DomainError
from hms.pages import cursor_page, staff_page
from hms.pages import refusal_message as _refusal
from hms.pages import refusal_status as _refusal_status
from hms.validators import parse_id
from patients.selectors import patient_queryset_for, patient_search
from scheduling import page_selectors, services
from scheduling.forms import (
    BoardFilterForm,
    CancelForm,
    DayForm,
    PatientPickForm,
    RescheduleForm,
    SlotSearchForm,
    StaffBookingForm,
)
from scheduling.views.common import (
    _board_url,
    _next_url,
    _run_action,
    _slot_context,
    _slot_day,
    _staff_appointment,
    _url,
    _when,
    _with_actions,
)
from staff.selectors import active_hospitals

BOARD_DAY_LIMIT = 500  # one day of one hospital on one page; more is shown capped, with a note
PATIENT_PICK_PAGE_SIZE = 10


# --- reception: booking -----------------------------------------------------------------------------


@staff_page("scheduling.add_appointment")
def book_view(request):
    """Book for a patient: find the patient, choose department, doctor and day, then click a free slot."""
    user = request.user
    patients = patient_queryset_for(user)
    patient_id = parse_id(request.POST.get("patient") or request.GET.get("patient"))
    patient = patients.filter(pk=patient_id).first() if patient_id else None

    pick_form = PatientPickForm(request.GET)
    patient_page = None
    if patient is None and pick_form.is_valid() and pick_form.cleaned_data["q"]:
        matches = patient_search(user=user, query=pick_form.cleaned_data["q"])
        patient_page = cursor_page(request, matches, PATIENT_PICK_PAGE_SIZE)

    search_form = SlotSearchForm(request.GET)
    doctor = search_form.cleaned_data.get("doctor") if search_form.is_valid() else None
    status = 200
    booking_form = StaffBookingForm(doctor=doctor, patients=patients)
    if request.method == "POST":
        booking_form = StaffBookingForm(request.POST, doctor=doctor, patients=patients)
        if booking_form.is_valid():
            data = booking_form.cleaned_data
            try:
                appointment = services.appointment_book(
                    acting_user=user,
                    patient=data["patient"],
                    doctor=data["doctor"],
                    start=data["start"],
                    reason=data["reason"],
                    kind=data["kind"],
                    room=data["room"],
                )
            except (DomainError, ValidationError) as exc:
                already = page_selectors.own_booking(
                    user=user, patient=data["patient"], doctor=data["doctor"], start=data["start"]
                )
                if already is None:
                    messages.error(request, f"Not booked: {_refusal(exc)}")
                    status = _refusal_status(exc)
                else:  # the user's own booking, sent again (double click, second tab): done, not failed
                    url = f"{_board_url(already)}#appointment-{already.pk}"
                    messages.info(
                        request,
                        format_html(
                            'Already booked: {} (MRN {}) with {} on {}. <a href="{}">See it on the board</a>.',
                            already.patient.full_name,
                            already.patient.mrn,
                            already.doctor,
                            _when(already),
                            url,
                        ),
                    )
                    return redirect(url)
            else:
                messages.success(
                    request,
                    f"Booked {appointment.patient.full_name} (MRN {appointment.patient.mrn}) with "
                    f"{appointment.doctor} on {_when(appointment)}.",
                )
                return redirect(_board_url(appointment))
        else:
            status = 400
            messages.error(request, "Not booked: please correct the marked fields.")

    context = {
        "patient": patient,
        "pick_form": pick_form,
        "patient_page": patient_page,
        "search_form": search_form,
        "doctor": doctor,
        "booking_form": booking_form,
        "slots_disabled": patient is None,
    }
    if doctor is not None:
        day = _slot_day(search_form, doctor)
        context.update(_slot_context(doctor, day))
    return render(request, "scheduling/book.html", context, status=status)


# --- reception: the board and its actions -------------------------------------------------------------


def _board_defaults(user, params):
    """Without filters the board shows today at the user's own hospital, all its clinical departments."""
    if "hospital" in params:
        return params
    member = page_selectors.staff_member_for(user)
    hospital = member.hospital if member and member.hospital.is_active else active_hospitals().first()
    if hospital is not None:
        params["hospital"] = hospital.pk
    return params


@staff_page("scheduling.view_appointment")
def board_view(request):
    """A hospital's appointments of one day (today by default), in the hospital's time, all on one page.

    A day is bounded (the doctors' slots of one hospital: a few hundred at most), so it is never split across
    pages; past BOARD_DAY_LIMIT rows the page shows the first ones and says so (narrow it by department or
    status)."""
    form = BoardFilterForm(_board_defaults(request.user, request.GET.copy()))
    context = {"form": form}
    if form.is_valid():
        hospital = form.cleaned_data["hospital"]
        department = form.cleaned_data["department"]
        today = page_selectors.local_today(hospital.tzinfo)
        day = form.cleaned_data["date"] or today
        appointments = page_selectors.board_appointments(
            user=request.user,
            hospital=hospital,
            department=department,
            day=day,
            status=form.cleaned_data["status"],
        )
        rows = list(appointments[: BOARD_DAY_LIMIT + 1])
        day_params = {"hospital": hospital.pk, "department": department.pk if department else ""}
        context.update(
            hospital=hospital,
            department=department,
            day=day,
            today=today,
            page=_with_actions(rows[:BOARD_DAY_LIMIT]),
            over_limit=len(rows) > BOARD_DAY_LIMIT,
            day_limit=BOARD_DAY_LIMIT,
            own_doctor=page_selectors.doctor_for_user(request.user),  # "Start visit" on their own rows
            previous_url=_url("scheduling:board", **day_params, date=(day - datetime.timedelta(days=1)).isoformat()),
            next_url=_url("scheduling:board", **day_params, date=(day + datetime.timedelta(days=1)).isoformat()),
            today_url=_url("scheduling:board", **day_params, date=today.isoformat()),
        )
    return render(request, "scheduling/board.html", context, status=200 if form.is_valid() else 400)


@require_POST
@staff_page("scheduling.change_appointment")
def appointment_check_in_view(request, pk):
    appointment = _staff_appointment(request, pk)
    return _run_action(
        request,
        appointment,
        lambda: services.appointment_check_in(appointment=appointment, acting_user=request.user),
        "checked in",
    )


@require_POST
@staff_page("scheduling.change_appointment")
def appointment_no_show_view(request, pk):
    appointment = _staff_appointment(request, pk)
    return _run_action(
        request,
        appointment,
        lambda: services.appointment_mark_no_show(appointment=appointment, acting_user=request.user),
        "marked as a no-show",
    )


@require_POST
@staff_page("scheduling.change_appointment")
def appointment_cancel_view(request, pk):
    appointment = _staff_appointment(request, pk)
    form = CancelForm(request.POST)
    if not form.is_valid():
        messages.error(
            request,
            f"{appointment.patient.full_name}, {_when(appointment)}: not cancelled. "
            "Give a reason for the cancellation.",
        )
        return redirect(_next_url(request, _board_url(appointment)))
    return _run_action(
        request,
        appointment,
        lambda: services.appointment_cancel(
            appointment=appointment, reason=form.cleaned_data["reason"], acting_user=request.user
        ),
        "cancelled",
    )


@staff_page("scheduling.change_appointment")
def appointment_reschedule_view(request, pk):
    """Move a scheduled appointment to another free slot of the same doctor."""
    appointment = _staff_appointment(request, pk)
    status = 200
    if request.method == "POST":
        form = RescheduleForm(request.POST)
        if form.is_valid():
            old = _when(appointment)
            try:
                appointment = services.appointment_reschedule(
                    appointment=appointment, start=form.cleaned_data["start"], acting_user=request.user
                )
            except (DomainError, ValidationError) as exc:
                messages.error(request, f"Not rescheduled: {_refusal(exc)}")
                status = _refusal_status(exc)
            else:
                messages.success(request, f"Moved {appointment.patient.full_name} from {old} to {_when(appointment)}.")
                return redirect(_next_url(request, _board_url(appointment)))
        else:
            messages.error(request, "Not rescheduled: choose one of the free slots.")
            status = 400
    day_form = DayForm(request.GET)
    tz = appointment.hospital.tzinfo
    today = page_selectors.local_today(tz)
    day = (day_form.cleaned_data["date"] if day_form.is_valid() else None) or max(
        appointment.start.astimezone(tz).date(), today
    )
    context = {
        "appointment": appointment,
        "day_form": day_form,
        "next": _next_url(request, ""),
        "back_url": _next_url(request, _board_url(appointment)),
        **_slot_context(appointment.doctor, day),
    }
    return render(request, "scheduling/reschedule.html", context, status=status)
