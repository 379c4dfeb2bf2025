"""The timeline's builders (clinical.timeline, one per kind of event) and its words (clinical.timeline_text):
the API and the chart word every line alike."""

from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils.html import escape

from clinical import services, timeline
from clinical.selectors import patient_history
from clinical.tests.factories import (
    DiagnosisFactory,
    LabResultFactory,
    LabTestFactory,
    MedicationFactory,
    PrescriptionFactory,
    SignedMedicalRecordFactory,
    VitalsFactory,
)
from clinical.timeline_text import summary
from patients.tests.factories import PatientFactory

# Clinicians here have no care relationship with the factories' patients: minimum necessary is tested in
# tests/test_care_access.py.
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("without_care_restriction")]


@pytest.fixture
def history(make_user):
    """One event of every kind for one patient."""
    patient = PatientFactory()
    record = SignedMedicalRecordFactory(appointment__patient=patient, patient=patient, chief_complaint="Annual check")
    DiagnosisFactory(record=record, code="E11.9")
    PrescriptionFactory(record=record, medication=MedicationFactory(name="Metformin", strength="500 mg"))
    LabResultFactory(order__record=record, order__test=LabTestFactory(name="HbA1c"), value=Decimal("7.1"))
    VitalsFactory(patient=patient, appointment=record.appointment)
    services.record_amend(record=record, reason="Typo", acting_user=record.doctor.user, clinical_notes="Corrected")
    return patient


def test_every_kind_has_one_builder_in_rank_order():
    assert [kind.name for kind in timeline.KINDS] == [
        "visit",
        "diagnosis",
        "prescription",
        "lab_result",
        "vitals",
        "amendment",
    ]
    assert not timeline.BY_NAME["amendment"].in_portal


def test_a_portal_patient_gets_the_portal_kinds_only(make_user):
    user = make_user("Patient")

    assert "amendment" not in [kind.name for kind in timeline.kinds_for(user, portal=True)]
    assert [kind.name for kind in timeline.kinds_for(user, portal=True, names=["vitals"])] == ["vitals"]


def test_the_api_and_the_chart_word_each_line_alike(client, api_as, make_user, history):
    doctor = make_user("Doctor")
    client.force_login(doctor)

    api = api_as(doctor).get(f"/api/v1/patients/{history.pk}/history/").json()["results"]
    chart = client.get(reverse("clinical:chart", args=[history.pk])).content.decode()

    assert {row["kind"] for row in api} == {"visit", "diagnosis", "prescription", "lab_result", "vitals", "amendment"}
    events = {(event.kind, event.id): event for event in patient_history(user=doctor, patient=history)}
    for row in api:
        assert row["summary"] == summary(events[row["kind"], row["id"]])
        if row["kind"] in ("visit", "prescription", "lab_result", "vitals"):  # the kinds the chart words by summary
            assert escape(row["summary"]) in chart
    prescription = next(row for row in api if row["kind"] == "prescription")
    assert prescription["summary"].startswith("Metformin 500 mg · ")
