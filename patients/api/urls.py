from patients.api import views


def register(router):
    router.register("patients", views.PatientViewSet, basename="patients")
    router.register("allergies", views.AllergyViewSet, basename="allergies")
    router.register("medical-history", views.MedicalHistoryEntryViewSet, basename="medical-history")
    router.register("insurance-policies", views.InsurancePolicyViewSet, basename="insurance-policies")
    router.register("payers", views.PayerViewSet, basename="payers")
