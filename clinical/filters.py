"""FilterSets for clinical rows, shared by the API and pages. Rows are scoped by clinical.selectors first."""

import django_filters
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

from clinical.choices import LabResultFlag
from clinical.models import (
    FLAG_PRIORITY,
    CriticalResultCall,
    Diagnosis,
    LabOrder,
    LabResult,
    LabTest,
    MedicalRecord,
    Prescription,
    Procedure,
    ProcedureCatalog,
    Vitals,
)
from hms.filters import FilterSet


@extend_schema_field(OpenApiTypes.INT)
class IdFilter(django_filters.NumberFilter):
    """An id; rows are already scoped, so an id outside the user's reach matches nothing."""


def _patient(path):
    return IdFilter(field_name=f"{path}patient_id", help_text="Only rows of this patient (id).")


def _doctor(path):
    return IdFilter(field_name=f"{path}doctor_id", help_text="Only rows of this doctor (staff member id).")


def _dates(field):
    return django_filters.DateFromToRangeFilter(
        field_name=field, lookup_expr="date", help_text="date_after / date_before (YYYY-MM-DD), inclusive."
    )


class MedicalRecordFilterSet(FilterSet):
    patient = _patient("")
    doctor = _doctor("")
    appointment = IdFilter(field_name="appointment_id")
    date = _dates("opened_at")
    signed = django_filters.BooleanFilter(field_name="signed_at", lookup_expr="isnull", exclude=True)
    code = django_filters.CharFilter(
        method="filter_code",
        help_text="Has a (not removed) diagnosis code starting so.",
    )

    class Meta:
        model = MedicalRecord
        fields = ["patient", "doctor", "appointment", "date", "signed", "outcome", "code"]

    def filter_code(self, queryset, name, value):
        # Across the relation the default manager does not apply: removed diagnoses are left out here.
        active = Diagnosis.objects.filter(code__istartswith=value).values("record_id")
        return queryset.filter(pk__in=active)


class DiagnosisFilterSet(FilterSet):
    patient = _patient("record__")
    doctor = _doctor("record__")
    record = IdFilter(field_name="record_id")
    date = _dates("added_at")
    code = django_filters.CharFilter(lookup_expr="istartswith", help_text="ICD-10-CM code or its start, e.g. E11.")

    class Meta:
        model = Diagnosis
        fields = ["patient", "doctor", "record", "date", "code", "is_primary"]


class ProcedureFilterSet(FilterSet):
    patient = _patient("record__")
    doctor = _doctor("record__")
    record = IdFilter(field_name="record_id")
    date = _dates("added_at")
    code = django_filters.CharFilter(lookup_expr="iexact")

    class Meta:
        model = Procedure
        fields = ["patient", "doctor", "record", "date", "code"]


class PrescriptionFilterSet(FilterSet):
    patient = _patient("record__")
    doctor = _doctor("record__")
    record = IdFilter(field_name="record_id")
    date = _dates("prescribed_at")
    code = django_filters.CharFilter(field_name="medication__code", lookup_expr="iexact", help_text="Item code.")

    class Meta:
        model = Prescription
        fields = ["patient", "doctor", "record", "date", "status", "code", "medication"]


class LabOrderFilterSet(FilterSet):
    patient = _patient("record__")
    doctor = _doctor("record__")
    record = IdFilter(field_name="record_id")
    date = _dates("ordered_at")
    code = django_filters.CharFilter(field_name="test__code", lookup_expr="iexact", help_text="Lab test code.")
    flag = django_filters.CharFilter(field_name="result__flag")

    class Meta:
        model = LabOrder
        fields = ["patient", "doctor", "record", "date", "status", "code", "test", "flag"]


class VitalsFilterSet(FilterSet):
    patient = _patient("")
    appointment = IdFilter(field_name="appointment_id")
    date = _dates("recorded_at")

    class Meta:
        model = Vitals
        fields = ["patient", "appointment", "date"]


class ProcedureCatalogFilterSet(FilterSet):
    class Meta:
        model = ProcedureCatalog
        fields = ["is_active", "code"]


class LabTestFilterSet(FilterSet):
    class Meta:
        model = LabTest
        fields = ["is_active", "code"]


class ResultsInboxFilterSet(FilterSet):
    """The results inbox (a doctor's own results): by flag and by whether they were acknowledged."""

    flag = django_filters.ChoiceFilter(
        choices=LabResultFlag.choices, method="filter_flag", help_text="Only results with this flag."
    )
    acknowledged = django_filters.BooleanFilter(
        help_text="true: only acknowledged results; false: only those still to acknowledge.",
    )

    class Meta:
        model = LabResult
        fields = ["flag", "acknowledged"]

    def filter_flag(self, queryset, name, value):
        # The flag's urgency too, so the inbox index (doctor, acknowledged, flag_priority, ...) bounds the read.
        return queryset.filter(flag_priority=FLAG_PRIORITY[value], flag=value) if value else queryset


class CriticalResultCallFilterSet(FilterSet):
    result = IdFilter(field_name="result_id")
    date = _dates("called_at")

    class Meta:
        model = CriticalResultCall
        fields = ["result", "date", "read_back_confirmed"]
