"""The shared API suite (hms.testing.api) declared for the clinical endpoints."""

import pytest

from clinical.models import (
    CriticalResultCall,
    Diagnosis,
    LabOrder,
    LabResult,
    LabTest,
    MedicalRecord,
    Prescription,
    Procedure,
    ProcedureCatalog,
    Vitals,
)
from clinical.tests.factories import (
    CheckedInAppointmentFactory,
    CriticalResultCallFactory,
    CriticalResultFactory,
    DiagnosisFactory,
    LabOrderFactory,
    LabResultFactory,
    LabTestFactory,
    MedicalRecordFactory,
    MedicationFactory,
    PrescriptionFactory,
    ProcedureCatalogFactory,
    ProcedureFactory,
    SignedMedicalRecordFactory,
    VitalsFactory,
)
from hms.roles import ALL_GROUPS, DOCTOR
from hms.testing.api import APISuite, MethodNotAllowed
from patients.tests.factories import PatientFactory

ADDED_NEVER_EDITED = MethodNotAllowed("clinical rows are added, never edited, through the API (actions cancel/remove)")
# Only the visit's doctor writes its record and the rows on it (clinical.policies); the suite's row is another's.
VISIT_DOCTOR_ONLY = {"change": {DOCTOR: "only the visit's doctor writes its record"}}


def _record_of(user):
    """An open record of a checked-in visit whose doctor is ``user`` (when a doctor), else of any doctor."""
    member = getattr(user, "staff_profile", None) if user is not None else None
    if member is not None and member.role == "doctor":
        return MedicalRecordFactory(appointment__doctor=member)
    return MedicalRecordFactory()


def _signed_record_of(patient):
    return SignedMedicalRecordFactory(appointment__patient=patient)


class ClinicalSuite(APISuite):
    patient_factory = PatientFactory


@pytest.mark.usefixtures("without_care_restriction")  # care: tests/test_care_access.py
class TestMedicalRecordAPI(ClinicalSuite):
    url = "/api/v1/medical-records/"
    model = MedicalRecord
    own_rows_only = VISIT_DOCTOR_ONLY

    def make_row(self, user=None):
        return _record_of(user)

    def row_for_patient(self, patient):
        return _signed_record_of(patient)  # a portal patient sees signed records only

    def create_payload(self, user):
        return {"appointment": CheckedInAppointmentFactory(doctor=user.staff_profile).pk}

    def update_payload(self, row, user):
        return {"clinical_notes": "Better since the last visit."}


class RecordChildSuite(ClinicalSuite):
    update = ADDED_NEVER_EDITED

    def row_on(self, record):
        return self.factory(record=record)

    def make_row(self, user=None):
        return self.row_on(_record_of(user))

    def row_for_patient(self, patient):
        return self.row_on(_signed_record_of(patient))


class TestDiagnosisAPI(RecordChildSuite):
    url = "/api/v1/diagnoses/"
    model = Diagnosis
    factory = DiagnosisFactory

    def create_payload(self, user):
        return {"record": _record_of(user).pk, "code": "E11.9"}


class TestProcedureAPI(RecordChildSuite):
    url = "/api/v1/procedures/"
    model = Procedure
    factory = ProcedureFactory

    def create_payload(self, user):
        return {"record": _record_of(user).pk, "catalog_entry": ProcedureCatalogFactory().pk}


class TestPrescriptionAPI(RecordChildSuite):
    url = "/api/v1/prescriptions/"
    model = Prescription
    factory = PrescriptionFactory

    def create_payload(self, user):
        return {
            "record": _record_of(user).pk,
            "medication": MedicationFactory().pk,
            "dose": "500 mg",
            "route": "oral",
            "frequency": "twice daily",
            "duration_days": 30,
            "quantity": 60,
        }


class TestLabOrderAPI(RecordChildSuite):
    url = "/api/v1/lab-orders/"
    model = LabOrder
    factory = LabOrderFactory

    def create_payload(self, user):
        return {"record": _record_of(user).pk, "test": LabTestFactory().pk}


class TestResultsInboxAPI(ClinicalSuite):
    url = "/api/v1/results-inbox/"
    model = LabResult
    create = MethodNotAllowed("results are entered at /lab-orders/{id}/result/")
    update = MethodNotAllowed("a result is acknowledged (action) or corrected at /lab-orders/{id}/correct/")
    # The inbox is a doctor's own: the results of the tests they ordered (clinical.api.views.ResultsInboxViewSet).
    refused_beyond_table = {"view": {role: "not a doctor" for role in ALL_GROUPS if role != DOCTOR}}
    skip = {"other_patient": "a doctor's inbox; patients read their results at /lab-orders/"}

    def make_row(self, user=None):
        member = getattr(user, "staff_profile", None) if user is not None else None
        if member is not None and member.role == "doctor":
            return LabResultFactory(order__record__appointment__doctor=member)
        return LabResultFactory()


class TestCriticalResultCallAPI(ClinicalSuite):
    url = "/api/v1/critical-result-calls/"
    model = CriticalResultCall
    factory = CriticalResultCallFactory
    update = MethodNotAllowed("a call is a record of what was said: added, never edited")

    def create_payload(self, user):
        return {"result": CriticalResultFactory().pk, "called_to": "Dr. Lee (on call)", "read_back_confirmed": True}


class TestVitalsAPI(ClinicalSuite):
    url = "/api/v1/vitals/"
    model = Vitals
    factory = VitalsFactory
    update = ADDED_NEVER_EDITED

    def create_payload(self, user):
        return {"patient": PatientFactory().pk, "systolic_bp": 120, "diastolic_bp": 80, "heart_rate": 70}


class TestICD10API(ClinicalSuite):
    url = "/api/v1/icd10/"
    permissions = {"view": ["clinical.view_diagnosis"]}
    create = MethodNotAllowed("the code list is read from the CMS file")
    update = MethodNotAllowed("the code list is read from the CMS file")
    skip = {
        "other_patient": "the code list, not patient data",
        "queries": "the rows come from the code file, not the database",
    }

    def make_row(self, user=None):
        return None

    def is_listed(self, results, row):
        return bool(results) and all(item["code"] and item["description"] for item in results)


class TestProcedureCatalogAPI(ClinicalSuite):
    url = "/api/v1/procedure-catalog/"
    model = ProcedureCatalog
    factory = ProcedureCatalogFactory

    def create_payload(self, user):
        return {"code": "99499", "description": "Unlisted evaluation service", "price": "80.00"}

    def update_payload(self, row, user):
        return {"price": "130.00"}


class TestLabTestAPI(ClinicalSuite):
    url = "/api/v1/lab-tests/"
    model = LabTest
    factory = LabTestFactory

    def create_payload(self, user):
        return {"code": "LT-HBA1C", "name": "Hemoglobin A1c", "unit": "%", "price": "25.00"}

    def update_payload(self, row, user):
        return {"price": "17.50"}
