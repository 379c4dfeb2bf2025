"""Back office for patients and their chart basics. Every save goes through patients.services.

Nothing here is ever deleted: patients are deactivated (list actions), allergies and policies
are marked inactive, medical history entries are resolved.
"""

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError

from hms.admin import ActivationActions, AddFormAdmin, AuditedAdmin, BigTableAdmin, RelatedListFilter, adopt
from hms.permissions import granted_by_role
from patients.models import (
    Allergy,
    BreakGlassGrant,
    CareAssignment,
    Consent,
    InsurancePolicy,
    InsurerAccount,
    MedicalHistoryEntry,
    Patient,
    Payer,
)
from patients.selectors import patient_search_condition
from patients.services import (
    ALLERGY_FIELDS,
    HISTORY_FIELDS,
    PATIENT_WRITE_FIELDS,
    PAYER_FIELDS,
    POLICY_FIELDS,
    allergy_add,
    allergy_update,
    care_assign,
    care_assignment_end,
    consent_record,
    insurance_policy_add,
    insurance_policy_update,
    insurer_account_assign,
    medical_history_add,
    medical_history_update,
    patient_find_duplicates,
    patient_register,
    patient_set_active,
    patient_update,
    payer_create,
    payer_update,
)

# For each chart row: (add service, update service, update service's keyword, fields the services accept).
CHART_SERVICES = {
    Allergy: (allergy_add, allergy_update, "allergy", ALLERGY_FIELDS),
    MedicalHistoryEntry: (medical_history_add, medical_history_update, "entry", HISTORY_FIELDS),
    InsurancePolicy: (insurance_policy_add, insurance_policy_update, "policy", POLICY_FIELDS),
}


def chart_row_add(model, *, patient, acting_user, data):
    add, _, _, allowed = CHART_SERVICES[model]
    return add(patient=patient, acting_user=acting_user, **{k: v for k, v in data.items() if k in allowed})


def chart_row_update(model, *, row, acting_user, data):
    _, update, keyword, allowed = CHART_SERVICES[model]
    changes = {k: v for k, v in data.items() if k in allowed}
    return update(**{keyword: row}, acting_user=acting_user, **changes)


# Inlines of the patient page ------------------------------------------------------------------


class ChartRowInline(admin.TabularInline):
    extra = 0
    can_delete = False
    show_change_link = True

    def has_delete_permission(self, request, obj=None):
        return False


class ClinicalFactPermissions:
    """Allergies and medical history are written by clinicians only (patients/policies.py): for anyone else,
    superusers and administrators included, the back office shows them read-only."""

    clinical_model = None

    def _may(self, request, action):
        return granted_by_role(request.user, f"patients.{action}_{self.clinical_model}")

    def has_add_permission(self, request, *args):
        return self._may(request, "add") and super().has_add_permission(request, *args)

    def has_change_permission(self, request, obj=None):
        return self._may(request, "change") and super().has_change_permission(request, obj)


class AllergyInline(ClinicalFactPermissions, ChartRowInline):
    clinical_model = "allergy"
    model = Allergy
    fields = ["substance", "reaction", "severity", "noted_on", "is_active"]


class MedicalHistoryInline(ClinicalFactPermissions, ChartRowInline):
    clinical_model = "medicalhistoryentry"
    model = MedicalHistoryEntry
    fields = ["condition", "onset_date", "status", "notes"]
    formfield_overrides = {
        MedicalHistoryEntry._meta.get_field("notes").__class__: {"widget": forms.Textarea(attrs={"rows": 2})}
    }


class InsurancePolicyInline(ChartRowInline):
    model = InsurancePolicy
    fields = [
        "payer", "policy_number", "group_number", "coverage_percent", "copay",
        "valid_from", "valid_to", "is_primary", "is_active",
    ]


# Patient --------------------------------------------------------------------------------------


