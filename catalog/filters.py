"""FilterSets for the item master, shared by the API and pages."""

import django_filters
from django.db.models import Q

from catalog.choices import ItemKind
from catalog.models import Item
from hms.filters import FilterSet


class ItemFilterSet(FilterSet):
    kind = django_filters.ChoiceFilter(choices=ItemKind.choices)
    is_active = django_filters.BooleanFilter()
    category = django_filters.CharFilter(lookup_expr="icontains")
    q = django_filters.CharFilter(method="search", label="Code or name contains")

    class Meta:
        model = Item
        fields = ["kind", "is_active", "category", "q"]

    def search(self, queryset, name, value):
        return queryset.filter(Q(code__icontains=value) | Q(name__icontains=value))
