"""Staff patient pages and the patient portal.

Views check access and shape pages; reads go through patients.selectors (which scope rows to the
user) and every change goes through patients.services.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from hms import access
from hms.access_models import AccessKind
from hms.access_selectors import disclosures_of
from hms.pages import COUNT_CAP, cursor_page, portal_page, staff_page, submit_form
from hms.roles import PATIENT, user_roles
from patients import services
from patients.forms import (
    AllergyForm,
    InsurancePolicyForm,
    MedicalHistoryEntryForm,
    PatientForm,
    PatientRegisterForm,
    PatientSearchForm,
)
from patients.selectors import (
    PATIENT_SEARCH_KEYS,
    allergy_queryset_for,
    insurance_policy_queryset_for,
    medical_history_queryset_for,
    patient_for_user,
    patient_queryset_for,
    patient_search_count,
    patient_search_page,
)

SEARCH_PAGE_SIZE = 25


def _insurance_validity(policy, today):
    if not policy.is_active:
        return "Inactive", ""
    if policy.valid_from > today:
        return "Not yet valid", "warn"
    if policy.valid_to is not None and policy.valid_to < today:
        return "Expired", "danger"
    return "Valid", "ok"


def _chart(user, patient, *, all_allergies=False, only_active_policies=False):
    """The chart sections of one patient the user may read (minimum necessary: a section per view permission)."""
    today = timezone.localdate()
    chart = {}
    if user.has_perm("patients.view_allergy"):
        allergies = allergy_queryset_for(user).filter(patient=patient).order_by("-is_active", "substance")
        chart["allergies"] = list(allergies if all_allergies else allergies.filter(is_active=True))
    if user.has_perm("patients.view_medicalhistoryentry"):
        chart["history"] = list(medical_history_queryset_for(user).filter(patient=patient))
    if user.has_perm("patients.view_insurancepolicy"):
        policies = insurance_policy_queryset_for(user).filter(patient=patient)
        if only_active_policies:
            policies = policies.filter(is_active=True)
        chart["policies"] = list(policies)
        for policy in chart["policies"]:
            policy.validity, policy.validity_class = _insurance_validity(policy, today)
    return chart


SEARCH_COUNT_CAP = 200


@staff_page("patients.view_patient")
def patient_search_view(request):
    form = PatientSearchForm(request.GET)
    query, include_inactive = "", False
    if form.is_valid():
        query, include_inactive = form.cleaned_data["q"], form.cleaned_data["inactive"]
    search = {"user": request.user, "query": query, "include_inactive": include_inactive}

    def fetch(position, backwards, size):
        return patient_search_page(**search, size=size, position=position, backwards=backwards)

    page = cursor_page(request, None, SEARCH_PAGE_SIZE, keys=PATIENT_SEARCH_KEYS, fetch=fetch)
    # A search that finds hundreds is narrowed, not counted: the count reads at most SEARCH_COUNT_CAP + 1
    # ids of each way of matching (a common surname prefix at 100k patients costs little more than a rare one).
    cap = SEARCH_COUNT_CAP if query else COUNT_CAP
    total = patient_search_count(**search, cap=cap)
    total_label = f"{cap:,}+" if total > cap else f"{total:,}"
    if query or page:
        access.note(request, kind=AccessKind.SEARCH, what="patients.patient", patients=page, terms=query)
    return render(
        request,
        "patients/search.html",
        {
            "form": form,
            "page": page,
            "total": total,
            "total_label": total_label,
            "capped_at": cap,
            "query": query,
            "include_inactive": include_inactive,
        },
    )


@staff_page("patients.add_patient")
def patient_register_view(request):
    duplicates = []
    form = PatientRegisterForm(request.POST) if request.method == "POST" else PatientRegisterForm()

    def register(form):
        return services.patient_register(
            acting_user=request.user, allow_duplicate=form.cleaned_data["allow_duplicate"], **form.service_data()
        )

    try:
        outcome = submit_form(request, form, register, refusals=(ValidationError,))
    except services.DuplicatePatient as exc:
        duplicates = list(
            patient_queryset_for(request.user).filter(mrn__in=exc.extra.get("duplicates", [])).order_by("mrn")
        )
        messages.warning(request, exc.message)
        status = 409
    else:
        if outcome.done:
            patient = outcome.result
            messages.success(request, f"Registered {patient.full_name} with MRN {patient.mrn}.")
            return redirect(patient)
        status = outcome.status
    return render(request, "patients/register.html", {"form": form, "duplicates": duplicates}, status=status)


@staff_page("patients.view_patient")
def patient_detail_view(request, pk):
    patient = get_object_or_404(patient_queryset_for(request.user), pk=pk)
    access.note(request, kind=AccessKind.CHART, what="patients.patient", patients=[patient])
    all_allergies = request.GET.get("allergies") == "all"
    user = request.user
    context = {
        "patient": patient,
        "all_allergies": all_allergies,
        **_chart(user, patient, all_allergies=all_allergies),
    }
    if user.has_perm("patients.add_allergy"):
        context["allergy_form"] = AllergyForm()
    if user.has_perm("patients.add_medicalhistoryentry"):
        context["history_form"] = MedicalHistoryEntryForm()
    if user.has_perm("patients.add_insurancepolicy"):
        context["policy_form"] = InsurancePolicyForm()
    return render(request, "patients/detail.html", context)


@staff_page("patients.change_patient")
def patient_edit_view(request, pk):
    patient = get_object_or_404(patient_queryset_for(request.user), pk=pk)
    form = PatientForm(request.POST, instance=patient) if request.method == "POST" else PatientForm(instance=patient)
    outcome = submit_form(
        request,
        form,
        lambda form: services.patient_update(patient=patient, acting_user=request.user, **form.service_data()),
        refusals=(ValidationError,),
    )
    if outcome.done:
        messages.success(request, f"Saved the changes to {patient.full_name} (MRN {patient.mrn}).")
        return redirect(patient)
    if request.method == "POST":
        patient.refresh_from_db()  # the form changed the instance in memory; the page shows what is stored
    return render(request, "patients/edit.html", {"form": form, "patient": patient}, status=outcome.status)


@require_POST
@staff_page("patients.change_patient")
def patient_set_active_view(request, pk):
    patient = get_object_or_404(patient_queryset_for(request.user), pk=pk)
    active = request.POST.get("active") == "1"
    patient = services.patient_set_active(patient=patient, active=active, acting_user=request.user)
    if active:
        messages.success(request, f"{patient.full_name} (MRN {patient.mrn}) is active again.")
    else:
        messages.success(request, f"Deactivated {patient.full_name} (MRN {patient.mrn}). The record is kept.")
    return redirect(patient)


def _chart_entry_view(request, pk, *, form_class, service, title, noun):
    patient = get_object_or_404(patient_queryset_for(request.user), pk=pk)
    form = form_class(request.POST) if request.method == "POST" else form_class()
    outcome = submit_form(
        request,
        form,
        lambda form: service(patient=patient, acting_user=request.user, **form.cleaned_data),
        refusals=(ValidationError,),
    )
    if outcome.done:
        messages.success(request, f"Added the {noun} to the chart of {patient.full_name}.")
        return redirect(patient)
    status = outcome.status
    return render(
        request,
        "patients/chart_entry_form.html",
        {"form": form, "patient": patient, "title": title},
        status=status,
    )


@staff_page("patients.add_allergy")
def allergy_add_view(request, pk):
    return _chart_entry_view(
        request, pk, form_class=AllergyForm, service=services.allergy_add, title="Add an allergy", noun="allergy"
    )


@staff_page("patients.add_medicalhistoryentry")
def medical_history_add_view(request, pk):
    return _chart_entry_view(
        request,
        pk,
        form_class=MedicalHistoryEntryForm,
        service=services.medical_history_add,
        title="Add a history entry",
        noun="history entry",
    )


@staff_page("patients.add_insurancepolicy")
def insurance_policy_add_view(request, pk):
    return _chart_entry_view(
        request,
        pk,
        form_class=InsurancePolicyForm,
        service=services.insurance_policy_add,
        title="Add an insurance policy",
        noun="insurance policy",
    )


PORTAL_ACCESS_PAGE_SIZE = 25


@portal_page
def portal_access_history_view(request):
    """Who opened the patient's record and when (the accounting of disclosures): staff name, role, date and what
    they looked at, newest first; the patient's own visits to the portal are left out, and so are addresses."""
    patient = patient_for_user(request.user)
    page = None
    if patient is not None:
        entries = disclosures_of(patient.pk).exclude(user_id=request.user.pk)
        page = cursor_page(request, entries, PORTAL_ACCESS_PAGE_SIZE)
    return render(request, "portal/access_history.html", {"patient": patient, "page": page})


@login_required
def portal_profile_view(request):
    """A patient's own record. Users without the Patient role are sent to their start page."""
    if PATIENT not in user_roles(request.user):
        return redirect("home")
    patient = patient_for_user(request.user)
    context = {"patient": patient}
    if patient is not None:
        context.update(_chart(request.user, patient, only_active_policies=True))
    return render(request, "portal/profile.html", context)
