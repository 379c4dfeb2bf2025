from django.urls import path

from patients import views

app_name = "portal"
urlpatterns = [
    path("", views.portal_profile_view, name="profile"),
    path("access/", views.portal_access_history_view, name="access_history"),
]
