"""Lists that grow page by keyset (``?cursor=``): every row exactly once across ties, both ways,
no count, cursor garbage is a 400, and ``cursor_for_row`` jumps anywhere."""

import base64
import datetime
import json
from decimal import Decimal

import pytest
from django.utils import timezone

from clinical.models import LabResult, MedicalRecord
from clinical.selectors import patient_history, patient_history_page
from clinical.tests.factories import (
    DiagnosisFactory,
    LabResultFactory,
    MedicalRecordFactory,
    PrescriptionFactory,
    SignedMedicalRecordFactory,
    VitalsFactory,
)
from hms.pagination import cursor_for_row
from patients.tests.factories import MedicalHistoryEntryFactory, PatientFactory
from scheduling.api.views import AppointmentViewSet
from scheduling.models import Appointment
from scheduling.tests.factories import AppointmentFactory
from staff.tests.factories import DoctorFactory

pytestmark = pytest.mark.django_db

NINE = datetime.datetime(2030, 3, 4, 9, 0, tzinfo=datetime.UTC)


def _walk(client, url, key="next"):
    """Every page from ``url`` following ``key`` links: the ids of each page."""
    pages = []
    while url:
        response = client.get(url)
        assert response.status_code == 200, response.data
        pages.append([row["id"] for row in response.data["results"]])
        url = response.data[key]
    return pages


@pytest.fixture
def thirty_at_nine():
    """30 appointments of 30 doctors, all at 09:00 (hundreds tie on start in a real chain)."""
    return [AppointmentFactory(doctor=DoctorFactory(), start=NINE).pk for _ in range(30)]


def test_thirty_rows_with_the_same_start_paged_by_7_come_once_each_both_ways(api_as, thirty_at_nine):
    client = api_as("Receptionist")

    forward = _walk(client, "/api/v1/appointments/?page_size=7")
    last_page = client.get("/api/v1/appointments/?page_size=7")
    while last_page.data["next"]:
        last_page = client.get(last_page.data["next"])
    backward = _walk(client, last_page.data["previous"], key="previous")

    assert [len(page) for page in forward] == [7, 7, 7, 7, 2]
    assert sum(forward, []) == sorted(thirty_at_nine)
    assert [len(page) for page in backward] == [7, 7, 7, 7]
    assert sum(reversed(backward), []) + forward[-1] == sorted(thirty_at_nine)


def test_ordering_by_minus_start_walks_the_whole_key_reversed(api_as, thirty_at_nine):
    earlier = AppointmentFactory(start=NINE - datetime.timedelta(hours=1)).pk
    client = api_as("Receptionist")

    pages = _walk(client, "/api/v1/appointments/?page_size=7&ordering=-start")

    assert sum(pages, []) == sorted(thirty_at_nine, reverse=True) + [earlier]


@pytest.mark.parametrize("ordering", ["status", "start,status", "-start,id"])
def test_an_ordering_that_does_not_walk_the_index_is_a_400(api_as, ordering):
    response = api_as("Receptionist").get("/api/v1/appointments/", {"ordering": ordering})

    assert response.status_code == 400
    assert "ordering" in response.json()


def _token(payload):
    return base64.urlsafe_b64encode(json.dumps(payload).encode()).decode()


@pytest.mark.parametrize(
    "cursor",
    [
        "garbage",
        "%%%",
        "eyJ",
        _token([1, 2]),
        _token({"o": ["-start", "-id"], "p": ["2030-01-01T09:00:00+00:00", 1]}),  # another ordering's
        _token({"o": ["start", "id"], "p": ["not a time", 1], "r": 0}),
        _token({"o": ["start", "id"], "p": ["2030-01-01T09:00:00", 1]}),  # naive
        _token({"o": ["start", "id"], "p": ["2030-01-01T09:00:00+00:00", "x"]}),
        _token({"o": ["start", "id"], "p": ["2030-01-01T09:00:00+00:00", 10**30]}),
        _token({"o": ["start", "id"], "p": [None, 1]}),
        _token({"o": ["start", "id"], "p": [{"a": 1}, 1]}),
        _token({"o": ["start", "id"], "p": ["9999-12-31T23:59:59+00:00", 1], "r": 7}),
    ],
)
def test_a_cursor_that_cannot_be_read_is_a_400_with_a_message(api_as, cursor):
    response = api_as("Receptionist").get("/api/v1/appointments/", {"cursor": cursor})

    assert response.status_code == 400
    assert "first page" in response.json()["cursor"][0]