class PatientAddForm(forms.ModelForm):
    """The registration form: warns about a likely duplicate unless "register anyway" is ticked."""

    register_anyway = forms.BooleanField(
        required=False,
        label="Register anyway",
        help_text="Tick only after checking that the patients named in the duplicate warning are someone else.",
    )

    class Meta:
        model = Patient
        fields = sorted(PATIENT_WRITE_FIELDS)

    def clean(self):
        cleaned = super().clean()
        names = [cleaned.get(key) for key in ("first_name", "last_name", "date_of_birth")]
        if all(names) and not cleaned.get("register_anyway"):
            duplicates = patient_find_duplicates(first_name=names[0], last_name=names[1], date_of_birth=names[2])
            if duplicates:
                mrns = ", ".join(p.mrn for p in duplicates)
                raise ValidationError(
                    f"A patient named {names[0].strip()} {names[1].strip()} born {names[2]:%m/%d/%Y} is already "
                    f"registered (MRN {mrns}). Check it is not the same person, then tick “Register anyway” "
                    "to register a new patient.",
                    code="possible_duplicate",
                )
        return cleaned


@admin.register(Patient)
class PatientAdmin(BigTableAdmin, ActivationActions, AddFormAdmin, AuditedAdmin):
    audit_patient_field = "self"  # the read audit (hms.access)
    list_display = [
        "mrn", "last_name", "first_name", "date_of_birth", "age", "sex", "phone", "preferred_hospital", "is_active",
    ]
    list_display_links = ["mrn", "last_name"]
    list_filter = ["is_active", "sex", "preferred_hospital", "state"]
    list_select_related = ["preferred_hospital"]
    search_fields = ["=mrn", "^last_name", "^first_name"]  # each indexed: no LIKE '%x%' over every patient
    autocomplete_fields = ["preferred_hospital", "user"]
    ordering = ["last_name", "first_name", "mrn"]
    inlines = [AllergyInline, MedicalHistoryInline, InsurancePolicyInline]
    noun_plural = "patient(s)"
    add_form = PatientAddForm

    identity = ["first_name", "last_name", "date_of_birth", "sex"]
    contact_fieldsets = [
        ("Contact", {"fields": ["phone", "email", "address_line1", "address_line2", "city", "state", "postal_code"]}),
        ("Emergency contact", {"fields": ["emergency_contact_name", "emergency_contact_relation",
                                          "emergency_contact_phone"]}),
        ("Care", {"fields": ["preferred_hospital", "user"]}),
    ]
    add_fieldsets = [
        (None, {"fields": identity}),
        *contact_fieldsets,
        ("Duplicate check", {"fields": ["register_anyway"]}),
    ]
    fieldsets = [
        (None, {"fields": ["mrn", *identity, "age"]}),
        *contact_fieldsets,
        (
            "Record",
            {
                "fields": ["is_active", "registered_at", "registered_by"],
                "description": "Deactivate or reactivate with the actions on the patient list.",
            },
        ),
    ]
    change_readonly_fields = ["mrn", "age", "is_active", "registered_at", "registered_by"]

    def get_search_results(self, request, queryset, search_term):
        """The words of ``search_fields`` (exact MRN, start of a name), reduced to the ways of matching that
        find someone (patients.selectors.patient_search_condition): the admin's own OR of three columns,
        sorted by name, walks the whole name index for a name late in the alphabet."""
        if not search_term.split():
            return queryset, False
        found = patient_search_condition(user=request.user, query=search_term)
        if found is None:
            return queryset.none(), False
        condition, first_last_name = found
        # The first last name found bounds where the list sorted by name starts (no change to the rows).
        return queryset.filter(condition, last_name__gte=first_last_name), False

    @admin.display(description="age")
    def age(self, obj):
        return obj.age if obj.pk and obj.date_of_birth else None

    def save_model(self, request, obj, form, change):
        data = {name: value for name, value in form.cleaned_data.items() if name in PATIENT_WRITE_FIELDS}
        if change:
            patient = patient_update(patient=obj, acting_user=request.user, **data)
        else:
            # The form has shown the duplicate warning already; the service checks again (a race
            # answers with a message, nothing saved) unless the user ticked "register anyway".
            patient = patient_register(
                acting_user=request.user, allow_duplicate=form.cleaned_data.get("register_anyway", False), **data
            )
        adopt(obj, patient)

    def save_formset(self, request, form, formset, change):
        """Inline rows go through the chart services, so the acting user and the one-primary rule hold."""
        model = formset.model
        formset.save(commit=False)  # fills new_objects / changed_objects (also used for the change message)
        for row, changed in formset.changed_objects:
            data = {name: getattr(row, name) for name in changed}
            adopt(row, chart_row_update(model, row=row, acting_user=request.user, data=data))
        for row in formset.new_objects:
            data = {name: getattr(row, name) for name in CHART_SERVICES[model][3]}
            adopt(row, chart_row_add(model, patient=formset.instance, acting_user=request.user, data=data))

    @staticmethod
    def set_active(patient, **kwargs):
        return patient_set_active(patient=patient, **kwargs)


