"""FilterSets for patients and their chart basics, shared by the API and pages.

Rows are scoped to the user by patients.selectors before these filters run, so filtering by
another patient's id simply finds nothing.
"""

import django_filters
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

from hms.filters import FilterSet, StrictSearchFilter
from patients.models import Allergy, InsurancePolicy, MedicalHistoryEntry, Patient, Payer
from patients.selectors import patient_search_condition


class PatientFilterSet(FilterSet):
    registered = django_filters.DateFromToRangeFilter(
        field_name="registered_at",
        help_text="Registered on or after registered_after and on or before registered_before (YYYY-MM-DD).",
    )

    class Meta:
        model = Patient
        fields = ["sex", "state", "preferred_hospital", "is_active", "date_of_birth", "registered"]


class PatientSearchFilter(StrictSearchFilter):
    """``?search=``: each word an exact MRN or the start of a first or last name (the view's
    ``search_fields``), reduced to the ways of matching that find someone
    (patients.selectors.patient_search_condition). The stock OR of the three columns, sorted by
    name, walks the whole name index for a name late in the alphabet."""

    def filter_queryset(self, request, queryset, view):
        terms = self.get_search_terms(request)
        if not terms:
            return queryset
        found = patient_search_condition(user=request.user, query=" ".join(terms))
        if found is None:
            return queryset.none()
        condition, first_last_name = found
        return queryset.filter(condition, last_name__gte=first_last_name)  # where the name order starts


@extend_schema_field(OpenApiTypes.INT)
class PatientIdFilter(django_filters.NumberFilter):
    """A patient id; rows are already scoped, so an id outside the user's reach matches nothing."""


class _ChartRowFilterSet(FilterSet):
    patient = PatientIdFilter(field_name="patient_id", help_text="Only rows of this patient (id).")


class AllergyFilterSet(_ChartRowFilterSet):
    class Meta:
        model = Allergy
        fields = ["patient", "severity", "is_active"]


class MedicalHistoryEntryFilterSet(_ChartRowFilterSet):
    class Meta:
        model = MedicalHistoryEntry
        fields = ["patient", "status"]


class InsurancePolicyFilterSet(_ChartRowFilterSet):
    class Meta:
        model = InsurancePolicy
        fields = ["patient", "is_primary", "is_active"]


class PayerFilterSet(FilterSet):
    class Meta:
        model = Payer
        fields = ["is_active"]
