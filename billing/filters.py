"""FilterSets for billing rows, shared by the API and pages. Rows are scoped by billing.selectors first."""

import django_filters
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

from billing.choices import BillLineKind, BillStatus, ClaimStatus
from billing.models import Bill, Claim, PriceListEntry
from hms.filters import FilterSet


@extend_schema_field(OpenApiTypes.INT)
class IdFilter(django_filters.NumberFilter):
    """An id; rows are already scoped, so an id outside the user's reach matches nothing."""


class BillFilterSet(FilterSet):
    patient = IdFilter(field_name="patient_id", help_text="Only bills of this patient (id).")
    hospital = IdFilter(field_name="hospital_id", help_text="Only bills of this hospital (id).")
    status = django_filters.MultipleChoiceFilter(choices=BillStatus.choices, help_text="One or more statuses.")
    date = django_filters.DateFromToRangeFilter(
        field_name="service_date", help_text="Service date: date_after / date_before (YYYY-MM-DD), inclusive."
    )
    outstanding = django_filters.BooleanFilter(
        method="filter_outstanding", help_text="true: issued bills with a balance left; false: the others."
    )
    number = django_filters.CharFilter(field_name="number", lookup_expr="istartswith")

    class Meta:
        model = Bill
        fields = ["patient", "hospital", "status", "date", "outstanding", "number"]

    def filter_outstanding(self, queryset, name, value):
        if value is None:
            return queryset
        outstanding = Bill.objects.outstanding().values("pk")
        return queryset.filter(pk__in=outstanding) if value else queryset.exclude(pk__in=outstanding)


class ClaimFilterSet(FilterSet):
    status = django_filters.MultipleChoiceFilter(choices=ClaimStatus.choices)
    bill = IdFilter(field_name="bill_id")
    patient = IdFilter(field_name="bill__patient_id")
    hospital = IdFilter(field_name="bill__hospital_id")
    payer = django_filters.CharFilter(field_name="policy__payer__name", lookup_expr="icontains")

    class Meta:
        model = Claim
        fields = ["status", "bill", "patient", "hospital", "payer"]


class PriceListEntryFilterSet(FilterSet):
    hospital = IdFilter(field_name="hospital_id")
    kind = django_filters.ChoiceFilter(choices=BillLineKind.choices)
    code = django_filters.CharFilter(field_name="code", lookup_expr="istartswith")
    active = django_filters.BooleanFilter()

    class Meta:
        model = PriceListEntry
        fields = ["hospital", "kind", "code", "active"]
