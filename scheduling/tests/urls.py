"""The project's URLs plus the free-slot route, for tests that run before hms/urls.py includes it."""

from django.urls import include, path

from hms.urls import urlpatterns as project_urlpatterns

urlpatterns = [path("api/v1/", include("scheduling.api.urls")), *project_urlpatterns]
