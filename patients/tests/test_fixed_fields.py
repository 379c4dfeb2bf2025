"""A chart row belongs to one patient for good: patients.services refuses a move, so the API and admin alike."""

import pytest
from django.core.exceptions import ValidationError

from patients import services
from patients.tests.factories import AllergyFactory, InsurancePolicyFactory, MedicalHistoryEntryFactory, PatientFactory

# The role table for every doctor and nurse; minimum necessary (care relationships) is tests/test_care_access.py.
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("without_care_restriction")]


def test_the_service_refuses_to_move_an_allergy_to_another_patient(make_user):
    allergy = AllergyFactory()
    home = allergy.patient_id

    with pytest.raises(ValidationError) as refused:
        services.allergy_update(allergy=allergy, acting_user=make_user("Doctor"), patient=PatientFactory())

    assert refused.value.message_dict == {"patient": ["This entry belongs to another patient and cannot be moved."]}
    allergy.refresh_from_db()
    assert allergy.patient_id == home


def test_naming_the_same_patient_changes_the_rest(make_user):
    allergy = AllergyFactory(reaction="Rash")

    services.allergy_update(allergy=allergy, acting_user=make_user("Doctor"), patient=allergy.patient, reaction="Hives")

    allergy.refresh_from_db()
    assert allergy.reaction == "Hives"


def test_the_service_refuses_to_move_an_insurance_policy(make_user):
    policy = InsurancePolicyFactory()

    with pytest.raises(ValidationError, match="cannot be moved"):
        services.insurance_policy_update(policy=policy, acting_user=make_user("Receptionist"), patient=PatientFactory())


def test_the_api_answers_a_move_with_a_field_error(api_as):
    allergy = AllergyFactory()
    elsewhere = PatientFactory()

    response = api_as("Doctor").patch(f"/api/v1/allergies/{allergy.pk}/", {"patient": elsewhere.pk})

    assert response.status_code == 400
    assert response.json() == {"patient": ["This entry belongs to another patient and cannot be moved."]}
    allergy.refresh_from_db()
    assert allergy.patient_id != elsewhere.pk


def test_the_service_refuses_to_move_a_medical_history_entry_like_an_allergy(make_user):
    entry = MedicalHistoryEntryFactory(notes="")
    home = entry.patient_id

    with pytest.raises(ValidationError) as refused:
        services.medical_history_update(
            entry=entry, acting_user=make_user("Doctor"), patient=PatientFactory(), notes="moved"
        )

    assert refused.value.message_dict == {"patient": ["This entry belongs to another patient and cannot be moved."]}
    entry.refresh_from_db()
    assert (entry.patient_id, entry.notes) == (home, "")
