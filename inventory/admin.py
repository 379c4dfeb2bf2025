"""Back office for inventory. Saves go through inventory.services; batches change only by stock movements
(receive, transfer, adjust, write off, dispense), and the ledger is read only. Nothing is deleted."""

from django.contrib import admin

from catalog.admin import ItemAdmin
from catalog.models import Item
from hms.admin import (
    DateRangeFilter,
    ReadOnlyRecordAdmin,
    RelatedListFilter,
    ServiceSavedAdmin,
)
from inventory import services
from inventory.models import Batch, StockLevelRule, StockMovement, Store


class BatchInline(admin.TabularInline):
    """Batches of an item, read only: stock changes through receipts, transfers and adjustments."""

    model = Batch
    fields = ["store", "lot_number", "expiry_date", "quantity_on_hand", "unit_cost", "supplier"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = True
    ordering = ["expiry_date", "id"]

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("store__hospital")


# An item's page (catalog's admin) also lists its batches here, in stock.
admin.site.unregister(Item)


@admin.register(Item)
class StockedItemAdmin(ItemAdmin):
    inlines = [*ItemAdmin.inlines, BatchInline]


@admin.register(Store)
class StoreAdmin(ServiceSavedAdmin):
    list_display = ["name", "code", "hospital", "kind", "is_active"]
    list_filter = ["kind", "is_active", "hospital"]
    list_select_related = ["hospital"]
    search_fields = ["name", "code"]
    save_service = staticmethod(services.store_save)


@admin.register(StockLevelRule)
class StockLevelRuleAdmin(ServiceSavedAdmin):
    list_display = ["item", "store", "reorder_level", "reorder_quantity"]
    list_filter = ["store__hospital", ("store", RelatedListFilter)]
    list_select_related = ["item", "store__hospital"]
    search_fields = ["item__code", "item__name"]
    autocomplete_fields = ["item"]
    save_service = staticmethod(services.stock_rule_save)


@admin.register(Batch)
class BatchAdmin(ReadOnlyRecordAdmin):
    """Read only: a batch is created by receiving stock (API or pharmacy pages) and changes only by movements."""

    list_display = ["item", "lot_number", "store", "expiry_date", "quantity_on_hand", "supplier"]
    list_filter = [("expiry_date", DateRangeFilter), "store__hospital", ("store", RelatedListFilter), "item__kind"]
    list_select_related = ["item", "store__hospital"]
    search_fields = ["=lot_number", "=item__code", "^item__name"]


@admin.register(StockMovement)
class StockMovementAdmin(ReadOnlyRecordAdmin):
    """The stock ledger: append-only, so read only here."""

    audit_patient_field = "prescription__patient"  # the read audit (hms.access)

    list_display = ["created_at", "kind", "quantity", "batch", "prescription_id", "created_by", "note"]
    list_filter = [("created_at", DateRangeFilter), "kind", ("batch__store", RelatedListFilter)]
    list_select_related = ["batch__item", "batch__store", "created_by"]
    search_fields = ["=batch__lot_number", "=batch__item__code", "^batch__item__name"]
