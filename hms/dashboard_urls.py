from django.urls import path

from hms.dashboard import dashboard

urlpatterns = [path("", dashboard, name="dashboard")]
