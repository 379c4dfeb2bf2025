"""The results inbox, the critical-result banner and unsigned records on the doctor's start page, and the lab's
"To call" queue, as pages (issue 12: the clinical safety loop)."""

import datetime
import re
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from clinical import services
from clinical.models import CriticalResultCall, LabResult
from clinical.tests.factories import (
    CriticalResultCallFactory,
    MedicalRecordFactory,
    SignedMedicalRecordFactory,
    lab_result_for,
)
from conftest import query_count
from staff.tests.factories import DoctorFactory

pytestmark = pytest.mark.django_db

INBOX = reverse("clinical:results_inbox")
WORKLIST = reverse("clinical:lab_worklist")
SCHEDULE = reverse("scheduling:my_schedule")


@pytest.fixture
def doctor():
    return DoctorFactory()


def row_ids(body, prefix="result"):
    return [int(pk) for pk in re.findall(rf'<tr id="{prefix}-(\d+)"', body)]


# --- the inbox --------------------------------------------------------------------------------------------------


def test_the_inbox_page_lists_critical_then_abnormal_then_normal_newest_first(client, doctor):
    normal = lab_result_for(doctor, "85", ago_minutes=1)
    high = lab_result_for(doctor, "150", ago_minutes=20)
    old_critical = lab_result_for(doctor, "450", ago_minutes=60)
    new_critical = lab_result_for(doctor, "30", ago_minutes=40)
    lab_result_for(DoctorFactory(), "450")  # another doctor's
    client.force_login(doctor.user)

    body = client.get(INBOX).content.decode()

    assert row_ids(body) == [new_critical.pk, old_critical.pk, high.pk, normal.pk]
    assert f'<tr id="result-{new_critical.pk}" class="critical">' in body
    assert "To acknowledge (4)" in body


def test_a_doctor_acknowledges_a_result_on_the_inbox_and_it_moves_to_acknowledged(client, doctor):
    result = lab_result_for(doctor, "450")
    client.force_login(doctor.user)

    response = client.post(reverse("clinical:result_acknowledge", args=[result.pk]), {"next": INBOX}, follow=True)

    assert response.status_code == 200
    assert "Acknowledged Glucose, fasting" in response.content.decode()
    assert LabResult.objects.get(pk=result.pk).acknowledged_by == doctor.user
    assert row_ids(response.content.decode()) == []
    assert row_ids(client.get(INBOX, {"show": "acknowledged"}).content.decode()) == [result.pk]


def test_acknowledging_twice_says_already_acknowledged_not_an_error_page(client, doctor):
    result = lab_result_for(doctor, "450")
    client.force_login(doctor.user)
    url = reverse("clinical:result_acknowledge", args=[result.pk])
    client.post(url, {"next": INBOX})

    response = client.post(url, {"next": INBOX}, follow=True)

    assert response.status_code == 200
    assert "already acknowledged" in response.content.decode()


def test_another_doctor_cannot_acknowledge_a_result_they_did_not_order(client, doctor):
    result = lab_result_for(doctor, "450")
    client.force_login(DoctorFactory().user)

    response = client.post(reverse("clinical:result_acknowledge", args=[result.pk]))

    assert response.status_code == 404
    assert LabResult.objects.get(pk=result.pk).acknowledged_at is None


@pytest.mark.parametrize(("role", "status"), [("Nurse", 403), ("Lab Technician", 403), ("Receptionist", 403)])
def test_only_doctors_have_a_results_inbox(client, make_user, role, status):
    client.force_login(make_user(role))

    assert client.get(INBOX).status_code == status


def test_the_inbox_shows_the_labs_call_and_a_corrected_result_again(client, doctor, make_user):
    result = lab_result_for(doctor, "450", ago_minutes=60)
    tech = make_user("Lab Technician")
    services.lab_result_call_record(result=result, called_to="Dr. Lee", read_back_confirmed=True, acting_user=tech)
    services.lab_result_acknowledge(result=result, acting_user=doctor.user)
    services.lab_result_correct(result=result, value=Decimal("150"), reason="Haemolysed sample", acting_user=tech)
    client.force_login(doctor.user)

    body = client.get(INBOX).content.decode()

    assert row_ids(body) == [result.pk]
    assert "Corrected" in body and "Haemolysed sample" in body
    assert "Called to Dr. Lee" in body and "read back" in body


