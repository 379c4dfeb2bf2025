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


def _match_codes(html):
    import re

    table = html.split('id="icd-matches"', 1)[1].split("</table>", 1)[0]
    return re.findall(r'<td class="mrn">([^<]+)</td>', table)


def test_without_javascript_the_search_shows_the_best_matches_how_many_matched_and_a_link_to_more(client, visit):
    client.force_login(visit.doctor.user)
    url = reverse("clinical:visit", args=[visit.pk])

    first = client.get(url, {"icd": "hypertension"}).content.decode()
    more = client.get(url, {"icd": "hypertension", "icd_limit": 40}).content.decode()

    assert _match_codes(first)[0] == "I10" and len(_match_codes(first)) == 20
    assert "80 billable codes match “hypertension”; the best 20 are shown." in first
    assert "icd=hypertension&amp;icd_limit=40" in first
    assert len(_match_codes(more)) == 40 and "icd_limit=60" in more


def test_the_search_fragment_holds_only_the_matches_with_add_buttons_for_the_visits_doctor(client, visit):
    client.force_login(visit.doctor.user)

    response = client.get(reverse("clinical:visit_icd10", args=[visit.pk]), {"icd": "afib"})

    html = response.content.decode()
    assert response.status_code == 200 and "<html" not in html
    assert _match_codes(html)[0] == "I48.91" and "6 billable codes match" in html
    assert html.count('name="code"') == 6


def test_the_search_fragment_is_refused_to_whoever_may_not_see_the_visit(client, make_user, visit):
    client.force_login(make_user("Receptionist"))

    assert client.get(reverse("clinical:visit_icd10", args=[visit.pk]), {"icd": "afib"}).status_code == 403


def test_another_doctor_sees_matches_but_no_add_buttons(client, visit):
    from staff.tests.factories import DoctorFactory

    client.force_login(DoctorFactory().user)

    html = client.get(reverse("clinical:visit_icd10", args=[visit.pk]), {"icd": "afib"}).content.decode()

    assert _match_codes(html) and 'name="code"' not in html
