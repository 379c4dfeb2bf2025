from django.urls import path

from scheduling.api import views


def register(router):
    router.register("appointments", views.AppointmentViewSet, basename="appointments")
    router.register("availability", views.AvailabilityViewSet, basename="availability")
    router.register("time-off", views.TimeOffViewSet, basename="time-off")
    router.register("rooms", views.RoomViewSet, basename="rooms")
    # The URL and route names are those equipment had under inventory (clients keep working).
    router.register("inventory/equipment", views.EquipmentViewSet, basename="inventory-equipment")


# Not a router route: include these under /api/v1/ (hms/urls.py).
urlpatterns = [
    path("doctors/<int:pk>/slots/", views.DoctorSlotsView.as_view(), name="doctor-slots"),
]