def test_the_answer_has_no_count_and_page_size_stays_strict(api_as):
    AppointmentFactory.create_batch(3)
    client = api_as("Receptionist")

    body = client.get("/api/v1/appointments/", {"page_size": 1000}).json()

    assert set(body) == {"next", "previous", "results"} and len(body["results"]) == 3
    assert client.get("/api/v1/appointments/", {"page_size": 0}).status_code == 400
    assert client.get("/api/v1/appointments/", {"page_size": "ten"}).status_code == 400


def test_cursor_for_row_jumps_to_the_page_after_any_row(api_as, thirty_at_nine):
    row = Appointment.objects.get(pk=sorted(thirty_at_nine)[19])
    cursor = cursor_for_row(AppointmentViewSet, {"start": row.start, "id": row.pk})
    client = api_as("Receptionist")

    page = client.get("/api/v1/appointments/", {"cursor": cursor, "page_size": 5}).data
    back = client.get(page["previous"]).data

    assert [r["id"] for r in page["results"]] == sorted(thirty_at_nine)[20:25]
    assert [r["id"] for r in back["results"]] == sorted(thirty_at_nine)[15:20]
    assert cursor_for_row(Appointment, {"start": row.start, "id": row.pk}) == cursor


def test_a_cursor_past_the_end_answers_an_empty_page_with_a_way_back(api_as, thirty_at_nine):
    cursor = cursor_for_row(AppointmentViewSet, {"start": NINE, "id": max(thirty_at_nine)})
    client = api_as("Receptionist")

    page = client.get("/api/v1/appointments/", {"cursor": cursor, "page_size": 7}).data

    assert page["results"] == [] and page["next"] is None
    # The way back reads the rows before the cursor's row (that row was on the page the cursor came from).
    assert [r["id"] for r in client.get(page["previous"]).data["results"]] == sorted(thirty_at_nine)[-8:-1]


@pytest.mark.parametrize(
    "endpoint", ["patients", "medical-records", "vitals", "bills", "claims", "inventory/movements", "allergies"]
)
def test_every_growing_list_pages_by_cursor(api_as, endpoint):
    response = api_as("Administrator").get(f"/api/v1/{endpoint}/")

    assert response.status_code == 200, response.data
    assert set(response.data) == {"next", "previous", "results"}


def test_patients_with_the_same_name_page_once_each(api_as):
    ids = [PatientFactory(last_name="Nguyen", first_name="An").pk for _ in range(12)]
    client = api_as("Receptionist")

    pages = _walk(client, "/api/v1/patients/?page_size=5&search=Nguyen")

    assert sorted(sum(pages, [])) == sorted(ids) and len(sum(pages, [])) == 12


def test_reference_lists_keep_numbered_pages(api_as):
    body = api_as("Administrator").get("/api/v1/hospitals/", {"page": 1}).json()

    assert "count" in body


# --- the patient's timeline, paged in SQL ----------------------------------------------------------


