from django.apps import AppConfig


class SchedulingConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "scheduling"

    def ready(self):
        from hms.rollups import register
        from patients.care import register_care_provider
        from scheduling import care, rollups

        register("appointments", rebuild=rollups.rebuild, differences=rollups.differences)
        register_care_provider(
            "appointments", reason=care.appointment_reason, patient_ids=care.appointment_patient_ids
        )
