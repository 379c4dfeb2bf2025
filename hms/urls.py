from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from hms import views
from hms.api import api_urlpatterns

admin.site.site_header = "HMS back office"
admin.site.site_title = "HMS back office"
admin.site.index_title = "Hospital administration"

urlpatterns = [
    path("", views.home, name="home"),
    path("", include("accounts.urls")),  # login, logout, password reset
    path("admin/", admin.site.urls),
    path("api/v1/auth/", include("accounts.api.urls")),  # token login, the user's tokens
    path("api/v1/reports/", include("reports.api_urls")),
    path("api/v1/", include(api_urlpatterns)),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    # The split view serves its start-up script as a file (?script), so the page needs no inline script (CSP).
    path(
        "api/docs/",
        SpectacularSwaggerSplitView.as_view(url_name="api-schema", template_name="hms/swagger_ui.html"),
        name="api-docs",
    ),
    path("patients/", include("patients.urls")),
    path("portal/", include("patients.portal_urls")),
    path("staff/", include("staff.urls")),
    path("scheduling/", include("scheduling.urls")),
    path("billing/", include("billing.urls")),
    path("inventory/", include("inventory.urls")),
    path("clinical/", include("clinical.urls")),
    path("dashboard/", include("reports.urls")),
    path("privacy/", include("hms.privacy")),  # the privacy officer: access log, failed logins
]

handler404 = "hms.views.not_found"
handler500 = "hms.views.server_error"
handler403 = "hms.views.forbidden"
