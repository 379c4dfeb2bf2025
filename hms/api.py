"""The one API router under /api/v1/. Each app adds its viewsets through ``register(router)``."""

from importlib import import_module

from rest_framework.routers import DefaultRouter


class HMSRouter(DefaultRouter):
    include_format_suffixes = False


API_APPS = ["staff", "patients", "scheduling", "clinical", "billing", "inventory"]


def build_router():
    router = HMSRouter()
    for app in API_APPS:
        try:
            module = import_module(f"{app}.api.urls")
        except ModuleNotFoundError as exc:
            if exc.name in (f"{app}.api", f"{app}.api.urls"):
                continue
            raise
        module.register(router)
    return router


router = build_router()
