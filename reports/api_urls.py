from django.urls import path

from reports.api import ReportDetailView, ReportListView

urlpatterns = [
    path("", ReportListView.as_view(), name="api-report-list"),
    path("<str:name>/", ReportDetailView.as_view(), name="api-report-detail"),
]
