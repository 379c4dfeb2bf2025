"""Consents per patient (patients.Consent): recorded on the patient page, in the API and the admin through
patients.services.consent_record, with history; checked where they apply (no reminder email without consent)."""


import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from patients import services
from patients.choices import ConsentKind
from patients.models import Consent
from patients.selectors import has_consent
from patients.tests.factories import PatientFactory

pytestmark = pytest.mark.django_db


def test_the_desk_records_and_withdraws_a_consent_on_the_patient_page_with_history(client, make_user):
    patient = PatientFactory()
    reception = make_user("Receptionist")
    client.force_login(reception)
    url = reverse("patients:consent", args=[patient.pk])

    page = client.get(patient.get_absolute_url()).content.decode()
    assert 'id="consents"' in page and "Not given" in page
    client.post(url, {"kind": ConsentKind.SMS_REMINDERS, "granted": "1"})
    assert has_consent(patient.pk, ConsentKind.SMS_REMINDERS)
    client.post(url, {"kind": ConsentKind.SMS_REMINDERS, "granted": "0"})

    consent = Consent.objects.get(patient=patient, kind=ConsentKind.SMS_REMINDERS)
    assert consent.granted is False and consent.changed_by == reception
    assert [h.granted for h in consent.history.order_by("history_date")] == [True, False]
    assert not has_consent(patient.pk, ConsentKind.SMS_REMINDERS)


def test_an_unknown_kind_is_refused_and_nothing_is_recorded(client, make_user):
    patient = PatientFactory()
    client.force_login(make_user("Receptionist"))
    client.post(reverse("patients:consent", args=[patient.pk]), {"kind": "marketing", "granted": "1"})
    assert not Consent.objects.exists()


def test_the_api_lists_and_records_consents(api_as):
    patient = PatientFactory()
    desk = api_as("Receptionist")
    url = f"/api/v1/patients/{patient.pk}/consents/"
    assert desk.get(url).data == []
    response = desk.post(url, {"kind": ConsentKind.RESEARCH, "granted": True}, format="json")
    assert response.status_code == 200, response.data
    assert [(row["kind"], row["granted"]) for row in desk.get(url).data] == [(ConsentKind.RESEARCH, True)]
    assert desk.post(url, {"kind": "bogus", "granted": True}, format="json").status_code == 400


def test_roles_without_the_permission_may_not_record_consents(api_as):
    patient = PatientFactory()
    url = f"/api/v1/patients/{patient.pk}/consents/"
    assert api_as("Nurse").get(url).status_code == 200  # clinicians read them
    assert api_as("Nurse").post(url, {"kind": ConsentKind.RESEARCH, "granted": True}).status_code == 403
    assert api_as("Billing Clerk").get(url).status_code == 403


def test_a_patient_records_their_own_consent_but_not_anothers(make_user):
    portal = make_user("Patient")
    own, other = PatientFactory(user=portal), PatientFactory()
    services.consent_record(patient=own, kind=ConsentKind.EMAIL_REMINDERS, granted=True, acting_user=portal)
    with pytest.raises(PermissionDenied):
        services.consent_record(patient=other, kind=ConsentKind.EMAIL_REMINDERS, granted=True, acting_user=portal)