# Chart rows on their own pages -----------------------------------------------------------------


class ChartRowAdmin(AuditedAdmin):
    """Allergies, history entries and policies: the patient is chosen once, then fixed."""

    autocomplete_fields = ["patient"]
    list_select_related = ["patient"]

    def get_readonly_fields(self, request, obj=None):
        return [] if obj is None else ["patient"]

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        if change:
            saved = chart_row_update(self.model, row=obj, acting_user=request.user, data=form.cleaned_data)
        else:
            saved = chart_row_add(
                self.model, patient=form.cleaned_data["patient"], acting_user=request.user, data=form.cleaned_data
            )
        adopt(obj, saved)


@admin.register(Allergy)
class AllergyAdmin(ClinicalFactPermissions, ChartRowAdmin):
    audit_patient_field = "patient"  # the read audit (hms.access)
    clinical_model = "allergy"
    list_display = ["patient", "substance", "severity", "reaction", "noted_on", "is_active"]
    list_filter = ["is_active", "severity"]
    search_fields = ["substance", "reaction", "=patient__mrn", "^patient__last_name"]
    ordering = ["patient__last_name", "patient__first_name", "substance"]
    fields = ["patient", "substance", "reaction", "severity", "noted_on", "is_active"]


@admin.register(MedicalHistoryEntry)
class MedicalHistoryEntryAdmin(ClinicalFactPermissions, ChartRowAdmin):
    audit_patient_field = "patient"  # the read audit (hms.access)
    clinical_model = "medicalhistoryentry"
    list_display = ["patient", "condition", "status", "onset_date"]
    list_filter = ["status"]
    search_fields = ["condition", "=patient__mrn", "^patient__last_name"]
    ordering = ["patient__last_name", "patient__first_name", "-onset_date"]
    fields = ["patient", "condition", "onset_date", "status", "notes"]


# Payers and insurer users ----------------------------------------------------------------------


class InsurerAccountInline(admin.TabularInline):
    """The Insurer-group users who work for this payer: they see and decide only its claims."""

    model = InsurerAccount
    extra = 0
    can_delete = False
    fields = ["user", "created_at"]
    readonly_fields = ["created_at"]
    autocomplete_fields = ["user"]

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Payer)
class PayerAdmin(AuditedAdmin):
    list_display = ["name", "code", "payer_id", "phone", "email", "is_active"]
    list_filter = ["is_active"]
    search_fields = ["name", "code", "payer_id"]
    ordering = ["name"]
    fieldsets = [
        (None, {"fields": ["name", "code", "payer_id", "is_active"]}),
        ("Claims contact", {"fields": ["phone", "email", "address_line1", "city", "state", "postal_code"]}),
    ]
    inlines = [InsurerAccountInline]

    def has_delete_permission(self, request, obj=None):
        return False  # payers are deactivated, never deleted

    def save_model(self, request, obj, form, change):
        data = {name: value for name, value in form.cleaned_data.items() if name in PAYER_FIELDS}
        if change:
            adopt(obj, payer_update(payer=obj, acting_user=request.user, **data))
        else:
            adopt(obj, payer_create(acting_user=request.user, **data))

    def save_formset(self, request, form, formset, change):
        """Insurer links go through insurer_account_assign (Insurer group only; one payer per user)."""
        formset.save(commit=False)
        for account, _changed in formset.changed_objects:
            adopt(account, insurer_account_assign(user=account.user, payer=form.instance, acting_user=request.user))
        for account in formset.new_objects:
            adopt(account, insurer_account_assign(user=account.user, payer=form.instance, acting_user=request.user))


