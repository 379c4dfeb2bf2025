"""Back office for the item master. Saves go through catalog.services; items are deactivated, never deleted.
(inventory/admin.py adds an item's batches to its page.)"""

from django.contrib import admin

from catalog import services
from catalog.models import Item
from hms.admin import ServiceSavedAdmin


@admin.register(Item)
class ItemAdmin(ServiceSavedAdmin):
    list_display = ["code", "name", "strength", "form", "kind", "category", "unit_price", "is_active"]
    list_filter = ["kind", "is_active", "category"]
    search_fields = ["code", "name", "category"]
    save_service = staticmethod(services.item_save)
