from django.urls import path

from hms.api_reports import ReportDetailView, ReportListView

urlpatterns = [
    path("", ReportListView.as_view(), name="api-report-list"),
    path("<str:name>/", ReportDetailView.as_view(), name="api-report-detail"),
]
