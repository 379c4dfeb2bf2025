from django.apps import AppConfig


class ClinicalConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "clinical"

    def ready(self):
        from clinical.selectors import doctor_start_page_work
        from clinical.services import record_ready_for_completion
        from scheduling.hooks import register_completion_check
        from scheduling.start_page import register_doctor_panel

        # A visit is completed only with an open medical record holding a diagnosis.
        register_completion_check(record_ready_for_completion)

        def clinical_work(*, doctor, user):
            return {"work": doctor_start_page_work(doctor=doctor)}

        register_doctor_panel(name="clinical", template="clinical/_doctor_start_panel.html", context=clinical_work)