def test_the_inbox_costs_the_same_queries_for_3_or_30_results(client, doctor, make_user):
    client.force_login(doctor.user)
    tech = make_user("Lab Technician")

    def add(count):
        for i in range(count):
            result = lab_result_for(doctor, ["85", "150", "450"][i % 3], ago_minutes=90)
            if i % 3 == 2 and i % 2:
                CriticalResultCallFactory(result=result, called_by=tech)
            if i % 4 == 0:
                services.lab_result_acknowledge(result=result, acting_user=doctor.user)

    add(3)
    small = [query_count(client, INBOX + f"?show={show}") for show in ("new", "all")]
    add(27)

    assert [query_count(client, INBOX + f"?show={show}") for show in ("new", "all")] == small
    assert max(small) <= 8


# --- the doctor's start page ------------------------------------------------------------------------------------


def test_the_start_page_shows_a_red_banner_of_critical_results_until_acknowledged(client, doctor):
    critical = lab_result_for(doctor, "452")
    lab_result_for(doctor, "150")
    client.force_login(doctor.user)

    body = client.get(SCHEDULE).content.decode()
    assert 'id="critical-results"' in body and "1 critical result to acknowledge" in body
    assert f'href="{INBOX}#result-{critical.pk}"' in body
    assert "452 mg/dL" in body
    assert "2 results to acknowledge" in body

    services.lab_result_acknowledge(result=critical, acting_user=doctor.user)

    body = client.get(SCHEDULE).content.decode()
    assert 'id="critical-results"' not in body
    assert "1 result to acknowledge" in body


def test_the_start_page_lists_the_doctors_unsigned_records_oldest_first_with_links_to_their_visits(client, doctor):
    newer = MedicalRecordFactory(appointment__doctor=doctor, opened_at=timezone.now() - datetime.timedelta(hours=2))
    older = MedicalRecordFactory(appointment__doctor=doctor, opened_at=timezone.now() - datetime.timedelta(days=3))
    signed = SignedMedicalRecordFactory(appointment__doctor=doctor)
    client.force_login(doctor.user)

    body = client.get(SCHEDULE).content.decode()

    section = body[body.index('id="my-unsigned-records"') :]
    first = section.index(reverse("clinical:visit", args=[older.appointment_id]))
    second = section.index(reverse("clinical:visit", args=[newer.appointment_id]))
    assert first < second
    assert reverse("clinical:visit", args=[signed.appointment_id]) not in section


def test_an_administrator_viewing_a_doctors_schedule_gets_no_inbox_panels(client, doctor, make_user):
    lab_result_for(doctor, "452")
    client.force_login(make_user("Administrator"))

    body = client.get(SCHEDULE, {"doctor": doctor.pk}).content.decode()

    assert 'id="critical-results"' not in body and 'id="my-results-inbox"' not in body


def test_the_start_page_with_inbox_and_unsigned_records_costs_the_same_queries_for_3_or_30(client, doctor):
    client.force_login(doctor.user)

    def add(count):
        for i in range(count):
            lab_result_for(doctor, ["85", "150", "450"][i % 3])
            MedicalRecordFactory(appointment__doctor=doctor)

    add(3)
    small = query_count(client, SCHEDULE)
    add(27)

    assert query_count(client, SCHEDULE) == small <= 8


def test_the_nav_links_doctors_to_their_results_inbox(client, doctor, make_user):
    client.force_login(doctor.user)
    assert f'href="{INBOX}"' in client.get(SCHEDULE).content.decode()

    client.force_login(make_user("Nurse"))
    assert f'href="{INBOX}"' not in client.get(reverse("patients:search")).content.decode()


# --- the lab: To call -------------------------------------------------------------------------------------------


