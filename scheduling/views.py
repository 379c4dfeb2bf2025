"""Scheduling pages: the reception board and booking, the doctor's schedule and availability, the patient portal.

Views check access and shape pages. Reads go through scheduling.selectors / page_selectors (scoped to
the user); every change is one call of a scheduling.services function with ``acting_user``. A refusal
(Conflict or ValidationError) becomes a message on the page and nothing is changed. Times are shown in
the time zone of the appointment's hospital.
"""

import datetime
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from hms.exceptions import DomainError
from hms.pages import cursor_page, portal_page, staff_page
from hms.pages import paginate as _page
from hms.pages import refusal_message as _refusal
from hms.pages import refusal_status as _refusal_status
from hms.roles import may_read_field
from hms.validators import parse_id
from patients.selectors import patient_for_user, patient_queryset_for, patient_search
from scheduling import page_selectors, services
from scheduling.forms import (
    AvailabilityForm,
    BoardFilterForm,
    CancelForm,
    DayForm,
    DoctorPickForm,
    EndWindowForm,
    PatientPickForm,
    RescheduleForm,
    ScheduleFilterForm,
    SlotBookingForm,
    SlotSearchForm,
    StaffBookingForm,
    TimeOffForm,
)
from scheduling.models import Availability, TimeOff, local_label
from scheduling.selectors import appointment_queryset_for, doctor_free_slots
from scheduling.start_page import doctor_panels
from staff.selectors import active_hospitals

BOARD_DAY_LIMIT = 500  # one day of one hospital on one page; more is shown capped, with a note
SCHEDULE_PAGE_SIZE = 25
PORTAL_PAGE_SIZE = 10
PATIENT_PICK_PAGE_SIZE = 10
WINDOWS_PAGE_SIZE = 20
TIME_OFF_PAGE_SIZE = 20
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


def _clock(moment):
    return f"{moment:%I:%M %p}".lstrip("0")


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


def _visit_action(request, pk, service, done, success_url=None):
    """Start or complete a visit: the appointment's own doctor does it (or an administrator)."""
    appointment = _staff_appointment(request, pk)
    own = page_selectors.doctor_for_user(request.user)
    if not page_selectors.is_administrator(request.user) and (own is None or own.pk != appointment.doctor_id):
        raise PermissionDenied
    return _run_action(
        request,
        appointment,
        lambda: service(appointment=appointment, acting_user=request.user),
        done,
        success_url,
    )


@require_POST
@staff_page("scheduling.change_appointment")
def appointment_start_view(request, pk):
    """Start the visit and open its page (the doctor's next step); a refusal goes back where the form was."""
    return _visit_action(
        request, pk, services.appointment_start, "visit started", success_url=reverse("clinical:visit", args=[pk])
    )


@require_POST
@staff_page("scheduling.change_appointment")
def appointment_complete_view(request, pk):
    return _visit_action(request, pk, services.appointment_complete, "visit completed")


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


# --- doctors: schedule, availability, time off ------------------------------------------------------------


def _doctor_in_scope(request):
    """(doctor, pick_form): a doctor works on their own rows, an administrator on any doctor's (?doctor=).

    Others are refused (403); a doctor asking for another doctor's rows gets 404.
    """
    raw = request.GET.get("doctor") or ""
    if page_selectors.is_administrator(request.user):
        doctor = None
        if raw:
            doctor_id = parse_id(raw)
            if not doctor_id:
                raise Http404
            doctor = get_object_or_404(page_selectors.doctor_queryset(), pk=doctor_id)
        else:
            doctor = page_selectors.doctor_for_user(request.user)
        return doctor, DoctorPickForm(initial={"doctor": doctor.pk if doctor else None})
    own = page_selectors.doctor_for_user(request.user)
    if own is None:
        raise PermissionDenied
    if raw and raw != str(own.pk):
        raise Http404
    return own, None


