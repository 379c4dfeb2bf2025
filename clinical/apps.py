from django.apps import AppConfig


class ClinicalConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "clinical"

    def ready(self):
        from clinical.selectors import doctor_start_page_work
        from scheduling.start_page import register_doctor_panel

        def clinical_work(*, doctor, user):
            return {"work": doctor_start_page_work(doctor=doctor)}

        register_doctor_panel(name="clinical", template="clinical/_doctor_start_panel.html", context=clinical_work)