def test_the_lab_sees_critical_results_to_call_records_the_call_and_the_worklist_shows_it(client, doctor, make_user):
    critical = lab_result_for(doctor, "452", ago_minutes=30)
    called = CriticalResultCallFactory(result=lab_result_for(doctor, "30", ago_minutes=60))
    lab_result_for(doctor, "150")
    tech = make_user("Lab Technician")
    client.force_login(tech)

    body = client.get(WORKLIST, {"status": "to_call"}).content.decode()
    assert row_ids(body) == [critical.pk]
    assert "To call (1)" in body

    page = client.get(reverse("clinical:result_call", args=[critical.pk]))
    assert page.status_code == 200 and "(ordering doctor)" in page.content.decode()
    response = client.post(
        reverse("clinical:result_call", args=[critical.pk]),
        {"called_to": "Dr. Chen", "read_back_confirmed": "on", "notes": "Will see the patient now"},
        follow=True,
    )

    assert response.status_code == 200
    assert "Recorded the call" in response.content.decode()
    call = CriticalResultCall.objects.get(result=critical)
    assert (call.called_to, call.called_by, call.read_back_confirmed) == ("Dr. Chen", tech, True)
    assert row_ids(client.get(WORKLIST, {"status": "to_call"}).content.decode()) == []
    resulted = client.get(WORKLIST, {"status": "resulted"}).content.decode()
    assert "Called to Dr. Chen" in resulted and f"Called to {called.called_to}" in resulted


def test_recording_a_call_twice_says_it_was_already_phoned_through(client, doctor, make_user):
    critical = lab_result_for(doctor, "452")
    client.force_login(make_user("Lab Technician"))
    url = reverse("clinical:result_call", args=[critical.pk])
    client.post(url, {"called_to": "Dr. Chen"})

    response = client.post(url, {"called_to": "Dr. Chen"}, follow=True)

    assert response.status_code == 200
    assert "already phoned through" in response.content.decode()
    assert CriticalResultCall.objects.filter(result=critical).count() == 1


@pytest.mark.parametrize(
    ("data", "field_error"),
    [
        ({"called_to": ""}, "This field is required"),
        ({"called_to": "Dr. Chen", "called_at": "2999-01-01T10:00"}, "future"),
        ({"called_to": "Dr. Chen", "called_at": "9999-12-31T23:59"}, "Enter a date between"),
    ],
)
def test_a_call_without_a_name_or_in_the_future_is_a_form_error_and_nothing_is_saved(
    client, doctor, make_user, data, field_error
):
    critical = lab_result_for(doctor, "452")
    client.force_login(make_user("Lab Technician"))

    response = client.post(reverse("clinical:result_call", args=[critical.pk]), data)

    assert response.status_code == 400
    assert field_error in response.content.decode()
    assert not CriticalResultCall.objects.exists()


@pytest.mark.parametrize("role", ["Doctor", "Nurse", "Receptionist"])
def test_only_the_lab_records_calls_on_the_call_page(client, doctor, make_user, role):
    critical = lab_result_for(doctor, "452")
    client.force_login(make_user(role))

    assert client.post(reverse("clinical:result_call", args=[critical.pk]), {"called_to": "x"}).status_code == 403
    assert not CriticalResultCall.objects.exists()


def test_the_to_call_tab_costs_the_same_queries_for_3_or_30_results(client, doctor, make_user):
    client.force_login(make_user("Lab Technician"))
    url = WORKLIST + "?status=to_call"
    for _ in range(3):
        lab_result_for(doctor, "452")
    small = query_count(client, url)
    for _ in range(27):
        lab_result_for(DoctorFactory(), "452")

    assert query_count(client, url) == small <= 8


# --- the back office --------------------------------------------------------------------------------------------


def test_the_back_office_shows_a_results_acknowledgement_and_call_read_only_with_history(admin_client, doctor):
    call = CriticalResultCallFactory(result=lab_result_for(doctor, "452", ago_minutes=60), called_to="Dr. Chen")
    services.lab_result_acknowledge(result=call.result, acting_user=doctor.user)

    page = admin_client.get(reverse("admin:clinical_labresult_change", args=[call.result_id])).content.decode()
    assert "Results inbox" in page and "Acknowledged at" in page and "Dr. Chen" in page
    assert 'name="_save"' not in page  # read-only

    history = admin_client.get(reverse("admin:clinical_labresult_history", args=[call.result_id]))
    assert history.status_code == 200
    calls = admin_client.get(reverse("admin:clinical_criticalresultcall_changelist")).content.decode()
    assert "Dr. Chen" in calls
    assert admin_client.get(reverse("admin:clinical_criticalresultcall_history", args=[call.pk])).status_code == 200