@staff_page("scheduling.view_appointment")
def my_schedule_view(request):
    """A doctor's appointments of a day or a week, each in its hospital's time, with visit actions."""
    doctor, pick_form = _doctor_in_scope(request)
    form = ScheduleFilterForm(request.GET)
    form.is_valid()
    context = {"doctor": doctor, "pick_form": pick_form, "form": form}
    if doctor is None:
        return render(request, "scheduling/my_schedule.html", context)
    today = page_selectors.local_today(doctor.hospital.tzinfo)
    day = form.cleaned_data.get("date") or today
    view = form.cleaned_data.get("view") or "today"
    if view == "week":
        date_from, date_to = page_selectors.week_bounds(day)
        step = datetime.timedelta(days=7)
    else:
        date_from = date_to = day
        step = datetime.timedelta(days=1)
    hospitals = page_selectors.hospitals_by_id()
    appointments = page_selectors.doctor_schedule(
        user=request.user, doctor=doctor, date_from=date_from, date_to=date_to, hospitals=hospitals
    )
    page = _page(request, appointments, SCHEDULE_PAGE_SIZE)
    for appointment in page:
        appointment.hospital = hospitals[appointment.hospital_id]
    page = _with_actions(page)
    patient_url = _pk_url("patients:detail")
    for appointment in page:  # in its hospital's time (a week fills a page: cheaper here than in the template)
        appointment.patient_url = patient_url(appointment.patient_id)
        start, end = appointment.local_start, appointment.local_end
        appointment.local_day = start.date()
        appointment.start_label = _clock(start)
        appointment.end_label = f"{_clock(end)} {end.tzname()}"
    doctor_param = doctor.pk if pick_form is not None else ""

    def link(**params):
        return _url("scheduling:my_schedule", doctor=doctor_param, **params)

    user = request.user
    context.update(
        # The doctor's own page: what other apps add (clinical: results inbox, critical results, unsigned records).
        start_panels=doctor_panels(doctor=doctor, user=user) if pick_form is None else [],
        view=view,
        day=day,
        today=today,
        date_from=date_from,
        date_to=date_to,
        page=page,
        # Asked once here rather than on each of a full week's rows.
        may_change=user.has_perm("scheduling.change_appointment"),
        may_open_patient=user.has_perm("patients.view_patient"),
        show_reason=may_read_field(user, "scheduling.appointment.reason"),
        today_url=link(view="today"),
        week_url=link(view="week", date=day.isoformat()),
        previous_url=link(view=view, date=(day - step).isoformat()),
        next_url=link(view=view, date=(day + step).isoformat()),
    )
    return render(request, "scheduling/my_schedule.html", context)


def _availability_url(doctor, request):
    if page_selectors.is_administrator(request.user):
        return _url("scheduling:availability", doctor=doctor.pk)
    return reverse("scheduling:availability")


def _render_availability(request, doctor, pick_form, *, window_form=None, time_off_form=None, status=200):
    user = request.user
    include_ended = request.GET.get("ended") == "1"
    include_past = request.GET.get("past") == "1"
    if window_form is None and user.has_perm("scheduling.add_availability"):
        window_form = AvailabilityForm(
            doctor=doctor, initial={"valid_from": page_selectors.local_today(doctor.hospital.tzinfo)}
        )
    if time_off_form is None and user.has_perm("scheduling.add_timeoff"):
        time_off_form = TimeOffForm(doctor=doctor)
    windows = page_selectors.doctor_windows_list(doctor=doctor, include_ended=include_ended)
    time_off = page_selectors.doctor_time_off(doctor=doctor, include_past=include_past)
    context = {
        "doctor": doctor,
        "pick_form": pick_form,
        "window_form": window_form,
        "time_off_form": time_off_form,
        "windows": _page(request, windows, WINDOWS_PAGE_SIZE, "windows_page"),
        "time_off": _page(request, time_off, TIME_OFF_PAGE_SIZE, "time_off_page"),
        "include_ended": include_ended,
        "include_past": include_past,
        "today": page_selectors.local_today(doctor.hospital.tzinfo),
        "query": f"?doctor={doctor.pk}" if pick_form is not None else "",
    }
    with timezone.override(doctor.hospital.tzinfo):  # time off is entered and shown in the hospital's time
        return render(request, "scheduling/availability.html", context, status=status)


