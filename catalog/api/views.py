"""Item master API (under /api/v1/inventory/items/, where it has always been). Saved through
catalog.services with the requesting user as ``acting_user``; items are deactivated, never deleted."""

from catalog import selectors, services
from catalog.api.serializers import ItemSerializer
from catalog.filters import ItemFilterSet
from hms.viewsets import ReferenceDataViewSet


class ItemViewSet(ReferenceDataViewSet):
    """The catalog: medications, supplies, equipment. Deactivate (`is_active: false`) instead of deleting."""

    queryset = selectors.item_list()
    serializer_class = ItemSerializer
    filterset_class = ItemFilterSet
    search_fields = ["code", "name", "category"]
    ordering_fields = ["name", "code"]
    save_service = staticmethod(services.item_save)
