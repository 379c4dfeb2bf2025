from django.apps import AppConfig


class SchedulingConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "scheduling"

    def ready(self):
        from hms.rollups import register
        from scheduling import rollups

        register("appointments", rebuild=rollups.rebuild, differences=rollups.differences)
