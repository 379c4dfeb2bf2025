"""Doctor pages: starting and completing a visit, my schedule, availability windows and time off.

A doctor works on their own rows, an administrator on any doctor's (?doctor=). Every change is one call of a
scheduling.services function with ``acting_user``, which decides who may act (scheduling.policies).
"""

import datetime

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from hms.exceptions import DomainError
from hms.pages import paginate as _page
from hms.pages import refusal_message as _refusal
from hms.pages import refusal_status as _refusal_status
from hms.pages import staff_page
from hms.roles import may_read_field
from hms.validators import parse_id
from scheduling import page_selectors, policies, services
from scheduling.forms import (
    AvailabilityForm,
    DoctorPickForm,
    EndWindowForm,
    ScheduleFilterForm,
    TimeOffForm,
)
from scheduling.models import Availability, TimeOff
from scheduling.start_page import doctor_panels
from scheduling.views.common import (
    _clock,
    _pk_url,
    _run_action,
    _staff_appointment,
    _url,
    _with_actions,
)

SCHEDULE_PAGE_SIZE = 25
WINDOWS_PAGE_SIZE = 20
TIME_OFF_PAGE_SIZE = 20


def _visit_action(request, pk, service, done, success_url=None):
    """Start or complete a visit: the appointment's own doctor does it (or an administrator)."""
    appointment = _staff_appointment(request, pk)
    if not policies.may_run_visit(user=request.user, appointment=appointment):
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
