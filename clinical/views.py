"""Clinical pages: the doctor's visit page, the nurse's vitals entry, the lab worklist, the patient chart
timeline (staff) and the patient's own history (portal).

Views check access and shape pages. Reads go through clinical.page_selectors / clinical.selectors (scoped
to the user); every change is one call of a clinical.services (or scheduling.services) function with
``acting_user``. Only the appointment's doctor writes a visit (``ensure_may_write``: anyone else, administrators
included, gets 403). A refusal is shown on the page and nothing is saved. The visit page's sections (diagnoses,
procedures, prescriptions, lab orders) are also answered alone to its script, which updates them in place
(VISIT_SECTIONS); without JavaScript every form posts and redirects as usual.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from clinical import icd10, page_selectors, policies, selectors, services
from clinical.choices import RECORDABLE_APPOINTMENT_STATUSES, LabOrderStatus
from clinical.forms import (
    TO_CALL,
    AmendmentForm,
    CriticalResultCallForm,
    DiagnosisForm,
    DiagnosisRemoveForm,
    ICD10SearchForm,
    LabOrderForm,
    LabResultCorrectionForm,
    LabResultForm,
    NotesForm,
    PrescriptionCancelForm,
    PrescriptionForm,
    ProcedureForm,
    VitalsForm,
    VitalsQueueForm,
    WorklistFilterForm,
)
from clinical.selectors import HISTORY_KEYS, history_position, patient_history_page
from hms import access
from hms.access_models import AccessKind
from hms.exceptions import DomainError
from hms.pages import (
    add_form_errors,
    capped_count,
    cursor_page,
    portal_page,
    queue_page,
    staff_page,
    submit_form,
    tell_outcome,
)
from hms.pages import refusal_message as _refusal
from hms.pages import refusal_status as _status
from patients.policies import may_read_chart
from patients.selectors import is_portal_patient, patient_for_user, patient_queryset_for
from patients.views import render_restricted
from scheduling import services as scheduling_services
from scheduling.page_selectors import local_today
from staff.selectors import active_hospitals, clinical_departments, staff_member_of

ICD10_RESULTS = 20
WORKLIST_PAGE_SIZE = 25
TIMELINE_PAGE_SIZE = 25


# --- helpers --------------------------------------------------------------------------------------


def _visit_url(appointment, anchor=""):
    url = reverse("clinical:visit", args=[appointment.pk])
    return f"{url}#{anchor}" if anchor else url


def _may_write(user, appointment):
    try:
        services.ensure_may_write(appointment=appointment, acting_user=user)
    except PermissionDenied:
        return False
    return True


def _writer_appointment(request, pk):
    """The appointment of a visit write: its own doctor only, anyone else 403."""
    appointment = page_selectors.visit_appointment(user=request.user, pk=pk)
    services.ensure_may_write(appointment=appointment, acting_user=request.user)
    return appointment


def _writer_record(request, pk):
    appointment = _writer_appointment(request, pk)
    record = page_selectors.visit_record(appointment)
    if record is None:
        messages.error(request, "Open the medical record of this visit first.")
    return appointment, record


# --- the doctor's visit page ----------------------------------------------------------------------


def _icd_context(request):
    """The ICD-10 search of the visit page: the best ``icd_limit`` matches (20 at first), how many matched, and the
    limit that shows 20 more."""
    search_form = ICD10SearchForm(request.GET)
    valid = search_form.is_valid()
    query = search_form.cleaned_data["icd"].strip() if valid else ""
    limit = (search_form.cleaned_data.get("icd_limit") if valid else None) or ICD10_RESULTS
    matches = icd10.search(query) if query else []
    return {
        "search_form": search_form,
        "icd_query": query,
        "icd_matches": matches[:limit],
        "icd_count": len(matches),
        "icd_more_limit": min(limit + ICD10_RESULTS, 500) if len(matches) > limit and limit < 500 else None,
    }


def _render_visit(request, appointment, *, status=200, section=None, **extra):
    """The visit page, or only one of its sections (``section``, for the page's script: see _fetched_section)."""
    record = page_selectors.visit_record(appointment)
    access.note(
        request,
        kind=AccessKind.VISIT,
        what="scheduling.appointment",
        patients=[appointment.patient],
        object_ids=[appointment.pk],
    )
    may_write = _may_write(request.user, appointment)
    editable = may_write and record is not None and not record.is_signed
    forms = {name: value for name, value in extra.items() if name.endswith("_form")}
    if editable:
        forms.setdefault(
            "notes_form",
            NotesForm(
                initial={
                    "chief_complaint": record.chief_complaint,
                    "clinical_notes": record.clinical_notes,
                    "outcome": record.outcome,
                }
            ),
        )
        forms.setdefault("diagnosis_form", DiagnosisForm())
        forms.setdefault("procedure_form", ProcedureForm())
        forms.setdefault("prescription_form", PrescriptionForm())
        forms.setdefault("lab_order_form", LabOrderForm())
    if may_write and record is not None and record.is_signed:
        forms.setdefault(
            "amend_form",
            AmendmentForm(
                initial={
                    "chief_complaint": record.chief_complaint,
                    "clinical_notes": record.clinical_notes,
                    "outcome": record.outcome,
                }
            ),
        )
    context = {
        "appointment": appointment,
        "patient": appointment.patient,
        "record": record,
        "may_write": may_write,
        "editable": editable,
        **extra,
        **forms,
    }
    if section is not None:
        return render(request, VISIT_SECTIONS[section], context, status=status)
    context.update(
        can_open=may_write and record is None and appointment.status in RECORDABLE_APPOINTMENT_STATUSES,
        can_complete=may_write and appointment.can("complete"),
        may_record_vitals=policies.granted_by_role(request.user, "clinical.add_vitals")
        and appointment.status in RECORDABLE_APPOINTMENT_STATUSES,
        allergies=_allergies_for(request.user, appointment.patient),
        vitals=page_selectors.visit_vitals(user=request.user, appointment=appointment),
        **_icd_context(request),
    )
    return render(request, "clinical/visit.html", context, status=status)


@staff_page("clinical.view_medicalrecord")
def visit_view(request, pk):
    """The visit of one appointment: its record and what hangs off it. Read-only for all but its doctor."""
    appointment = page_selectors.visit_appointment(user=request.user, pk=pk)
    if not may_read_chart(request.user, appointment.patient_id):
        return render_restricted(request, appointment.patient)
    return _render_visit(request, appointment)


@staff_page("clinical.view_medicalrecord")
def visit_icd10_view(request, pk):
    """The ICD-10 matches of the visit page alone (an HTML fragment): the page's search fetches it and swaps it in,
    so a search never reloads the page and never loses what the doctor is typing."""
    appointment = page_selectors.visit_appointment(user=request.user, pk=pk)
    record = page_selectors.visit_record(appointment)
    editable = _may_write(request.user, appointment) and record is not None and not record.is_signed
    context = {"appointment": appointment, "editable": editable, **_icd_context(request)}
    return render(request, "clinical/_icd_matches.html", context)


@require_POST
@staff_page("clinical.view_medicalrecord")
def visit_open_view(request, pk):
    appointment = _writer_appointment(request, pk)
    tell_outcome(
        request,
        lambda: services.record_open_for_appointment(appointment=appointment, acting_user=request.user),
        refused="The record was not opened",
        done=f"Opened the medical record of {appointment.patient.full_name}.",
    )
    return redirect(_visit_url(appointment))


def _record_action(request, pk, *, form_class, form_name, call, done, anchor, form_kwargs=None):
    """Validate one form of the visit page and run its service; on refusal re-show the page with the errors.

    Sent by the page's script (see _fetched_section), the answer is the form's section alone: refreshed after a
    success (with ``done`` as its message), or with the errors."""
    appointment, record = _writer_record(request, pk)
    if record is None:
        return redirect(_visit_url(appointment))
    section = _fetched_section(request)
    form = form_class(request.POST, **(form_kwargs or {}))
    if not form.is_valid():
        return _render_visit(request, appointment, status=400, section=section, **{form_name: form})
    try:
        call(record, form)
    except (DomainError, ValidationError) as exc:
        add_form_errors(form, exc)
        return _render_visit(request, appointment, status=_status(exc), section=section, **{form_name: form})
    return _done(request, appointment, done(form), anchor)


def _done(request, appointment, message, anchor):
    """After a change: the refreshed section with the message (fetched), else a redirect to the page."""
    section = _fetched_section(request)
    if section is not None:
        return _render_visit(request, appointment, section=section, section_message=message)
    messages.success(request, message)
    return redirect(_visit_url(appointment, anchor))


@require_POST
@staff_page("clinical.view_medicalrecord")
def visit_notes_view(request, pk):
    return _record_action(
        request,
        pk,
        form_class=NotesForm,
        form_name="notes_form",
        call=lambda record, form: services.record_update_notes(
            record=record, acting_user=request.user, **form.cleaned_data
        ),
        done=lambda form: "Saved the notes.",
        anchor="notes",
    )


@require_POST
@staff_page("clinical.view_medicalrecord")
def visit_diagnosis_add_view(request, pk):
    def call(record, form):
        form.diagnosis = services.diagnosis_add(
            record=record,
            code=form.cleaned_data["code"],
            is_primary=form.cleaned_data["is_primary"],
            acting_user=request.user,
        )

    return _record_action(
        request,
        pk,
        form_class=DiagnosisForm,
        form_name="diagnosis_form",
        call=call,
        done=lambda form: f"Added the diagnosis {form.diagnosis}.",
        anchor="diagnoses",
    )


@require_POST
@staff_page("clinical.view_medicalrecord")
def visit_procedure_add_view(request, pk):
    return _record_action(
        request,
        pk,
        form_class=ProcedureForm,
        form_name="procedure_form",
        call=lambda record, form: services.procedure_add(record=record, acting_user=request.user, **form.cleaned_data),
        done=lambda form: f"Added the procedure {form.cleaned_data['catalog_entry']}.",
        anchor="procedures",
    )


@require_POST
@staff_page("clinical.view_medicalrecord")
def visit_prescription_add_view(request, pk):
    """Prescribe. An allergy refusal re-shows the form with the warning and an override reason field."""
    appointment, record = _writer_record(request, pk)
    if record is None:
        return redirect(_visit_url(appointment))
    section = _fetched_section(request)
    show_override = bool(request.POST.get("allergy_override_reason", "").strip())
    form = PrescriptionForm(request.POST, show_override=show_override)
    if not form.is_valid():
        return _render_visit(request, appointment, status=400, section=section, prescription_form=form)
    try:
        prescription = services.prescription_create(record=record, acting_user=request.user, **form.cleaned_data)
    except services.AllergyConflict as exc:
        form = PrescriptionForm(request.POST, show_override=True)
        form.is_valid()
        return _render_visit(
            request, appointment, status=409, section=section, prescription_form=form, allergy_warning=exc.message
        )
    except (DomainError, ValidationError) as exc:
        add_form_errors(form, exc)
        return _render_visit(request, appointment, status=_status(exc), section=section, prescription_form=form)
    note = " (allergy override recorded)" if prescription.allergy_override_reason else ""
    return _done(request, appointment, f"Prescribed {prescription}{note}.", "prescriptions")


@require_POST
@staff_page("clinical.view_medicalrecord")
def visit_lab_order_add_view(request, pk):
    return _record_action(
        request,
        pk,
        form_class=LabOrderForm,
        form_name="lab_order_form",
        call=lambda record, form: services.lab_order_create(
            record=record, test=form.cleaned_data["test"], acting_user=request.user
        ),
        done=lambda form: f"Ordered {form.cleaned_data['test']}.",
        anchor="lab-orders",
    )


@require_POST
@staff_page("clinical.view_medicalrecord")
def visit_sign_view(request, pk):
    appointment, record = _writer_record(request, pk)
    if record is not None:
        tell_outcome(
            request,
            lambda: services.record_sign(record=record, acting_user=request.user),
            refused="The record was not signed",
            done="Signed the medical record. Later changes are amendments.",
        )
    return redirect(_visit_url(appointment))


@require_POST
@staff_page("clinical.view_medicalrecord")
def visit_complete_view(request, pk):
    appointment = _writer_appointment(request, pk)
    tell_outcome(
        request,
        lambda: scheduling_services.appointment_complete(appointment=appointment, acting_user=request.user),
        refused="The visit was not completed",
        done=f"Completed the visit of {appointment.patient.full_name}; the bill is drafted.",
    )
    return redirect(_visit_url(appointment))


# --- visit: sections updated in place, removing, cancelling, amending (issue 12) --------------------------

# The sections of the visit page its script (clinical/static/clinical/visit.js) updates in place: a form with
# data-visit-section="<name>" is posted with fetch and the header below, and the answer is that section's HTML
# alone (the fragment the page itself includes), which replaces it; nothing else on the page (notes being typed)
# is touched. Without JavaScript the same forms post normally and the page redirects back to itself.
VISIT_SECTIONS = {
    "diagnoses": "clinical/_visit_diagnoses.html",
    "procedures": "clinical/_visit_procedures.html",
    "prescriptions": "clinical/_visit_prescriptions.html",
    "lab-orders": "clinical/_visit_lab_orders.html",
}
SECTION_HEADER = "X-Visit-Section"


def _fetched_section(request):
    """The section the page's script asked for (its header), or None for a plain form post."""
    section = request.headers.get(SECTION_HEADER)
    return section if section in VISIT_SECTIONS else None


def _section_refusal(request, appointment, error_name, exc):
    """A refused remove/cancel: the section (fetched) or the whole page with the refusal above the section's list."""
    section = _fetched_section(request)
    return _render_visit(request, appointment, status=_status(exc), section=section, **{error_name: _refusal(exc)})


@require_POST
@staff_page("clinical.view_medicalrecord")
def visit_diagnosis_remove_view(request, pk, diagnosis_pk):
    """Remove a diagnosis of the unsigned record (kept, marked removed, no longer counted)."""
    appointment, record = _writer_record(request, pk)
    if record is None:
        return redirect(_visit_url(appointment))
    diagnosis = page_selectors.visit_diagnosis(record=record, pk=diagnosis_pk)
    form = DiagnosisRemoveForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError(form.errors.get("reason", ["The reason is too long."])[0])
        services.diagnosis_remove(diagnosis=diagnosis, reason=form.cleaned_data["reason"], acting_user=request.user)
    except (DomainError, ValidationError) as exc:
        return _section_refusal(request, appointment, "diagnoses_error", exc)
    return _done(request, appointment, f"Removed the diagnosis {diagnosis}.", "diagnoses")


@require_POST
@staff_page("clinical.view_medicalrecord")
def visit_prescription_cancel_view(request, pk, prescription_pk):
    """Cancel a prescription of the visit, with a reason; a dispensed one is refused with a message."""
    appointment, record = _writer_record(request, pk)
    if record is None:
        return redirect(_visit_url(appointment))
    prescription = page_selectors.visit_prescription(record=record, pk=prescription_pk)
    form = PrescriptionCancelForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError({"reason": "Give the reason for cancelling the prescription."})
        services.prescription_cancel(
            prescription=prescription, reason=form.cleaned_data["reason"], acting_user=request.user
        )
    except (DomainError, ValidationError) as exc:
        return _section_refusal(request, appointment, "prescriptions_error", exc)
    message = f"Cancelled the prescription of {prescription.medication.name}."
    return _done(request, appointment, message, "prescriptions")


@require_POST
@staff_page("clinical.view_medicalrecord")
def visit_amend_view(request, pk):
    """Amend the signed record with a reason; every amendment is kept and shown with the original text."""
    appointment, record = _writer_record(request, pk)
    if record is None:
        return redirect(_visit_url(appointment))
    form = AmendmentForm(request.POST)
    if not form.is_valid():
        return _render_visit(request, appointment, status=400, amend_form=form)
    try:
        services.record_amend(
            record=record, reason=form.cleaned_data["reason"], acting_user=request.user, **form.changes()
        )
    except (DomainError, ValidationError) as exc:
        add_form_errors(form, exc)
        return _render_visit(request, appointment, status=_status(exc), amend_form=form)
    messages.success(request, "Amended the signed record; the original stays shown with the amendment.")
    return redirect(_visit_url(appointment, "amendments"))


# --- nurses: vitals -------------------------------------------------------------------------------


@staff_page("clinical.add_vitals")
def vitals_view(request, pk):
    """Record a set of vitals at a visit. Implausible values come back as form errors; nothing is saved."""
    appointment = page_selectors.visit_appointment(user=request.user, pk=pk)
    form = VitalsForm(request.POST) if request.method == "POST" else VitalsForm()
    outcome = submit_form(
        request,
        form,
        lambda form: services.vitals_record(
            patient=appointment.patient, appointment=appointment, acting_user=request.user, **form.measurements()
        ),
    )
    if outcome.done:
        messages.success(request, f"Recorded the vitals of {appointment.patient.full_name}.")
        return redirect(reverse("clinical:vitals", args=[appointment.pk]))
    status = outcome.status
    context = {
        "appointment": appointment,
        "patient": appointment.patient,
        "form": form,
        "recordable": appointment.status in RECORDABLE_APPOINTMENT_STATUSES,
        "vitals": page_selectors.visit_vitals(user=request.user, appointment=appointment),
    }
    return render(request, "clinical/vitals.html", context, status=status)


# --- lab technicians: worklist --------------------------------------------------------------------


@staff_page("clinical.add_labresult")
def lab_worklist_view(request):
    """Pending lab orders (ordered, then collected), oldest first; the latest results with their flags and calls
    (``?status=resulted``); or the critical results still to phone through, oldest first (``?status=to_call``)."""
    form = WorklistFilterForm(request.GET)
    status = form.cleaned_data["status"] if form.is_valid() else ""
    to_call = selectors.results_to_call(user=request.user)
    # To call: critical results to phone through (results, not orders).
    rows = to_call if status == TO_CALL else page_selectors.lab_worklist(user=request.user, status=status or None)
    page = cursor_page(request, rows, WORKLIST_PAGE_SIZE)
    total, total_label = capped_count(rows)
    calls, calls_label = (total, total_label) if status == TO_CALL else capped_count(to_call)
    return render(
        request,
        "clinical/lab_worklist.html",
        {
            "form": form,
            "page": page,
            "total": total,
            "total_label": total_label,
            "to_call": calls,
            "to_call_label": calls_label,
            "status": status,
            "next": request.get_full_path(),
            "can_correct": policies.granted_by_role(request.user, "clinical.change_labresult"),
            "can_call": policies.granted_by_role(request.user, "clinical.add_criticalresultcall"),
        },
    )


def _worklist_next(request):
    target = request.POST.get("next") or ""
    worklist = reverse("clinical:lab_worklist")
    return target if target.startswith(worklist) else worklist


@require_POST
@staff_page("clinical.add_labresult")
def lab_collect_view(request, pk):
    order = get_object_or_404(page_selectors.lab_worklist(user=request.user), pk=pk)
    label = f"{order.test.name} of {order.record.patient.full_name}"
    tell_outcome(
        request,
        lambda: services.lab_order_collect(order=order, acting_user=request.user),
        refused=label,
        done=f"Collected {label}.",
    )
    return redirect(_worklist_next(request))


@staff_page("clinical.add_labresult")
def lab_result_view(request, pk):
    """Enter the result of a collected order; the flag comes from the test's reference range. A resulted order's
    page is its correction page."""
    if page_selectors.lab_order_is_resulted(user=request.user, pk=pk):
        return redirect("clinical:lab_correct", pk=pk)
    order = page_selectors.lab_order_for_work(user=request.user, pk=pk)
    form = LabResultForm(request.POST) if request.method == "POST" else LabResultForm()
    outcome = submit_form(
        request,
        form,
        lambda form: services.lab_result_enter(order=order, acting_user=request.user, **form.cleaned_data),
    )
    if outcome.done:
        patient = order.record.patient
        messages.success(request, f"Result of {order.test.name} for {patient.full_name}: {outcome.result}.")
        return redirect(f"{reverse('clinical:lab_worklist')}?status={LabOrderStatus.RESULTED}")
    return render(request, "clinical/lab_result.html", {"order": order, "form": form}, status=outcome.status)


@staff_page("clinical.change_labresult")
def lab_correct_view(request, pk):
    """Correct a saved result with a reason; the earlier value stays shown (and in history) as corrected."""
    order = page_selectors.lab_order_for_correction(user=request.user, pk=pk)
    if request.method == "POST":
        form = LabResultCorrectionForm(request.POST)
    else:
        form = LabResultCorrectionForm(initial={"value": order.result.value.normalize()})
    outcome = submit_form(
        request,
        form,
        lambda form: services.lab_result_correct(result=order.result, acting_user=request.user, **form.cleaned_data),
    )
    if outcome.done:
        patient = order.record.patient
        messages.success(request, f"Corrected {order.test.name} for {patient.full_name}: {outcome.result}.")
        return redirect(f"{reverse('clinical:lab_worklist')}?status={LabOrderStatus.RESULTED}")
    return render(
        request,
        "clinical/lab_correct.html",
        {"order": order, "result": order.result, "form": form},
        status=outcome.status,
    )


def _allergies_for(user, patient):
    """The allergy banner, for roles the role table lets view allergies (nested data obeys the table)."""
    return page_selectors.active_allergies(patient) if user.has_perm("patients.view_allergy") else []


# --- the timeline: staff chart and portal history -------------------------------------------------


def _timeline(request, patient):
    """A page of the patient's timeline, newest first, walked by cursor in SQL (see patient_history_page)."""

    def fetch(position, backwards, size):
        events, more = patient_history_page(
            user=request.user, patient=patient, size=size, position=position, backwards=backwards
        )
        return events, [history_position(event) for event in events], more

    return cursor_page(request, None, TIMELINE_PAGE_SIZE, keys=HISTORY_KEYS, fetch=fetch)


@login_required
def chart_view(request, pk):
    """A patient's clinical timeline for staff who read medical records (minimum necessary: reception and
    billing are refused). A portal patient is sent to their own history; another patient's answers 404."""
    if is_portal_patient(request.user):
        get_object_or_404(patient_queryset_for(request.user), pk=pk)
        return redirect("clinical:my_history")
    if not request.user.has_perm("clinical.view_medicalrecord"):
        raise PermissionDenied
    patient = get_object_or_404(patient_queryset_for(request.user), pk=pk)
    if not may_read_chart(request.user, patient.pk):
        return render_restricted(request, patient)
    access.note(request, kind=AccessKind.CHART, what="clinical.timeline", patients=[patient])
    context = {
        "patient": patient,
        "page": _timeline(request, patient),
        "allergies": _allergies_for(request.user, patient),
    }
    return render(request, "clinical/chart.html", context)


@portal_page
def my_history_view(request):
    """The patient's own timeline, signed records only."""
    patient = patient_for_user(request.user)
    context = {"patient": patient}
    if patient is not None:
        context["page"] = _timeline(request, patient)
    return render(request, "clinical/my_history.html", context)


# --- nurses: the vitals queue (their start page) ---------------------------------------------------------------

VITALS_QUEUE_PAGE_SIZE = 50


@staff_page("clinical.add_vitals")
def vitals_queue_view(request):
    """Checked-in patients of today without vitals, in arrival order, in the clinical departments of the nurse's
    hospital (all of them unless one is picked); each row opens the vitals form of the visit."""
    member = staff_member_of(request.user)
    hospital = member.hospital if member is not None else active_hospitals().first()
    departments = clinical_departments(hospital)
    form = VitalsQueueForm(request.GET or None, departments=departments)
    department = form.cleaned_data["department"] if form.is_valid() else None
    context = {"form": form, "hospital": hospital, "department": department}
    if hospital is not None:
        today = local_today(hospital.tzinfo)
        queue = page_selectors.vitals_queue(
            user=request.user,
            hospital=hospital,
            departments=[department] if department is not None else form.fields["department"].rows(),
            day=today,
        )
        context.update(today=today, page=queue_page(request, queue, VITALS_QUEUE_PAGE_SIZE))
    status = 400 if form.is_bound and not form.is_valid() else 200
    with timezone.override(hospital.tzinfo if hospital is not None else timezone.get_current_timezone()):
        return render(request, "clinical/vitals_queue.html", context, status=status)


# --- doctors: the results inbox -------------------------------------------------------------------

INBOX_PAGE_SIZE = 25
# ?show= -> which results: unacknowledged (the default), acknowledged, or all of them.
INBOX_VIEWS = {"new": False, "acknowledged": True, "all": None}


def _inbox_doctor(request):
    doctor = selectors.inbox_doctor(request.user)
    if doctor is None:
        raise PermissionDenied("The results inbox is a doctor's: it lists the results of the tests they ordered.")
    return doctor


@staff_page("clinical.view_labresult")
def results_inbox_view(request):
    """The results of the tests the doctor ordered: critical first, then abnormal, then normal, newest first;
    unacknowledged ones by default, each with Acknowledge and, for a critical one, the lab's call."""
    _inbox_doctor(request)
    show = request.GET.get("show", "new")
    show = show if show in INBOX_VIEWS else "new"
    results = selectors.results_inbox(user=request.user, acknowledged=INBOX_VIEWS[show])
    page = cursor_page(request, results, INBOX_PAGE_SIZE)
    waiting, waiting_label = capped_count(selectors.results_inbox(user=request.user, acknowledged=False))
    context = {
        "page": page,
        "show": show,
        "waiting": waiting,
        "waiting_label": waiting_label,
        "next": request.get_full_path(),
    }
    return render(request, "clinical/results_inbox.html", context)


def _inbox_next(request):
    target = request.POST.get("next") or ""
    inbox = reverse("clinical:results_inbox")
    return target if target.startswith(inbox) else inbox


@require_POST
@staff_page("clinical.view_labresult")
def result_acknowledge_view(request, pk):
    """Acknowledge one result of the inbox (its ordering doctor only). A repeat says it was already done."""
    _inbox_doctor(request)
    result = get_object_or_404(selectors.results_inbox(user=request.user), pk=pk)
    label = f"{result.order.test.name} of {result.order.record.patient.full_name}"
    try:
        services.lab_result_acknowledge(result=result, acting_user=request.user)
    except services.AlreadyAcknowledged as exc:
        messages.info(request, f"{label}: {exc.message}")
    except (DomainError, ValidationError) as exc:
        messages.error(request, f"{label} was not acknowledged: {_refusal(exc)}")
    else:
        messages.success(request, f"Acknowledged {label}: {result}.")
    return redirect(_inbox_next(request))


# --- lab technicians: phoning critical results through --------------------------------------------


@staff_page("clinical.add_criticalresultcall")
def result_call_view(request, pk):
    """Record who the lab phoned a critical result to, when, and whether it was read back."""
    result = get_object_or_404(page_selectors.result_for_call(user=request.user), pk=pk)
    to_call = f"{reverse('clinical:lab_worklist')}?status={TO_CALL}"
    if request.method == "POST":
        form = CriticalResultCallForm(request.POST)
    else:
        form = CriticalResultCallForm(initial={"called_to": f"{result.doctor} (ordering doctor)"})

    def record_call(form):
        try:
            return services.lab_result_call_record(result=result, acting_user=request.user, **form.cleaned_data)
        except services.AlreadyCalled as exc:  # someone phoned it meanwhile: nothing to record, back to the queue
            messages.info(request, exc.message)
            return None

    outcome = submit_form(request, form, record_call)
    if outcome.done:
        if outcome.result is not None:
            messages.success(
                request,
                f"Recorded the call of {result.order.test.name} for {result.order.record.patient.full_name}: "
                f"{outcome.result}.",
            )
        return redirect(to_call)
    return render(request, "clinical/result_call.html", {"result": result, "form": form}, status=outcome.status)