def test_the_timeline_pages_every_event_once_both_ways_across_equal_times(api_as, without_care_restriction):
    patient = PatientFactory()
    for _ in range(10):
        record = SignedMedicalRecordFactory(appointment__patient=patient, patient=patient)
        VitalsFactory(patient=patient, appointment=record.appointment, recorded_at=NINE)
    MedicalRecord.objects.filter(patient=patient).update(opened_at=NINE)
    client = api_as("Nurse")
    url = f"/api/v1/patients/{patient.pk}/history/?page_size=7"

    def events(page):
        return [(row["kind"], row["id"]) for row in page]

    whole = events(client.get(f"/api/v1/patients/{patient.pk}/history/?page_size=200").data["results"])
    forward, response = [], client.get(url)
    while True:
        forward += events(response.data["results"])
        if not response.data["next"]:
            break
        response = client.get(response.data["next"])
    backward = []
    while response.data["previous"]:
        response = client.get(response.data["previous"])
        backward = events(response.data["results"]) + backward

    assert len(whole) == len(set(whole)) == 20
    assert forward == whole
    assert backward == whole[: len(backward)] and len(backward) == 14


def test_the_timeline_keeps_drafts_from_a_portal_patient(api_as, make_user):
    user = make_user("Patient")
    patient = PatientFactory(user=user)
    SignedMedicalRecordFactory(appointment__patient=patient, patient=patient)
    MedicalRecordFactory(appointment__patient=patient, patient=patient)  # a draft

    page = api_as(user).get(f"/api/v1/patients/{patient.pk}/history/", {"kind": "visit"}).data

    assert [row["detail"]["signed"] for row in page["results"]] == [True]


def test_a_nullable_key_pages_every_row_once_both_ways(api_as, without_care_restriction):
    patient = PatientFactory()
    onsets = [None, datetime.date(2020, 1, 1), None, datetime.date(2021, 5, 1), datetime.date(2020, 1, 1), None]
    ids = [MedicalHistoryEntryFactory(patient=patient, onset_date=day, condition="Asthma").pk for day in onsets]
    client = api_as("Doctor")

    forward = _walk(client, f"/api/v1/medical-history/?patient={patient.pk}&page_size=2")
    last = client.get(f"/api/v1/medical-history/?patient={patient.pk}&page_size=2")
    while last.data["next"]:
        last = client.get(last.data["next"])
    backward = _walk(client, last.data["previous"], key="previous")
    rows = sum(forward, [])
    dates = dict(zip(ids, onsets, strict=True))

    assert sorted(rows) == sorted(ids)
    # Newest onset first, entries without an onset last (MariaDB sorts NULL last descending).
    assert [dates[pk] for pk in rows] == sorted(onsets, key=lambda d: (d is None, -(d.toordinal() if d else 0)))
    assert sum(reversed(backward), []) + forward[-1] == rows


def test_the_timeline_page_read_in_sql_says_what_the_whole_timeline_says(make_user, without_care_restriction):
    patient = PatientFactory()
    record = SignedMedicalRecordFactory(appointment__patient=patient, patient=patient, outcome="Improved")
    DiagnosisFactory(record=record, is_primary=False)
    PrescriptionFactory(record=record)
    result = LabResultFactory(order__record=record, value=Decimal("5.125"))
    corrector = make_user("Lab Technician", first_name="Lee", last_name="Park")
    LabResult.objects.filter(pk=result.pk).update(
        previous_value=Decimal("7.500"), previous_flag="high", corrected_at=timezone.now(),
        corrected_by=corrector, correction_reason="Sample mix-up",
    )  # fmt: skip
    VitalsFactory(patient=patient, appointment=record.appointment, temperature_c=Decimal("37.5"), spo2=None)
    MedicalRecordFactory(appointment__patient=patient, patient=patient)  # a draft: its visit shows unsigned
    doctor = make_user("Doctor")

    page, more = patient_history_page(user=doctor, patient=patient, size=50)

    assert not more and len(page) == 6
    assert page == patient_history(user=doctor, patient=patient)


def test_a_staff_page_with_a_mangled_cursor_starts_again_from_the_first_page(client, make_user):
    PatientFactory.create_batch(3, last_name="Mangled")
    client.force_login(make_user("Receptionist"))

    response = client.get("/patients/", {"q": "Mangled", "cursor": "not-a-cursor"})

    assert response.status_code == 200
    assert len(response.context["page"]) == 3 and not response.context["page"].has_previous
