from django.urls import path

from staff import views

app_name = "staff"
urlpatterns = [
    path("roster/", views.roster, name="roster"),
    path("shifts/<int:pk>/cancel/", views.shift_cancel_view, name="shift-cancel"),
]
