"""Dates typed on the patient pages (issue 12, bug 8): an allergy cannot be noted on a day still to come."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from patients.models import Allergy
from patients.tests.factories import PatientFactory

pytestmark = pytest.mark.django_db


def test_an_allergy_noted_on_a_future_date_is_refused_on_the_page_and_nothing_is_saved(client, make_user):
    patient = PatientFactory()
    client.force_login(make_user("Nurse"))
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)

    response = client.post(
        reverse("patients:allergy_add", args=[patient.pk]),
        {"substance": "Shellfish", "reaction": "Hives", "severity": "moderate", "noted_on": tomorrow.isoformat()},
    )

    assert response.status_code == 400
    assert "future" in response.content.decode().lower()
    assert not Allergy.objects.filter(patient=patient).exists()


def test_an_allergy_noted_today_is_accepted_and_the_date_picker_stops_at_today(client, make_user):
    patient = PatientFactory()
    client.force_login(make_user("Nurse"))
    today = timezone.localdate()
    url = reverse("patients:allergy_add", args=[patient.pk])

    form_page = client.get(url)
    response = client.post(url, {"substance": "Latex", "reaction": "Rash", "severity": "mild", "noted_on": today})

    assert f'max="{today.isoformat()}"' in form_page.content.decode()
    assert response.status_code == 302
    assert Allergy.objects.get(patient=patient).noted_on == today
