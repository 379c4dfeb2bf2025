from django.urls import path

from reports.dashboard import dashboard

urlpatterns = [path("", dashboard, name="dashboard")]
