from django.apps import AppConfig


class BillingConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "billing"

    def ready(self):
        from billing import rollups, signals  # noqa: F401  (signals connects the receivers)
        from hms.rollups import register

        register("billing", rebuild=rollups.rebuild, differences=rollups.differences)
