"""FilterSets for inventory lists, shared by the API and the pharmacist pages."""

import django_filters
from django.utils import timezone

from hms.filters import FilterSet
from inventory.choices import StockMovementKind, StoreKind
from inventory.models import Batch, StockMovement, Store


class StoreFilterSet(FilterSet):
    hospital = django_filters.NumberFilter(field_name="hospital_id")
    kind = django_filters.ChoiceFilter(choices=StoreKind.choices)
    is_active = django_filters.BooleanFilter()

    class Meta:
        model = Store
        fields = ["hospital", "kind", "is_active"]


class BatchFilterSet(FilterSet):
    item = django_filters.NumberFilter(field_name="item_id")
    store = django_filters.NumberFilter(field_name="store_id")
    hospital = django_filters.NumberFilter(field_name="store__hospital_id")
    lot_number = django_filters.CharFilter(lookup_expr="iexact")
    expires_before = django_filters.DateFilter(
        field_name="expiry_date", lookup_expr="lte", label="Expires on or before"
    )
    expired = django_filters.BooleanFilter(method="filter_expired")
    in_stock = django_filters.BooleanFilter(method="filter_in_stock")

    class Meta:
        model = Batch
        fields = ["item", "store", "hospital", "lot_number", "expires_before", "expired", "in_stock"]

    def filter_expired(self, queryset, name, value):
        today = timezone.localdate()
        return queryset.filter(expiry_date__lt=today) if value else queryset.filter(expiry_date__gte=today)

    def filter_in_stock(self, queryset, name, value):
        return queryset.filter(quantity_on_hand__gt=0) if value else queryset.filter(quantity_on_hand=0)


class StockMovementFilterSet(FilterSet):
    kind = django_filters.ChoiceFilter(choices=StockMovementKind.choices)
    batch = django_filters.NumberFilter(field_name="batch_id")
    item = django_filters.NumberFilter(field_name="batch__item_id")
    store = django_filters.NumberFilter(field_name="batch__store_id")
    prescription = django_filters.NumberFilter(field_name="prescription_id")
    created = django_filters.DateFromToRangeFilter(field_name="created_at", lookup_expr="date")

    class Meta:
        model = StockMovement
        fields = ["kind", "batch", "item", "store", "prescription", "created"]

