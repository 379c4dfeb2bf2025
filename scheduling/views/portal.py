"""Patient portal pages: my appointments, booking for myself, cancelling my own appointment.

Every change is one call of a scheduling.services function with ``acting_user``, which decides who may act
(scheduling.policies: a patient acts only on their own appointments).
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from hms.exceptions import DomainError
from hms.pages import paginate as _page
from hms.pages import portal_page
from hms.pages import refusal_message as _refusal
from hms.pages import refusal_status as _refusal_status
from patients.selectors import patient_for_user
from scheduling import page_selectors, services
from scheduling.forms import (
    CancelForm,
    SlotBookingForm,
    SlotSearchForm,
)
from scheduling.selectors import appointment_queryset_for
from scheduling.views.common import (
    _slot_context,
    _slot_day,
    _when,
    _with_actions,
)

PORTAL_PAGE_SIZE = 10


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
