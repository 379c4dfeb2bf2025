from catalog.api import views


def register(router):
    # The URL and route names are those the items had under inventory (clients keep working).
    router.register("inventory/items", views.ItemViewSet, basename="inventory-items")
