"""One list of a patient's details (and of a policy's), owned by patients.models: the pages' forms, the API, the
back office and the services take the same fields from it."""

from django.contrib import admin

from patients import services
from patients.api.serializers import InsurancePolicySerializer, PatientSerializer
from patients.forms import InsurancePolicyForm, PatientForm, PatientRegisterForm
from patients.models import INSURANCE_POLICY_FIELDS, PATIENT_FIELDS, Patient


def writable(serializer_class):
    return {name for name, field in serializer_class().fields.items() if not field.read_only}


def test_the_patient_forms_api_admin_and_services_take_the_one_list_of_patient_details():
    assert list(PatientForm.base_fields) == list(PATIENT_FIELDS)
    assert set(PatientRegisterForm.base_fields) == {*PATIENT_FIELDS, "allow_duplicate"}
    assert writable(PatientSerializer) == set(PATIENT_FIELDS)
    assert {*PATIENT_FIELDS, "user"} == services.PATIENT_WRITE_FIELDS
    assert set(PATIENT_FIELDS) <= set(admin.site.get_model_admin(Patient).add_form.base_fields)


def test_the_policy_form_api_and_services_take_the_one_list_of_policy_fields():
    assert list(InsurancePolicyForm.base_fields) == list(INSURANCE_POLICY_FIELDS)
    assert writable(InsurancePolicySerializer) == {"patient", *INSURANCE_POLICY_FIELDS, "is_active"}
    assert {*INSURANCE_POLICY_FIELDS, "is_active"} == services.POLICY_FIELDS
