"""The shared API suite (hms.testing.api) declared for the patients endpoints."""

import pytest

from hms.testing.api import APISuite, MethodNotAllowed
from patients.choices import AllergySeverity, MedicalHistoryStatus, PatientSex
from patients.models import Allergy, InsurancePolicy, MedicalHistoryEntry, Patient, Payer
from patients.tests.factories import (
    AllergyFactory,
    InsurancePolicyFactory,
    MedicalHistoryEntryFactory,
    PatientFactory,
    PayerFactory,
)


class PatientRowSuite(APISuite):
    patient_factory = PatientFactory


class TestPatientAPI(PatientRowSuite):
    url = "/api/v1/patients/"
    model = Patient
    factory = PatientFactory

    def row_for_patient(self, patient):
        return patient

    def create_payload(self, user):
        return {
            "first_name": "Ada",
            "last_name": "Suite",
            "date_of_birth": "1980-04-02",
            "sex": PatientSex.FEMALE,
            "phone": "(617) 555-0142",
            "address_line1": "1 Main St",
            "city": "Boston",
            "state": "MA",
            "postal_code": "02115",
        }

    def update_payload(self, row, user):
        return {"phone": "(617) 555-0143"}


@pytest.mark.usefixtures("without_care_restriction")  # care: tests/test_care_access.py
class TestAllergyAPI(PatientRowSuite):
    url = "/api/v1/allergies/"
    model = Allergy
    factory = AllergyFactory

    def create_payload(self, user):
        return {
            "patient": PatientFactory().pk,
            "substance": "Penicillin",
            "reaction": "Hives",
            "severity": AllergySeverity.MODERATE,
        }

    def update_payload(self, row, user):
        return {"reaction": "Anaphylaxis"}


@pytest.mark.usefixtures("without_care_restriction")  # care: tests/test_care_access.py
class TestMedicalHistoryEntryAPI(PatientRowSuite):
    url = "/api/v1/medical-history/"
    model = MedicalHistoryEntry
    factory = MedicalHistoryEntryFactory

    def create_payload(self, user):
        return {"patient": PatientFactory().pk, "condition": "Asthma", "onset_date": "2015-06-01"}

    def update_payload(self, row, user):
        return {"status": MedicalHistoryStatus.RESOLVED}


class TestInsurancePolicyAPI(PatientRowSuite):
    url = "/api/v1/insurance-policies/"
    model = InsurancePolicy
    factory = InsurancePolicyFactory

    def create_payload(self, user):
        return {
            "patient": PatientFactory().pk,
            "payer": PayerFactory().pk,
            "policy_number": "POL-SUITE-1",
            "coverage_percent": "80.00",
            "copay": "25.00",
            "valid_from": "2024-01-01",
            "is_primary": True,
        }

    def update_payload(self, row, user):
        return {"group_number": "GRP-200"}


class TestPayerAPI(PatientRowSuite):
    url = "/api/v1/payers/"
    model = Payer
    factory = PayerFactory
    create = MethodNotAllowed("payers are kept in the admin; the API only reads them")
    update = MethodNotAllowed("payers are kept in the admin; the API only reads them")
    skip = {"other_patient": "payers are reference data, not a patient's"}
