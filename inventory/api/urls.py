from django.urls import path

from inventory.api import views


def register(router):
    router.register("inventory/stores", views.StoreViewSet, basename="inventory-stores")
    router.register("inventory/batches", views.BatchViewSet, basename="inventory-batches")
    router.register("inventory/movements", views.StockMovementViewSet, basename="inventory-movements")
    router.register("inventory/alerts", views.AlertViewSet, basename="inventory-alerts")


# Not router routes: mounted under /api/v1/ before the router (hms/api.py).
urlpatterns = [
    path("prescriptions/<int:pk>/dispense/", views.PrescriptionDispenseView.as_view(), name="prescription-dispense"),
]
