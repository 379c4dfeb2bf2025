from django.urls import path

from inventory import views

app_name = "inventory"
urlpatterns = [
    path("", views.dashboard_view, name="dashboard"),
    path("queue/", views.queue_view, name="queue"),
    path("prescriptions/<int:pk>/dispense/", views.dispense_view, name="dispense"),
    path("stock/", views.stock_view, name="stock"),
    path("stock/receive/", views.receive_view, name="receive"),
    path("stock/write-off/", views.write_off_view, name="write_off"),
    path("batches/<int:pk>/", views.batch_view, name="batch"),
    path("batches/<int:pk>/adjust/", views.adjust_view, name="adjust"),
    path("batches/<int:pk>/transfer/", views.transfer_view, name="transfer"),
]
