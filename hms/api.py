"""The one API router under /api/v1/.

Each app's ``<app>/api/urls.py`` adds its viewsets through ``register(router)`` and may list
non-router routes (``doctors/<pk>/slots/``) in ``urlpatterns``; both are mounted at /api/v1/.
"""

from importlib import import_module

from rest_framework.routers import DefaultRouter


class HMSRouter(DefaultRouter):
    include_format_suffixes = False


API_APPS = ["staff", "patients", "catalog", "scheduling", "clinical", "billing", "inventory"]


def _api_modules():
    for app in API_APPS:
        try:
            yield import_module(f"{app}.api.urls")
        except ModuleNotFoundError as exc:
            if exc.name not in (f"{app}.api", f"{app}.api.urls"):
                raise


def build_urlpatterns():
    router = HMSRouter()
    extra = []
    for module in _api_modules():
        module.register(router)
        extra.extend(getattr(module, "urlpatterns", []))
    return router, extra + router.urls


router, api_urlpatterns = build_urlpatterns()
