"""The one API router under /api/v1/.

Each installed app's ``<app>/api/urls.py`` adds its viewsets through ``register(router)`` and may list
non-router routes (``doctors/<pk>/slots/``) in ``urlpatterns``; both are mounted at /api/v1/. The modules are
discovered the way the admin discovers ``admin.py`` (in INSTALLED_APPS order), so the base names no app.
"""

from importlib import import_module

from django.apps import apps
from django.utils.module_loading import module_has_submodule
from rest_framework.routers import DefaultRouter


class HMSRouter(DefaultRouter):
    include_format_suffixes = False


def api_modules():
    """Every installed app's ``api.urls`` module that adds viewsets (has ``register``), in INSTALLED_APPS order.

    A module without ``register`` is a plain URLconf its app includes itself (accounts' token login)."""
    modules = []
    for app_config in apps.get_app_configs():
        if not module_has_submodule(app_config.module, "api"):
            continue
        package = import_module(f"{app_config.name}.api")
        if hasattr(package, "__path__") and module_has_submodule(package, "urls"):
            module = import_module(f"{app_config.name}.api.urls")
            if hasattr(module, "register"):
                modules.append(module)
    return modules


def build_urlpatterns():
    from hms import access_api

    router = HMSRouter()
    extra = []
    access_api.register(router)  # hms's own: the access log and security events
    for module in api_modules():
        module.register(router)
        extra.extend(getattr(module, "urlpatterns", []))
    return router, extra + router.urls


router, api_urlpatterns = build_urlpatterns()
