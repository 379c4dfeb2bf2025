"""The results inbox and the calls of critical results in the API (issue 12: the clinical safety loop)."""


import pytest

from clinical import services
from clinical.models import CriticalResultCall, LabResult
from clinical.tests.factories import CriticalResultCallFactory, lab_result_for
from conftest import query_count
from staff.tests.factories import DoctorFactory

# Clinicians here have no care relationship with the factories' patients: minimum necessary is tested in
# tests/test_care_access.py.
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("without_care_restriction")]

INBOX = "/api/v1/results-inbox/"
CALLS = "/api/v1/critical-result-calls/"


@pytest.fixture
def doctor():
    return DoctorFactory()


def ids(response):
    assert response.status_code == 200, response.data
    return [row["id"] for row in response.data["results"]]


def test_the_inbox_lists_the_doctors_results_critical_first_then_abnormal_then_normal(api_as, doctor):
    normal = lab_result_for(doctor, "85", ago_minutes=1)
    high = lab_result_for(doctor, "150", ago_minutes=5)
    critical = lab_result_for(doctor, "450", ago_minutes=50)
    lab_result_for(DoctorFactory(), "450")

    response = api_as(doctor.user).get(INBOX)

    assert ids(response) == [critical.pk, high.pk, normal.pk]
    row = response.data["results"][0]
    assert (row["flag"], row["value"], row["acknowledged"], row["call"]) == ("critical", "450.000", False, None)
    assert row["patient_mrn"] == critical.order.record.patient.mrn and row["test_name"] == "Glucose, fasting"
    assert "count" not in response.data  # a growing list, paged by cursor


def test_the_inbox_filters_by_flag_and_acknowledged(api_as, doctor):
    seen, unseen_critical, unseen_high = (lab_result_for(doctor, value) for value in ("30", "450", "150"))
    services.lab_result_acknowledge(result=seen, acting_user=doctor.user)
    client = api_as(doctor.user)

    assert ids(client.get(INBOX, {"acknowledged": "false"})) == [unseen_critical.pk, unseen_high.pk]
    assert ids(client.get(INBOX, {"acknowledged": "true"})) == [seen.pk]
    assert set(ids(client.get(INBOX, {"flag": "critical"}))) == {seen.pk, unseen_critical.pk}
    assert ids(client.get(INBOX, {"flag": "high", "acknowledged": "false"})) == [unseen_high.pk]
    assert client.get(INBOX, {"flag": "purple"}).status_code == 400


def test_the_inbox_pages_by_cursor_in_its_order(api_as, doctor):
    made = [lab_result_for(doctor, ["85", "150", "450"][i % 3], ago_minutes=i) for i in range(7)]
    client = api_as(doctor.user)

    first = client.get(INBOX, {"page_size": 4})
    second = client.get(first.data["next"])

    expected = [r.pk for r in sorted(made, key=lambda r: (-r.flag_priority, -r.resulted_at.timestamp(), -r.pk))]
    assert ids(first) + ids(second) == expected


@pytest.mark.parametrize("role", ["Nurse", "Administrator", "Patient"])
def test_someone_who_is_not_a_doctor_is_refused_the_inbox(api_as, role):
    assert api_as(role).get(INBOX).status_code == 403


def test_the_ordering_doctor_acknowledges_through_the_api_and_a_repeat_is_a_409(api_as, doctor):
    result = lab_result_for(doctor, "450")
    client = api_as(doctor.user)

    response = client.post(f"{INBOX}{result.pk}/acknowledge/")

    assert response.status_code == 200
    assert response.data["acknowledged"] is True and response.data["acknowledged_by"] == doctor.user.pk
    again = client.post(f"{INBOX}{result.pk}/acknowledge/")
    assert again.status_code == 409 and again.data["code"] == "already_acknowledged"
    assert "already acknowledged" in again.data["detail"]


def test_another_doctors_result_is_not_found_in_my_inbox(api_as, doctor):
    result = lab_result_for(doctor, "450")

    response = api_as(DoctorFactory().user).post(f"{INBOX}{result.pk}/acknowledge/")

    assert response.status_code == 404
    assert LabResult.objects.get(pk=result.pk).acknowledged_at is None


def test_the_lab_records_a_call_through_the_api_and_it_shows_in_the_doctors_inbox(api_as, doctor, make_user):
    result = lab_result_for(doctor, "450", ago_minutes=30)
    lab = api_as("Lab Technician")
    assert [row["id"] for row in lab.get(f"{CALLS}to-call/").data["results"]] == [result.pk]

    response = lab.post(CALLS, {"result": result.pk, "called_to": "Dr. Chen", "read_back_confirmed": True})

    assert response.status_code == 201, response.data
    assert response.data["called_to"] == "Dr. Chen" and response.data["value"] == "450.000"
    assert lab.get(f"{CALLS}to-call/").data["results"] == []
    row = api_as(doctor.user).get(INBOX).data["results"][0]
    assert row["call"]["called_to"] == "Dr. Chen" and row["call"]["read_back_confirmed"] is True


@pytest.mark.parametrize(
    ("body", "status"),
    [
        ({"called_to": ""}, 400),
        ({"called_to": "Dr. Chen", "called_at": "2999-01-01T10:00:00Z"}, 400),
        ({"called_to": "Dr. Chen", "called_at": "9999-12-31T23:59:00Z"}, 400),
    ],
)
def test_a_call_without_a_name_or_in_the_future_is_a_400(api_as, doctor, body, status):
    result = lab_result_for(doctor, "450")

    response = api_as("Lab Technician").post(CALLS, {"result": result.pk, **body})

    assert response.status_code == status, response.data
    assert not CriticalResultCall.objects.exists()


def test_calling_a_normal_result_or_one_already_called_is_a_409(api_as, doctor):
    normal = lab_result_for(doctor, "85")
    called = CriticalResultCallFactory(result=lab_result_for(doctor, "450"))
    lab = api_as("Lab Technician")

    first = lab.post(CALLS, {"result": normal.pk, "called_to": "Dr. Chen"})
    second = lab.post(CALLS, {"result": called.result_id, "called_to": "Dr. Chen"})

    assert (first.status_code, first.data["code"]) == (409, "not_critical")
    assert (second.status_code, second.data["code"]) == (409, "already_called")


@pytest.mark.parametrize("role", ["Doctor", "Nurse", "Receptionist"])
def test_only_the_lab_records_calls_through_the_api(api_as, doctor, role):
    result = lab_result_for(doctor, "450")

    response = api_as(role).post(CALLS, {"result": result.pk, "called_to": "Dr. Chen"})

    assert response.status_code == 403
    assert not CriticalResultCall.objects.exists()


def test_the_inbox_and_the_calls_cost_the_same_queries_for_3_or_30_rows(api_as, doctor, make_user):
    doctor_client, lab = api_as(doctor.user), api_as("Lab Technician")
    tech = make_user("Lab Technician")

    def add(count):
        for i in range(count):
            result = lab_result_for(doctor, ["85", "450", "450"][i % 3])
            if i % 3 == 1:
                CriticalResultCallFactory(result=result, called_by=tech)

    urls = [
        (doctor_client, INBOX),
        (doctor_client, INBOX + "?acknowledged=false"),
        (lab, CALLS),
        (lab, f"{CALLS}to-call/"),
    ]
    add(3)
    small = [query_count(client, url) for client, url in urls]
    add(27)

    assert [query_count(client, url) for client, url in urls] == small
    assert max(small) <= 8
