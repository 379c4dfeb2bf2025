"""Staff patient pages and the patient portal.

Views check access and shape pages; reads go through patients.selectors (which scope rows to the
user) and every change goes through patients.services.
"""


from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from hms import access
from hms.access_models import AccessKind
from hms.access_selectors import disclosures_of
from hms.exceptions import Conflict
from hms.pages import COUNT_CAP, cursor_page, portal_page, staff_page, submit_form
from hms.roles import PATIENT, user_roles
from patients import policies as chart_policies
from patients import services
from patients.choices import BreakGlassOutcome, ConsentKind
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
    break_glass_grants,
    consents_of,
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
    if not chart_policies.may_read_chart(user, patient.pk):
        chart["restricted"] = True
        chart.update(break_glass_context())
    elif chart_policies.care_restricted(user) and chart_policies.chart_access_reason(user, patient.pk).startswith(
        "break-glass:"
    ):
        chart["break_glass_grant"] = chart_policies.active_grant(user, patient.pk)
    if user.has_perm("patients.view_allergy") and not chart.get("restricted"):
        allergies = allergy_queryset_for(user).filter(patient=patient).order_by("-is_active", "substance")
        chart["allergies"] = list(allergies if all_allergies else allergies.filter(is_active=True))
    if user.has_perm("patients.view_medicalhistoryentry") and not chart.get("restricted"):
        chart["history"] = list(medical_history_queryset_for(user).filter(patient=patient))
    if user.has_perm("patients.view_insurancepolicy"):
        policies = insurance_policy_queryset_for(user).filter(patient=patient)
        if only_active_policies:
            policies = policies.filter(is_active=True)
        chart["policies"] = list(policies)
        for policy in chart["policies"]:
            policy.validity, policy.validity_class = _insurance_validity(policy, today)
    return chart


def break_glass_context(**extra):
    """What the "break the glass" panel (patients/_break_glass.html) shows."""
    return {
        "care_window_days": settings.CARE_WINDOW_DAYS_BACK,
        "break_glass_hours": settings.BREAK_GLASS_HOURS,
        "break_glass_min_length": settings.BREAK_GLASS_REASON_MIN_LENGTH,
        **extra,
    }


def render_restricted(request, patient, *, status=403, **extra):
    """The page of a chart the user may not read: demographics and the break-the-glass action (403)."""
    context = {"patient": patient, **break_glass_context(**extra)}
    return render(request, "patients/restricted.html", context, status=status)


def _consent_rows(user, patient):
    """The consents section, for roles that may view consents (None: no section)."""
    if not user.has_perm("patients.view_consent"):
        return None
    recorded = consents_of(patient)
    return [{"kind": kind, "label": label, "consent": recorded.get(kind)} for kind, label in ConsentKind.choices]


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
    context["consents"] = _consent_rows(user, patient)
    context["may_record_consent"] = user.has_perm("patients.change_consent")
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


# --- Break the glass, consents and the privacy officer's reviews ------------------------------------------


def _safe_next(request, default):
    target = request.POST.get("next") or ""
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return target
    return default


@require_POST
@staff_page("patients.view_patient")
def break_glass_view(request, pk):
    """Break the glass on a chart outside the user's care: a reason opens it for BREAK_GLASS_HOURS."""
    patient = get_object_or_404(patient_queryset_for(request.user), pk=pk)
    reason = request.POST.get("reason", "")
    try:
        grant = services.break_glass(patient=patient, reason=reason, acting_user=request.user)
    except ValidationError as exc:
        error = " ".join(exc.message_dict.get("reason", exc.messages))
        return render_restricted(request, patient, status=400, break_glass_error=error, break_glass_reason=reason)
    messages.warning(
        request,
        f"Break-glass access to {patient.full_name} until {timezone.localtime(grant.expires_at):%H:%M}. "
        "The privacy officer reviews it.",
    )
    return redirect(_safe_next(request, patient.get_absolute_url()))


@require_POST
@staff_page("patients.view_consent")
def consent_view(request, pk):
    patient = get_object_or_404(patient_queryset_for(request.user), pk=pk)
    kind = request.POST.get("kind", "")
    granted = request.POST.get("granted") == "1"
    try:
        consent = services.consent_record(patient=patient, kind=kind, granted=granted, acting_user=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        state = "granted" if consent.granted else "withdrawn"
        messages.success(request, f"{consent.get_kind_display()}: consent {state} for {patient.full_name}.")
    return redirect(f"{patient.get_absolute_url()}#consents")


REVIEW_PAGE_SIZE = 50


@staff_page("patients.view_breakglassgrant")
def break_glass_reviews_view(request):
    """The privacy officer's break-glass reviews: grants waiting for review (newest first), or the reviewed ones."""
    reviewed = request.GET.get("reviewed") == "1"
    page = cursor_page(request, break_glass_grants(reviewed=reviewed), REVIEW_PAGE_SIZE)
    return render(
        request,
        "patients/break_glass_reviews.html",
        {"page": page, "reviewed": reviewed, "outcomes": BreakGlassOutcome.choices},
    )


@require_POST
@staff_page("patients.change_breakglassgrant")
def break_glass_review_view(request, pk):
    grant = get_object_or_404(break_glass_grants(), pk=pk)
    try:
        services.break_glass_review(
            grant=grant, outcome=request.POST.get("outcome", ""), note=request.POST.get("note", ""),
            acting_user=request.user,
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    except (Conflict, PermissionDenied) as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"Reviewed the break-glass access of {grant.user} to {grant.patient.full_name}.")
    return redirect("patients:break_glass_reviews")
