from django.apps import AppConfig


def _mrns_for(ids):
    from patients.models import Patient

    return dict(Patient.objects.filter(pk__in=ids).values_list("pk", "mrn"))


class PatientsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "patients"

    def ready(self):
        from hms import access

        # The read audit names each patient by id and MRN; hms asks here for the MRNs it was not handed.
        access.PATIENT_DIRECTORY["mrns_for"] = _mrns_for
