"""Allergies and medical history are clinical facts: clinicians write them; administrators and superusers
only see them, in the service, the API and the back office alike (patients/policies.py)."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from patients.models import Allergy, MedicalHistoryEntry
from patients.services import allergy_add, allergy_update, medical_history_add, medical_history_update
from patients.tests.factories import AllergyFactory, MedicalHistoryEntryFactory, PatientFactory
from staff.tests.factories import UserFactory

pytestmark = pytest.mark.django_db

ALLERGY = {"substance": "Penicillin", "reaction": "Hives", "severity": "severe", "noted_on": datetime.date(2020, 1, 2)}
HISTORY = {"condition": "Asthma", "status": "chronic"}


@pytest.fixture
def superuser():
    return UserFactory(username="root", is_staff=True, is_superuser=True)


@pytest.mark.parametrize("role", ["Doctor", "Nurse"])
def test_clinicians_record_and_change_allergies_and_history(make_user, role):
    user, patient = make_user(role), PatientFactory()

    allergy = allergy_add(patient=patient, acting_user=user, **ALLERGY)
    allergy_update(allergy=allergy, acting_user=user, severity="moderate")
    entry = medical_history_add(patient=patient, acting_user=user, **HISTORY)
    medical_history_update(entry=entry, acting_user=user, status="resolved")

    allergy.refresh_from_db()
    entry.refresh_from_db()
    assert (allergy.severity, entry.status) == ("moderate", "resolved")
    assert allergy.history.earliest().history_user == user


@pytest.mark.parametrize("who", ["superuser", "Administrator", "Receptionist", "Billing Clerk"])
def test_nobody_else_writes_them_in_the_service_superusers_included(make_user, superuser, who):
    user = superuser if who == "superuser" else make_user(who)
    patient = PatientFactory()
    allergy = AllergyFactory(patient=patient, severity="severe")
    entry = MedicalHistoryEntryFactory(patient=patient)

    for call in (
        lambda: allergy_add(patient=patient, acting_user=user, **ALLERGY),
        lambda: allergy_update(allergy=allergy, acting_user=user, severity="mild", is_active=False),
        lambda: medical_history_add(patient=patient, acting_user=user, **HISTORY),
        lambda: medical_history_update(entry=entry, acting_user=user, status="resolved"),
    ):
        with pytest.raises(PermissionDenied):
            call()

    allergy.refresh_from_db()
    assert (allergy.severity, allergy.is_active) == ("severe", True)
    assert Allergy.objects.count() == 1 and MedicalHistoryEntry.objects.count() == 1


def test_a_superuser_cannot_downgrade_a_severe_allergy_through_the_api(superuser, api_as):
    allergy = AllergyFactory(severity="severe")
    client = api_as(superuser)

    response = client.patch(f"/api/v1/allergies/{allergy.pk}/", {"severity": "mild"}, format="json")
    created = client.post(
        "/api/v1/medical-history/", {"patient": allergy.patient_id, **HISTORY}, format="json"
    )

    assert response.status_code == 403, response.content
    assert created.status_code == 403, created.content
    allergy.refresh_from_db()
    assert allergy.severity == "severe"
    assert not MedicalHistoryEntry.objects.exists()


def test_a_superuser_cannot_change_an_allergy_in_the_back_office(client, superuser):
    allergy = AllergyFactory(severity="severe", reaction="Anaphylaxis")
    client.force_login(superuser)
    url = reverse("admin:patients_allergy_change", args=[allergy.pk])

    client.post(
        url,
        {
            "patient": allergy.patient_id,
            "substance": allergy.substance,
            "reaction": "Rash",
            "severity": "mild",
            "noted_on": "2020-01-02",
            "is_active": "",
        },
    )

    allergy.refresh_from_db()
    assert (allergy.severity, allergy.reaction, allergy.is_active) == ("severe", "Anaphylaxis", True)
