from django.apps import AppConfig


def _mrns_for(ids):
    from patients.models import Patient

    return dict(Patient.objects.filter(pk__in=ids).values_list("pk", "mrn"))


class PatientsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "patients"

    def ready(self):
        from hms import access
        from patients.policies import logged_access_reason

        # The read audit names each patient by id and MRN; hms asks here for the MRNs it was not handed.
        access.PATIENT_DIRECTORY["mrns_for"] = _mrns_for
        # ... and why a chart was read: the care relationship or break-glass reason the chart check found.
        if logged_access_reason not in access.REASON_HOOKS:
            access.REASON_HOOKS.append(logged_access_reason)
