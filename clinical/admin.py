"""Back office for clinical data. Records and what hangs off them are read-only here (with their full
history): they change only through clinical.services, which keep the signing and ownership rules.
Catalogs (procedures, lab tests) are edited here; nothing clinical is deleted."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from clinical.models import (
    CriticalResultCall,
    Diagnosis,
    LabOrder,
    LabResult,
    LabTest,
    MedicalRecord,
    Prescription,
    Procedure,
    ProcedureCatalog,
    RecordAmendment,
    Vitals,
)
from clinical.services import catalog_save
from hms.admin import DateRangeFilter, ReadOnlyInline, ReadOnlyRecordAdmin, RelatedListFilter


class DiagnosisInline(ReadOnlyInline):
    """Every diagnosis of the record, removed ones included (with when and why)."""

    model = Diagnosis
    fields = ["code", "description", "is_primary", "added_at", "removed_at", "removal_reason"]
    readonly_fields = fields

    def get_queryset(self, request):
        return Diagnosis.all_objects.select_related("record")


class RecordAmendmentInline(ReadOnlyInline):
    model = RecordAmendment
    fields = ["amended_at", "author", "reason", "changes_shown"]
    readonly_fields = fields

    @admin.display(description="changes (original → now)")
    def changes_shown(self, obj):
        return amendment_changes_text(obj)


def amendment_changes_text(amendment):
    return "; ".join(
        f"{change['label']}: original “{change['original']}” → “{change['after']}”" for change in amendment.change_list
    )


class ProcedureInline(ReadOnlyInline):
    model = Procedure
    fields = ["code", "description", "quantity", "unit_price"]
    readonly_fields = fields


class PrescriptionInline(ReadOnlyInline):
    model = Prescription
    fields = ["medication", "dose", "frequency", "duration_days", "status"]
    readonly_fields = fields


class LabOrderInline(ReadOnlyInline):
    model = LabOrder
    fields = ["test", "status", "ordered_at", "resulted_at"]
    readonly_fields = fields


@admin.register(MedicalRecord)
class MedicalRecordAdmin(ReadOnlyRecordAdmin):
    audit_patient_field = "patient"  # the read audit (hms.access)
    list_display = ["patient", "doctor", "opened_at", "outcome", "signed_at", "amended_at"]
    list_filter = [("opened_at", DateRangeFilter), "outcome", ("signed_at", admin.EmptyFieldListFilter)]
    list_select_related = ["patient", "doctor__user"]
    search_fields = ["=patient__mrn", "^patient__last_name"]
    inlines = [RecordAmendmentInline, DiagnosisInline, ProcedureInline, PrescriptionInline, LabOrderInline]


@admin.register(Diagnosis)
class DiagnosisAdmin(ReadOnlyRecordAdmin):
    """Every diagnosis, removed ones included (filter "removed"): removed ones are kept, with their history."""

    audit_patient_field = "record__patient"  # the read audit (hms.access)

    list_display = ["code", "description", "is_primary", "record", "added_at", "removed_at"]
    list_filter = ["is_primary", ("removed_at", admin.EmptyFieldListFilter)]
    list_select_related = ["record__patient"]
    search_fields = ["code", "description", "record__patient__mrn"]
    fields = ["record", "code", "description", "is_primary", "added_by", "added_at", "removed_at", "removed_by",
              "removal_reason"]  # fmt: skip
    readonly_fields = fields

    def get_queryset(self, request):
        qs = Diagnosis.all_objects.all()
        ordering = self.get_ordering(request)
        return qs.order_by(*ordering) if ordering else qs


@admin.register(RecordAmendment)
class RecordAmendmentAdmin(ReadOnlyRecordAdmin):
    """Amendments of signed records: read-only, with history; written only by clinical.services.record_amend."""

    audit_patient_field = "record__patient"  # the read audit (hms.access)

    list_display = ["amended_at", "record", "author", "reason"]
    list_filter = [("amended_at", DateRangeFilter)]
    list_select_related = ["record__patient", "author"]
    search_fields = ["=record__patient__mrn"]
    fields = ["record", "author", "amended_at", "reason", "changes_shown"]
    readonly_fields = fields

    @admin.display(description="changes (original → now)")
    def changes_shown(self, obj):
        return amendment_changes_text(obj)


@admin.register(Procedure)
class ProcedureAdmin(ReadOnlyRecordAdmin):
    audit_patient_field = "record__patient"  # the read audit (hms.access)
    list_display = ["code", "description", "quantity", "unit_price", "record", "added_at"]
    list_select_related = ["record__patient"]
    search_fields = ["code", "description", "record__patient__mrn"]


@admin.register(Prescription)
class PrescriptionAdmin(ReadOnlyRecordAdmin):
    audit_patient_field = "record__patient"  # the read audit (hms.access)
    list_display = ["medication", "dose", "frequency", "duration_days", "status", "record", "prescribed_at"]
    list_filter = ["status", "route"]
    list_select_related = ["medication", "record__patient"]
    search_fields = ["medication__name", "record__patient__mrn"]


@admin.register(LabOrder)
class LabOrderAdmin(ReadOnlyRecordAdmin):
    audit_patient_field = "record__patient"  # the read audit (hms.access)
    list_display = ["test", "status", "record", "ordered_at", "collected_at", "resulted_at"]
    list_filter = ["status", ("test", RelatedListFilter)]
    list_select_related = ["test", "record__patient"]
    search_fields = ["=test__code", "=record__patient__mrn"]


class CriticalResultCallInline(ReadOnlyInline):
    model = CriticalResultCall
    fields = ["called_at", "called_to", "called_by", "read_back_confirmed", "value", "notes"]
    readonly_fields = fields


@admin.register(LabResult)
class LabResultAdmin(ReadOnlyRecordAdmin):
    """Read-only: results are entered and corrected (with a reason) on the lab pages and the API, acknowledged by
    the ordering doctor in their results inbox, and critical ones phoned through by the lab; every earlier
    version (acknowledgements included) is in the history."""

    audit_patient_field = "patient"  # the read audit (hms.access)

    list_display = ["order", "value", "unit", "flag", "resulted_at", "corrected", "doctor", "acknowledged_at"]
    list_filter = [
        "flag",
        ("corrected_at", admin.EmptyFieldListFilter),
        ("acknowledged_at", admin.EmptyFieldListFilter),
    ]
    list_select_related = ["order__test", "doctor__user"]
    search_fields = ["=order__test__code", "=order__record__patient__mrn"]
    fieldsets = [
        (None, {"fields": ["order", "value", "unit", "flag", "comment", "resulted_by", "resulted_at"]}),
        (
            "Correction",
            {"fields": ["corrected_at", "corrected_by", "correction_reason", "previous_value", "previous_flag"]},
        ),
        ("Results inbox", {"fields": ["doctor", "acknowledged_at", "acknowledged_by", "last_call"]}),
    ]
    readonly_fields = [field for _, options in fieldsets for field in options["fields"]]
    inlines = [CriticalResultCallInline]

    @admin.display(boolean=True, description="corrected", ordering="corrected_at")
    def corrected(self, obj):
        return obj.is_corrected


@admin.register(CriticalResultCall)
class CriticalResultCallAdmin(ReadOnlyRecordAdmin):
    """Read-only: the lab records calls of critical results on the lab worklist and the API."""

    audit_patient_field = "result__patient"  # the read audit (hms.access)

    list_display = ["result", "called_to", "called_at", "called_by", "read_back_confirmed"]
    list_filter = [("called_at", DateRangeFilter), "read_back_confirmed"]
    list_select_related = ["result__order__test", "called_by"]
    search_fields = ["=result__order__record__patient__mrn"]
    fields = ["result", "value", "called_to", "called_at", "called_by", "read_back_confirmed", "notes"]
    readonly_fields = fields


@admin.register(Vitals)
class VitalsAdmin(ReadOnlyRecordAdmin):
    audit_patient_field = "patient"  # the read audit (hms.access)
    list_display = ["patient", "recorded_at", "blood_pressure", "heart_rate", "temperature_c", "spo2", "bmi"]
    list_filter = [("recorded_at", DateRangeFilter)]
    list_select_related = ["patient"]
    search_fields = ["=patient__mrn", "^patient__last_name"]


class CatalogAdmin(SimpleHistoryAdmin):
    """Catalog entries are saved through clinical.services.catalog_save and deactivated, never deleted."""

    def save_model(self, request, obj, form, change):
        catalog_save(instance=obj, acting_user=request.user)

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ProcedureCatalog)
class ProcedureCatalogAdmin(CatalogAdmin):
    list_display = ["code", "description", "price", "is_active"]
    list_filter = ["is_active"]
    search_fields = ["code", "description"]


@admin.register(LabTest)
class LabTestAdmin(CatalogAdmin):
    list_display = [
        "code",
        "name",
        "unit",
        "physical_min",
        "reference_low",
        "reference_high",
        "critical_low",
        "critical_high",
        "physical_max",
        "price",
    ]
    list_filter = ["is_active"]
    search_fields = ["code", "name"]