@staff_page("scheduling.view_availability")
def availability_view(request):
    """A doctor's weekly windows and time off, with forms to add, end and change them."""
    doctor, pick_form = _doctor_in_scope(request)
    if doctor is None:
        return render(request, "scheduling/availability.html", {"doctor": None, "pick_form": pick_form})
    return _render_availability(request, doctor, pick_form)


@require_POST
@staff_page("scheduling.add_availability")
def availability_add_view(request):
    doctor, pick_form = _doctor_in_scope(request)
    if doctor is None:
        raise Http404
    form = AvailabilityForm(request.POST, doctor=doctor)
    if form.is_valid():
        try:
            window = services.availability_create(acting_user=request.user, doctor=doctor, **form.cleaned_data)
        except (DomainError, ValidationError) as exc:
            form.add_error(None, _refusal(exc))
        else:
            messages.success(request, f"Added the window {window} at {window.hospital.name}.")
            return redirect(_availability_url(doctor, request))
    messages.error(request, "The window was not added: please correct the marked fields.")
    return _render_availability(request, doctor, pick_form, window_form=form, status=400)


def _owned(request, model, pk):
    """A row of a doctor-owned model: any doctor's for an administrator, the user's own otherwise (404)."""
    qs = model.objects.select_related("doctor__user", "doctor__hospital")
    if not page_selectors.is_administrator(request.user):
        own = page_selectors.doctor_for_user(request.user)
        if own is None:
            raise PermissionDenied
        qs = qs.filter(doctor=own)
    return get_object_or_404(qs, pk=pk)


@require_POST
@staff_page("scheduling.change_availability")
def availability_end_view(request, pk):
    """End a window on a given last day (windows are ended, never deleted)."""
    window = _owned(request, Availability, pk)
    form = EndWindowForm(request.POST)
    if not form.is_valid():
        messages.error(request, "The window was not ended: give its last day.")
    else:
        last_day = form.cleaned_data["valid_to"]
        try:
            services.availability_update(availability=window, acting_user=request.user, valid_to=last_day)
        except (DomainError, ValidationError) as exc:
            messages.error(request, f"The window {window} was not ended: {_refusal(exc)}")
        else:
            messages.success(request, f"The window {window} ends on {last_day:%m/%d/%Y}.")
    return redirect(_availability_url(window.doctor, request))


@require_POST
@staff_page("scheduling.add_timeoff")
def time_off_add_view(request):
    doctor, pick_form = _doctor_in_scope(request)
    if doctor is None:
        raise Http404
    with timezone.override(doctor.hospital.tzinfo):
        form = TimeOffForm(request.POST, doctor=doctor)
        if form.is_valid():
            try:
                services.time_off_create(acting_user=request.user, doctor=doctor, **form.cleaned_data)
            except (DomainError, ValidationError) as exc:
                form.add_error(None, _refusal(exc))
            else:
                messages.success(request, f"Added time off: {form.cleaned_data['reason']}.")
                return redirect(_availability_url(doctor, request))
    messages.error(request, "The time off was not added: please correct the marked fields.")
    return _render_availability(request, doctor, pick_form, time_off_form=form, status=400)


@staff_page("scheduling.change_timeoff")
def time_off_withdraw_view(request, pk):
    """Withdraw time off (POST): its slots become bookable again."""
    time_off = _owned(request, TimeOff, pk)
    if request.method == "POST":
        services.time_off_withdraw(time_off=time_off, acting_user=request.user)
        messages.success(request, "Withdrew the time off; its slots can be booked again.")
    return redirect(_availability_url(time_off.doctor, request))


@staff_page("scheduling.change_timeoff")
def time_off_edit_view(request, pk):
    """Change the dates or reason of time off (time off is changed, never deleted)."""
    time_off = _owned(request, TimeOff, pk)
    doctor = time_off.doctor
    status = 200
    with timezone.override(doctor.hospital.tzinfo):
        if request.method == "POST":
            form = TimeOffForm(request.POST, instance=time_off, doctor=doctor)
            if form.is_valid():
                try:
                    services.time_off_update(time_off=time_off, acting_user=request.user, **form.cleaned_data)
                except (DomainError, ValidationError) as exc:
                    form.add_error(None, _refusal(exc))
                    status = _refusal_status(exc)
                else:
                    messages.success(request, "Saved the time off.")
                    return redirect(_availability_url(doctor, request))
            else:
                status = 400
            time_off.refresh_from_db()
        else:
            form = TimeOffForm(instance=time_off, doctor=doctor)
        return render(
            request,
            "scheduling/time_off_edit.html",
            {"form": form, "time_off": time_off, "doctor": doctor, "back_url": _availability_url(doctor, request)},
            status=status,
        )


