"""The doctor's visit page (issue 12): unique input ids, ICD-10 search in place, work kept."""

import collections
from html.parser import HTMLParser

import pytest
from django.urls import reverse
from django.utils import timezone

from clinical.tests.factories import CheckedInAppointmentFactory, MedicalRecordFactory
from scheduling.choices import AppointmentStatus

pytestmark = pytest.mark.django_db


class _Ids(HTMLParser):
    def __init__(self):
        super().__init__()
        self.ids = collections.Counter()
        self.label_targets = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if attrs.get("id"):
            self.ids[attrs["id"]] += 1
        if tag == "label" and attrs.get("for"):
            self.label_targets.append(attrs["for"])


@pytest.fixture
def visit():
    appointment = CheckedInAppointmentFactory(status=AppointmentStatus.IN_PROGRESS, started_at=timezone.now())
    MedicalRecordFactory(appointment=appointment)
    return appointment


def test_no_two_elements_of_the_visit_page_share_an_id_and_every_label_points_at_one(client, visit):
    client.force_login(visit.doctor.user)

    response = client.get(reverse("clinical:visit", args=[visit.pk]), {"icd": "J06"})

    parser = _Ids()
    parser.feed(response.content.decode())
    assert "id_procedure_quantity" in parser.ids and "id_prescription_quantity" in parser.ids
    assert [name for name, count in parser.ids.items() if count > 1] == []
    assert [target for target in parser.label_targets if target not in parser.ids] == []