@admin.register(InsurerAccount)
class InsurerAccountAdmin(AuditedAdmin):
    """Which payer each insurer user works for. Moving a user to another payer is a change here."""

    list_display = ["user", "payer", "created_at"]
    list_filter = [("payer", RelatedListFilter)]
    list_select_related = ["user", "payer"]
    search_fields = ["user__username", "user__last_name", "payer__name"]
    autocomplete_fields = ["user", "payer"]
    fields = ["user", "payer", "created_at"]
    readonly_fields = ["created_at"]

    def get_readonly_fields(self, request, obj=None):
        return ["user", "created_at"] if obj else ["created_at"]

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        adopt(obj, insurer_account_assign(user=obj.user, payer=obj.payer, acting_user=request.user))


@admin.register(InsurancePolicy)
class InsurancePolicyAdmin(ChartRowAdmin):
    audit_patient_field = "patient"  # the read audit (hms.access)
    autocomplete_fields = ["patient", "payer"]
    list_display = [
        "patient", "payer", "policy_number", "coverage_percent", "copay", "valid_from", "valid_to",
        "is_primary", "is_active",
    ]
    list_filter = ["is_active", "is_primary", ("payer", RelatedListFilter)]
    list_select_related = ["patient", "payer"]
    search_fields = ["payer__name", "policy_number", "group_number", "=patient__mrn", "^patient__last_name"]
    ordering = ["patient__last_name", "patient__first_name", "-is_primary", "-valid_from"]
    fields = [
        "patient", "payer", "policy_number", "group_number", "coverage_percent", "copay",
        "valid_from", "valid_to", "is_primary", "is_active",
    ]


@admin.register(CareAssignment)
class CareAssignmentAdmin(AuditedAdmin):
    """Explicit care relationships (patients.services.care_assign); ended, never deleted."""

    audit_patient_field = "patient"  # the read audit (hms.access)

    list_display = ["patient", "user", "reason", "started_at", "until"]
    list_select_related = ["patient", "user"]
    search_fields = ["patient__mrn", "user__username", "user__last_name"]
    autocomplete_fields = ["patient", "user"]
    fields = ["patient", "user", "reason", "until", "started_at", "created_by"]
    readonly_fields = ["started_at", "created_by"]
    actions = ["end_now"]

    def get_readonly_fields(self, request, obj=None):
        return self.fields if obj else self.readonly_fields

    def save_model(self, request, obj, form, change):
        if change:
            return
        adopt(obj, care_assign(patient=obj.patient, user=obj.user, reason=obj.reason, until=obj.until,
                               acting_user=request.user))

    @admin.action(description="End the selected assignments now", permissions=["change"])
    def end_now(self, request, queryset):
        self.apply_to_each(
            request, queryset, lambda obj: care_assignment_end(assignment=obj, acting_user=request.user),
            "Ended {count} assignment(s).",
        )


@admin.register(BreakGlassGrant)
class BreakGlassGrantAdmin(AuditedAdmin):
    """Break-glass grants: read here; reviewed on the privacy officer's page (patients:break_glass_reviews)."""

    audit_patient_field = "patient"  # the read audit (hms.access)

    list_display = ["started_at", "user", "patient", "reason", "expires_at", "outcome", "reviewed_by"]
    list_select_related = ["user", "patient", "reviewed_by"]
    list_filter = ["outcome"]
    search_fields = ["patient__mrn", "user__username"]
    readonly_fields = [f.name for f in BreakGlassGrant._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Consent)
class ConsentAdmin(AuditedAdmin):
    """Consents, one per patient and kind, recorded through patients.services.consent_record."""

    audit_patient_field = "patient"  # the read audit (hms.access)

    list_display = ["patient", "kind", "granted", "changed_at", "changed_by"]
    list_select_related = ["patient", "changed_by"]
    list_filter = ["kind", "granted"]
    search_fields = ["patient__mrn"]
    autocomplete_fields = ["patient"]
    fields = ["patient", "kind", "granted", "note", "changed_at", "changed_by"]
    readonly_fields = ["changed_at", "changed_by"]

    def get_readonly_fields(self, request, obj=None):
        return ["patient", "kind", "changed_at", "changed_by"] if obj else self.readonly_fields

    def save_model(self, request, obj, form, change):
        adopt(obj, consent_record(patient=obj.patient, kind=obj.kind, granted=obj.granted, note=obj.note,
                                  acting_user=request.user))