# --- patient portal ------------------------------------------------------------------------------------


@portal_page
def portal_appointments_view(request):
    """The patient's own upcoming and past appointments."""
    patient = patient_for_user(request.user)
    context = {"patient": patient}
    if patient is not None:
        upcoming = page_selectors.patient_appointments(user=request.user, patient=patient, upcoming=True)
        past = page_selectors.patient_appointments(user=request.user, patient=patient, upcoming=False)
        context.update(
            upcoming=_with_actions(_page(request, upcoming, PORTAL_PAGE_SIZE, "upcoming_page")),
            past=_page(request, past, PORTAL_PAGE_SIZE, "past_page"),
        )
    return render(request, "scheduling/portal_appointments.html", context)


@portal_page
def portal_book_view(request):
    """The patient books for themselves: choose a doctor, then a day, then a free slot."""
    patient = patient_for_user(request.user)
    if patient is None:
        messages.error(request, "Your account is not linked to a patient record yet; please ask the reception desk.")
        return redirect("scheduling:portal_appointments")
    search_form = SlotSearchForm(request.GET)
    doctor = search_form.cleaned_data.get("doctor") if search_form.is_valid() else None
    booking_form = SlotBookingForm()
    status = 200
    if request.method == "POST":
        booking_form = SlotBookingForm(request.POST)
        if booking_form.is_valid():
            data = booking_form.cleaned_data
            try:
                appointment = services.appointment_book(
                    acting_user=request.user,
                    patient=patient,
                    doctor=data["doctor"],
                    start=data["start"],
                    reason=data["reason"],
                    kind=data["kind"],
                )
            except (DomainError, ValidationError) as exc:
                already = page_selectors.own_booking(
                    user=request.user, patient=patient, doctor=data["doctor"], start=data["start"]
                )
                if already is None:
                    messages.error(request, f"Not booked: {_refusal(exc)}")
                    status = _refusal_status(exc)
                else:  # sent twice: the first one went through
                    messages.info(
                        request, f"Already booked: your appointment with {already.doctor} on {_when(already)}."
                    )
                    return redirect("scheduling:portal_appointments")
            else:
                messages.success(
                    request, f"Your appointment with {appointment.doctor} is booked for {_when(appointment)}."
                )
                return redirect("scheduling:portal_appointments")
        else:
            messages.error(request, "Not booked: please correct the marked fields.")
            status = 400
    context = {"patient": patient, "search_form": search_form, "doctor": doctor, "booking_form": booking_form}
    if doctor is not None:
        day = _slot_day(search_form, doctor)
        context.update(_slot_context(doctor, day))
    return render(request, "scheduling/portal_book.html", context, status=status)


@require_POST
@portal_page
def portal_cancel_view(request, pk):
    """Cancel one of the patient's own appointments; anyone else's answers 404."""
    patient = patient_for_user(request.user)
    if patient is None:
        raise Http404
    appointment = get_object_or_404(appointment_queryset_for(request.user).filter(patient=patient), pk=pk)
    form = CancelForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Your appointment was not cancelled: please give a reason.")
        return redirect("scheduling:portal_appointments")
    try:
        services.appointment_cancel(
            appointment=appointment, reason=form.cleaned_data["reason"], acting_user=request.user
        )
    except (DomainError, ValidationError) as exc:
        messages.error(request, f"Your appointment of {_when(appointment)} was not cancelled: {_refusal(exc)}")
    else:
        messages.success(request, f"Your appointment with {appointment.doctor} on {_when(appointment)} is cancelled.")
    return redirect("scheduling:portal_appointments")
