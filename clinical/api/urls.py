from django.urls import path

from clinical.api import views


def register(router):
    router.register("medical-records", views.MedicalRecordViewSet, basename="medical-records")
    router.register("diagnoses", views.DiagnosisViewSet, basename="diagnoses")
    router.register("procedures", views.ProcedureViewSet, basename="procedures")
    router.register("prescriptions", views.PrescriptionViewSet, basename="prescriptions")
    router.register("lab-orders", views.LabOrderViewSet, basename="lab-orders")
    router.register("results-inbox", views.ResultsInboxViewSet, basename="results-inbox")
    router.register("critical-result-calls", views.CriticalResultCallViewSet, basename="critical-result-calls")
    router.register("vitals", views.VitalsViewSet, basename="vitals")
    router.register("icd10", views.ICD10ViewSet, basename="icd10")
    router.register("procedure-catalog", views.ProcedureCatalogViewSet, basename="procedure-catalog")
    router.register("lab-tests", views.LabTestViewSet, basename="lab-tests")


# Not a router route: include these under /api/v1/ (hms/urls.py).
urlpatterns = [
    path("patients/<int:pk>/history/", views.PatientHistoryView.as_view(), name="patient-history"),
]
