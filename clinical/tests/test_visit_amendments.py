"""Issue 12, the visit page and the record: signed records are amended (every amendment kept, the original shown),
diagnoses are removed (never deleted) and prescriptions cancelled before signing, and the page's sections are
updated in place (fragments for the page's script, full redirects without it)."""


import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from clinical import reports, selectors, services
from clinical.choices import PrescriptionStatus
from clinical.models import Diagnosis, MedicalRecord, Prescription, RecordAmendment
from clinical.tests.factories import (
    CheckedInAppointmentFactory,
    DiagnosisFactory,
    MedicalRecordFactory,
    MedicationFactory,
    PrescriptionFactory,
    SignedMedicalRecordFactory,
)
from conftest import query_counter
from hms.exceptions import Conflict
from scheduling import services as scheduling_services
from scheduling.choices import AppointmentStatus
from scheduling.tests.factories import AppointmentFactory
from staff.tests.factories import UserFactory

# Clinicians here have no care relationship with the factories' patients: minimum necessary is tested in
# tests/test_care_access.py.
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("without_care_restriction")]

FETCH = {"HTTP_X_VISIT_SECTION": "diagnoses"}


@pytest.fixture
def visit():
    """A visit in progress with an open (unsigned) record; its doctor is visit.doctor."""
    appointment = CheckedInAppointmentFactory(status=AppointmentStatus.IN_PROGRESS, started_at=timezone.now())
    MedicalRecordFactory(appointment=appointment, chief_complaint="Cough", clinical_notes="Dry cough, 3 days.")
    return appointment


@pytest.fixture
def signed():
    return SignedMedicalRecordFactory(chief_complaint="Cough", clinical_notes="Dry cough.", outcome="improved")


def _doctor(record):
    return record.doctor.user


# --- services: amendments -------------------------------------------------------------------------


def test_every_amendment_is_kept_with_author_reason_and_each_fields_original_before_and_after(signed):
    doctor = _doctor(signed)

    services.record_amend(record=signed, reason="Typo", acting_user=doctor, clinical_notes="Dry cough, 3 days.")
    services.record_amend(
        record=signed, reason="Late lab result", acting_user=doctor, clinical_notes="Pertussis.", outcome="resolved"
    )

    first, second = RecordAmendment.objects.filter(record=signed).order_by("amended_at", "id")
    assert (first.author, first.reason) == (doctor, "Typo")
    assert first.changes == {
        "clinical_notes": {"before": "Dry cough.", "after": "Dry cough, 3 days.", "original": "Dry cough."}
    }
    assert second.reason == "Late lab result"
    assert second.changes["clinical_notes"] == {
        "before": "Dry cough, 3 days.",
        "after": "Pertussis.",
        "original": "Dry cough.",
    }
    assert second.changes["outcome"] == {"before": "improved", "after": "resolved", "original": "improved"}
    signed.refresh_from_db()
    assert (signed.clinical_notes, signed.outcome, signed.amendment_reason) == (
        "Pertussis.",
        "resolved",
        "Late lab result",
    )
    assert signed.history.count() == 3  # signed version + two amendments
    assert first.history.count() == 1


def test_an_amendment_that_changes_nothing_is_refused_and_nothing_is_written(signed):
    with pytest.raises(ValidationError, match="changes nothing"):
        services.record_amend(record=signed, reason="Same", acting_user=_doctor(signed), clinical_notes="Dry cough.")

    assert not RecordAmendment.objects.exists()


def test_an_amendment_needs_a_reason_and_a_signed_record_and_its_own_doctor(signed, visit):
    with pytest.raises(ValidationError):
        services.record_amend(record=signed, reason=" ", acting_user=_doctor(signed), clinical_notes="x")
    with pytest.raises(Conflict):
        record = visit.medical_record
        services.record_amend(record=record, reason="Why", acting_user=_doctor(record), clinical_notes="x")
    with pytest.raises(PermissionDenied):
        services.record_amend(record=signed, reason="Why", acting_user=UserFactory(), clinical_notes="x")
    assert not RecordAmendment.objects.exists()


# --- services: removing a diagnosis ---------------------------------------------------------------


def test_a_removed_diagnosis_is_kept_marked_removed_and_no_longer_counted(visit):
    record = visit.medical_record
    doctor = _doctor(record)
    primary = services.diagnosis_add(record=record, code="J06.9", acting_user=doctor)
    other = services.diagnosis_add(record=record, code="R05.9", acting_user=doctor)

    services.diagnosis_remove(diagnosis=primary, reason="Ruled out", acting_user=doctor)

    kept = Diagnosis.all_objects.get(pk=primary.pk)
    assert (kept.removed_by, kept.removal_reason, kept.is_primary) == (doctor, "Ruled out", False)
    assert kept.removed_at is not None
    assert list(record.diagnoses.values_list("code", flat=True)) == ["R05.9"]
    assert Diagnosis.objects.get(pk=other.pk).is_primary  # the remaining one became primary
    assert kept.history.first().removal_reason == "Ruled out"


def test_a_record_whose_only_diagnosis_was_removed_cannot_be_signed_or_completed(visit):
    record = visit.medical_record
    doctor = _doctor(record)
    diagnosis = services.diagnosis_add(record=record, code="J06.9", acting_user=doctor)
    services.diagnosis_remove(diagnosis=diagnosis, acting_user=doctor)

    with pytest.raises(Conflict, match="at least one diagnosis"):
        services.record_sign(record=record, acting_user=doctor)
    with pytest.raises(Conflict, match="at least one diagnosis"):
        services.record_ready_for_completion(visit)
    with pytest.raises(Conflict):
        scheduling_services.appointment_complete(appointment=visit, acting_user=doctor)


def test_removing_a_diagnosis_after_signing_is_refused(signed):
    diagnosis = DiagnosisFactory(record=signed)

    with pytest.raises(Conflict, match="signed") as refused:
        services.diagnosis_remove(diagnosis=diagnosis, acting_user=_doctor(signed))

    assert refused.value.code == "record_signed"
    assert Diagnosis.objects.filter(pk=diagnosis.pk).exists()


def test_only_the_visits_doctor_removes_its_diagnoses(visit, make_user):
    diagnosis = DiagnosisFactory(record=visit.medical_record)

    with pytest.raises(PermissionDenied):
        services.diagnosis_remove(diagnosis=diagnosis, acting_user=make_user("Doctor"))
    assert Diagnosis.objects.filter(pk=diagnosis.pk).exists()


def test_a_removed_code_added_again_is_restored_on_the_same_row(visit):
    record = visit.medical_record
    doctor = _doctor(record)
    diagnosis = services.diagnosis_add(record=record, code="J06.9", acting_user=doctor)
    services.diagnosis_remove(diagnosis=diagnosis, acting_user=doctor)

    again = services.diagnosis_add(record=record, code="J06.9", acting_user=doctor)

    assert again.pk == diagnosis.pk and again.removed_at is None and again.is_primary
    assert Diagnosis.all_objects.filter(record=record).count() == 1


def test_a_removed_diagnosis_is_not_in_the_clinical_report():
    # (nor on the claim: billing/tests/test_claim_diagnoses.py)
    appointment = AppointmentFactory(status=AppointmentStatus.COMPLETED)
    record = MedicalRecordFactory(appointment=appointment)
    doctor = _doctor(record)
    services.diagnosis_add(record=record, code="E11.9", acting_user=doctor)
    removed = services.diagnosis_add(record=record, code="I10", acting_user=doctor, is_primary=True)
    services.diagnosis_remove(diagnosis=removed, reason="Wrong patient", acting_user=doctor)

    day = timezone.localdate(appointment.start)
    rows = reports.clinical(date_from=day, date_to=day)
    assert {row["group"] for row in rows if row["section"] == "code"} == {"E11.9"}


def test_the_record_list_filtered_by_code_leaves_out_removed_diagnoses(visit, make_user):
    record = visit.medical_record
    diagnosis = services.diagnosis_add(record=record, code="I10", acting_user=_doctor(record))
    services.diagnosis_remove(diagnosis=diagnosis, acting_user=_doctor(record))

    from clinical.filters import MedicalRecordFilterSet

    found = MedicalRecordFilterSet({"code": "I10"}, queryset=MedicalRecord.objects.all()).qs
    assert not found.exists()


# --- services: cancelling a prescription ----------------------------------------------------------


def test_a_prescription_is_cancelled_with_a_reason_and_kept(visit):
    prescription = PrescriptionFactory(record=visit.medical_record)

    services.prescription_cancel(prescription=prescription, reason="Rash", acting_user=_doctor(prescription.record))

    prescription.refresh_from_db()
    assert (prescription.status, prescription.cancellation_reason) == (PrescriptionStatus.CANCELLED, "Rash")


def test_a_dispensed_prescription_cannot_be_cancelled_and_says_why(visit):
    prescription = PrescriptionFactory(record=visit.medical_record, status=PrescriptionStatus.DISPENSED)

    with pytest.raises(Conflict, match="already dispensed") as refused:
        services.prescription_cancel(
            prescription=prescription, reason="Rash", acting_user=_doctor(visit.medical_record)
        )

    assert refused.value.code == "already_dispensed"
    prescription.refresh_from_db()
    assert prescription.status == PrescriptionStatus.DISPENSED


# --- pages ----------------------------------------------------------------------------------------


def test_a_diagnosis_added_by_the_pages_script_answers_only_its_section_refreshed(client, visit):
    client.force_login(visit.doctor.user)

    response = client.post(reverse("clinical:visit_diagnosis_add", args=[visit.pk]), {"code": "J06.9"}, **FETCH)

    body = response.content.decode()
    assert response.status_code == 200
    assert body.lstrip().startswith('<div id="diagnoses-part"')
    assert "J06.9" in body and "Added the diagnosis J06.9" in body
    assert "<html" not in body and 'id="notes"' not in body
    assert visit.medical_record.diagnoses.get().code == "J06.9"


def test_a_refused_diagnosis_comes_back_as_the_section_with_the_form_error(client, visit):
    client.force_login(visit.doctor.user)

    response = client.post(reverse("clinical:visit_diagnosis_add", args=[visit.pk]), {"code": "E11"}, **FETCH)

    body = response.content.decode()
    assert response.status_code == 400
    assert body.lstrip().startswith('<div id="diagnoses-part"')
    assert "is a category, not a billable code" in body and 'value="E11"' in body
    assert not Diagnosis.all_objects.exists()


def test_without_javascript_adding_a_diagnosis_redirects_to_the_page(client, visit):
    client.force_login(visit.doctor.user)

    response = client.post(reverse("clinical:visit_diagnosis_add", args=[visit.pk]), {"code": "J06.9"})

    assert response.status_code == 302
    assert response["Location"].endswith("#diagnoses")


@pytest.mark.parametrize(
    ("section", "url_name", "data_of"),
    [
        ("procedures", "visit_procedure_add", lambda: {"catalog_entry": "", "quantity": 1}),
        ("prescriptions", "visit_prescription_add", lambda: {"medication": MedicationFactory().pk, "dose": "1"}),
        ("lab-orders", "visit_lab_order_add", lambda: {"test": ""}),
    ],
)
def test_each_section_answers_its_own_fragment_with_errors(client, visit, section, url_name, data_of):
    client.force_login(visit.doctor.user)

    response = client.post(reverse(f"clinical:{url_name}", args=[visit.pk]), data_of(), HTTP_X_VISIT_SECTION=section)

    assert response.status_code == 400
    body = response.content.decode()
    assert body.lstrip().startswith(f'<div id="{section}-part"')
    assert "This field is required" in body


def test_an_allergy_refusal_comes_back_in_place_with_the_warning_and_the_override_field(client, visit):
    from patients.tests.factories import AllergyFactory

    AllergyFactory(patient=visit.patient, substance="Penicillin")
    amoxicillin = MedicationFactory(name="Amoxicillin", category="Penicillins")
    client.force_login(visit.doctor.user)
    rx = {"medication": amoxicillin.pk, "dose": "500 mg", "route": "oral", "frequency": "tid", "duration_days": 7,
          "quantity": 21}  # fmt: skip

    response = client.post(
        reverse("clinical:visit_prescription_add", args=[visit.pk]), rx, HTTP_X_VISIT_SECTION="prescriptions"
    )

    body = response.content.decode()
    assert response.status_code == 409
    assert body.lstrip().startswith('<div id="prescriptions-part"')
    assert "Allergy warning" in body and 'name="allergy_override_reason" maxlength="500"' in body
    assert not Prescription.objects.exists()


def test_a_diagnosis_is_removed_in_place_and_shown_struck_through_with_who_and_why(client, visit):
    diagnosis = DiagnosisFactory(record=visit.medical_record, code="I10", description="Essential hypertension")
    client.force_login(visit.doctor.user)

    response = client.post(
        reverse("clinical:visit_diagnosis_remove", args=[visit.pk, diagnosis.pk]), {"reason": "Ruled out"}, **FETCH
    )

    body = response.content.decode()
    assert response.status_code == 200
    assert "Removed the diagnosis I10" in body
    assert '<ul class="removed-list small" id="removed-diagnoses">' in body and "Ruled out" in body
    assert not Diagnosis.objects.exists() and Diagnosis.all_objects.get().removed_at is not None


def test_removing_a_diagnosis_of_a_signed_record_is_refused_in_place(client, signed):
    diagnosis = DiagnosisFactory(record=signed)
    client.force_login(_doctor(signed))

    response = client.post(
        reverse("clinical:visit_diagnosis_remove", args=[signed.appointment_id, diagnosis.pk]), **FETCH
    )

    assert response.status_code == 409
    assert "Amend the record with a reason instead" in response.content.decode()
    assert Diagnosis.objects.filter(pk=diagnosis.pk).exists()


def test_a_prescription_is_cancelled_from_the_visit_page_and_a_dispensed_one_refused(client, visit):
    active = PrescriptionFactory(record=visit.medical_record)
    dispensed = PrescriptionFactory(record=visit.medical_record, status=PrescriptionStatus.DISPENSED)
    client.force_login(visit.doctor.user)
    page = client.get(reverse("clinical:visit", args=[visit.pk])).content.decode()
    assert reverse("clinical:visit_prescription_cancel", args=[visit.pk, active.pk]) in page
    assert reverse("clinical:visit_prescription_cancel", args=[visit.pk, dispensed.pk]) not in page

    done = client.post(reverse("clinical:visit_prescription_cancel", args=[visit.pk, active.pk]), {"reason": "Rash"})
    refused = client.post(
        reverse("clinical:visit_prescription_cancel", args=[visit.pk, dispensed.pk]),
        {"reason": "Rash"},
        HTTP_X_VISIT_SECTION="prescriptions",
    )

    assert done.status_code == 302 and done["Location"].endswith("#prescriptions")
    assert Prescription.objects.get(pk=active.pk).status == PrescriptionStatus.CANCELLED
    assert refused.status_code == 409
    assert "already dispensed" in refused.content.decode()
    assert Prescription.objects.get(pk=dispensed.pk).status == PrescriptionStatus.DISPENSED


def test_cancelling_without_a_reason_is_refused_with_a_message(client, visit):
    prescription = PrescriptionFactory(record=visit.medical_record)
    client.force_login(visit.doctor.user)

    response = client.post(reverse("clinical:visit_prescription_cancel", args=[visit.pk, prescription.pk]), {})

    assert response.status_code == 400
    assert "Give the reason for cancelling" in response.content.decode()
    assert Prescription.objects.get(pk=prescription.pk).status == PrescriptionStatus.ACTIVE


def test_sign_and_complete_ask_for_confirmation(client, visit):
    client.force_login(visit.doctor.user)

    page = client.get(reverse("clinical:visit", args=[visit.pk])).content.decode()

    assert 'data-confirm="Sign this medical record?' in page
    assert 'data-confirm="Complete the visit of' in page
    assert "clinical/visit.js" in page


def test_a_signed_record_is_amended_on_the_visit_page_and_the_chart_shows_the_original(client, signed):
    client.force_login(_doctor(signed))
    url = reverse("clinical:visit", args=[signed.appointment_id])
    assert "Amend the signed record" in client.get(url).content.decode()

    refused = client.post(reverse("clinical:visit_amend", args=[signed.appointment_id]), {"clinical_notes": "New"})
    assert refused.status_code == 400 and not RecordAmendment.objects.exists()
    response = client.post(
        reverse("clinical:visit_amend", args=[signed.appointment_id]),
        {"chief_complaint": "Cough", "clinical_notes": "Whooping cough.", "outcome": "improved", "reason": "Lab"},
    )

    assert response.status_code == 302
    amendment = RecordAmendment.objects.get()
    assert set(amendment.changes) == {"clinical_notes"}  # unchanged fields are not changes
    page = client.get(url).content.decode()
    assert 'reason: <em class="amendment-reason">Lab</em>' in page
    assert "original: Dry cough." in page
    chart = client.get(reverse("clinical:chart", args=[signed.patient_id])).content.decode()
    assert "Record amended" in chart and "original: Dry cough." in chart and "Whooping cough." in chart


def test_another_doctor_sees_amendments_but_no_amend_form(client, signed, make_user):
    services.record_amend(record=signed, reason="Typo", acting_user=_doctor(signed), clinical_notes="Fixed.")
    client.force_login(make_user("Doctor"))

    page = client.get(reverse("clinical:visit", args=[signed.appointment_id])).content.decode()

    assert "original: Dry cough." in page
    assert "Amend the signed record" not in page


def test_the_visit_page_costs_the_same_queries_with_amendments_and_removed_diagnoses(client, signed):
    client.force_login(_doctor(signed))
    url = reverse("clinical:visit", args=[signed.appointment_id])

    def add(count):
        for n in range(count):
            text = f"v{count}.{n}"
            services.record_amend(record=signed, reason=f"R{n}", acting_user=_doctor(signed), clinical_notes=text)
            Diagnosis.all_objects.create(
                record=signed,
                code=f"Z{n:02d}.0{count}",
                description="x",
                removed_at=timezone.now(),
                removed_by=_doctor(signed),
            )

    add(1)
    with query_counter() as small:
        assert client.get(url).status_code == 200
    add(8)
    with query_counter() as large:
        assert client.get(url).status_code == 200

    assert len(large) == len(small)


def test_starting_a_visit_opens_its_page(client):
    appointment = CheckedInAppointmentFactory()
    client.force_login(appointment.doctor.user)

    response = client.post(reverse("scheduling:start", args=[appointment.pk]), {"next": "/scheduling/my-schedule/"})

    assert response.status_code == 302
    assert response["Location"] == reverse("clinical:visit", args=[appointment.pk])


def test_a_refused_start_goes_back_where_the_form_was(client):
    appointment = AppointmentFactory()  # scheduled, not checked in
    client.force_login(appointment.doctor.user)

    response = client.post(reverse("scheduling:start", args=[appointment.pk]), {"next": "/scheduling/my-schedule/"})

    assert response["Location"] == "/scheduling/my-schedule/"


# --- API ------------------------------------------------------------------------------------------


def _api_doctor(api_as, record):
    return api_as(record.doctor.user)


def test_the_api_amends_and_lists_every_amendment_on_the_record(api_as, signed):
    client = _api_doctor(api_as, signed)
    url = f"/api/v1/medical-records/{signed.pk}/"

    first = client.post(f"{url}amend/", {"reason": "Typo", "clinical_notes": "Dry cough, 3 days."}, format="json")
    second = client.post(f"{url}amend/", {"reason": "Lab", "clinical_notes": "Pertussis."}, format="json")

    assert (first.status_code, second.status_code) == (200, 200)
    amendments = client.get(url).json()["amendments"]
    assert [a["reason"] for a in amendments] == ["Lab", "Typo"]
    assert amendments[0]["changes"] == [
        {"field": "clinical_notes", "original": "Dry cough.", "before": "Dry cough, 3 days.", "after": "Pertussis."}
    ]
    assert amendments[0]["author"] == signed.doctor.user_id


def test_the_api_refuses_amendments_without_reason_400_of_others_403_of_drafts_409(api_as, signed, visit, make_user):
    url = f"/api/v1/medical-records/{signed.pk}/amend/"

    no_reason = _api_doctor(api_as, signed).post(url, {"clinical_notes": "x"}, format="json")
    other = api_as(make_user("Doctor")).post(url, {"reason": "r", "clinical_notes": "x"}, format="json")
    draft = visit.medical_record
    unsigned = _api_doctor(api_as, draft).post(
        f"/api/v1/medical-records/{draft.pk}/amend/", {"reason": "r", "clinical_notes": "x"}, format="json"
    )

    assert (no_reason.status_code, other.status_code, unsigned.status_code) == (400, 403, 409)
    assert not RecordAmendment.objects.exists()


def test_the_api_removes_a_diagnosis_and_stops_listing_it(api_as, visit):
    record = visit.medical_record
    diagnosis = DiagnosisFactory(record=record)
    client = _api_doctor(api_as, record)

    response = client.post(f"/api/v1/diagnoses/{diagnosis.pk}/remove/", {"reason": "Ruled out"}, format="json")

    assert response.status_code == 200, response.json()
    assert response.json()["removal_reason"] == "Ruled out" and response.json()["removed_at"]
    assert client.get(f"/api/v1/diagnoses/?record={record.pk}").json()["results"] == []
    assert client.get(f"/api/v1/medical-records/{record.pk}/").json()["diagnoses"] == []
    again = client.post(f"/api/v1/diagnoses/{diagnosis.pk}/remove/", {}, format="json")
    assert again.status_code == 404


def test_the_api_refuses_removing_a_diagnosis_of_a_signed_record_409_or_by_another_doctor_403(
    api_as, signed, visit, make_user
):
    on_signed = DiagnosisFactory(record=signed)
    on_draft = DiagnosisFactory(record=visit.medical_record)

    conflict = _api_doctor(api_as, signed).post(f"/api/v1/diagnoses/{on_signed.pk}/remove/", {}, format="json")
    forbidden = api_as(make_user("Doctor")).post(f"/api/v1/diagnoses/{on_draft.pk}/remove/", {}, format="json")
    nurse = api_as(make_user("Nurse")).post(f"/api/v1/diagnoses/{on_draft.pk}/remove/", {}, format="json")

    assert (conflict.status_code, forbidden.status_code, nurse.status_code) == (409, 403, 403)
    assert Diagnosis.objects.count() == 2


def test_the_api_refuses_cancelling_a_dispensed_prescription_with_409_and_says_why(api_as, visit):
    prescription = PrescriptionFactory(record=visit.medical_record, status=PrescriptionStatus.DISPENSED)

    response = _api_doctor(api_as, visit.medical_record).post(
        f"/api/v1/prescriptions/{prescription.pk}/cancel/", {"reason": "Rash"}, format="json"
    )

    assert response.status_code == 409
    assert "already dispensed" in response.json()["detail"]
    assert Prescription.objects.get(pk=prescription.pk).status == PrescriptionStatus.DISPENSED


def test_the_patient_history_api_lists_amendments_for_staff_not_the_portal(api_as, signed, make_user):
    services.record_amend(record=signed, reason="Typo", acting_user=_doctor(signed), clinical_notes="Fixed.")

    events = api_as(make_user("Doctor")).get(f"/api/v1/patients/{signed.patient_id}/history/?kind=amendment").json()
    staff_events = selectors.patient_history(user=_doctor(signed), patient=signed.patient)

    assert [e["kind"] for e in events["results"]] == ["amendment"]
    assert events["results"][0]["detail"]["changes"][0]["original"] == "Dry cough."
    assert "amendment" in {e.kind for e in staff_events}
    portal_user = make_user("Patient")
    signed.patient.user = portal_user
    signed.patient.save()
    own = api_as(portal_user).get(f"/api/v1/patients/{signed.patient_id}/history/").json()["results"]
    assert "visit" in {e["kind"] for e in own} and "amendment" not in {e["kind"] for e in own}


# --- admin ----------------------------------------------------------------------------------------


def test_the_admin_shows_amendments_read_only_with_history_and_removed_diagnoses(admin_client, signed, visit):
    services.record_amend(record=signed, reason="Typo", acting_user=_doctor(signed), clinical_notes="Fixed.")
    amendment = RecordAmendment.objects.get()
    removed = DiagnosisFactory(record=visit.medical_record, code="I10")
    services.diagnosis_remove(diagnosis=removed, reason="Ruled out", acting_user=visit.doctor.user)

    change = admin_client.get(reverse("admin:clinical_recordamendment_change", args=[amendment.pk]))
    history = admin_client.get(reverse("admin:clinical_recordamendment_history", args=[amendment.pk]))
    record_page = admin_client.get(reverse("admin:clinical_medicalrecord_change", args=[signed.pk]))
    diagnoses = admin_client.get(reverse("admin:clinical_diagnosis_changelist") + "?removed_at__isempty=0")
    removed_page = admin_client.get(reverse("admin:clinical_diagnosis_change", args=[removed.pk]))

    assert change.status_code == history.status_code == removed_page.status_code == 200
    assert "original “Dry cough.” → “Fixed.”" in change.content.decode()
    assert 'name="reason"' not in change.content.decode()  # read-only
    assert "original “Dry cough.”" in record_page.content.decode()
    assert "I10" in diagnoses.content.decode() and "Ruled out" in removed_page.content.decode()
    assert admin_client.post(reverse("admin:clinical_recordamendment_delete", args=[amendment.pk])).status_code == 403


def test_the_board_offers_start_visit_to_the_appointments_own_doctor_only(client, make_user):
    mine = CheckedInAppointmentFactory()
    doctor = mine.doctor
    theirs = CheckedInAppointmentFactory(doctor__hospital=doctor.hospital, start=mine.start)
    params = {"hospital": doctor.hospital_id, "date": timezone.localdate(mine.start, doctor.hospital.tzinfo)}
    start_mine = reverse("scheduling:start", args=[mine.pk])
    start_theirs = reverse("scheduling:start", args=[theirs.pk])

    client.force_login(doctor.user)
    as_doctor = client.get(reverse("scheduling:board"), params).content.decode()
    client.force_login(make_user("Receptionist"))
    as_reception = client.get(reverse("scheduling:board"), params).content.decode()

    assert reverse("clinical:visit", args=[theirs.pk]) in as_doctor  # their row is on the board, without Start
    assert start_mine in as_doctor and start_theirs not in as_doctor
    assert start_mine not in as_reception


def test_the_chart_costs_the_same_queries_for_3_or_30_amendments(client, signed):
    client.force_login(_doctor(signed))
    url = reverse("clinical:chart", args=[signed.patient_id])

    def amend(count, start):
        for n in range(start, start + count):
            services.record_amend(record=signed, reason=f"R{n}", acting_user=_doctor(signed), clinical_notes=f"v{n}")

    amend(3, 0)
    with query_counter() as small:
        assert client.get(url).status_code == 200
    amend(27, 3)
    with query_counter() as large:
        body = client.get(url).content.decode()

    assert len(large) == len(small)
    assert body.count('class="event event-amendment') == 25  # one page of the timeline


# --- the migration: amendments made before they had their own rows -----------------------------------


def test_the_migration_turns_each_earlier_amendment_in_the_records_history_into_an_amendment_row(signed):
    import importlib
    from datetime import timedelta

    from django.apps import apps

    migration = importlib.import_module("clinical.migrations.0006_visit_amendments")
    doctor = _doctor(signed)
    first_at = timezone.now()
    for at, reason, notes in (
        (first_at, "Typo", "Dry cough, 3 days."),
        (first_at + timedelta(hours=1), "Lab", "Pertussis."),
    ):
        signed.clinical_notes, signed.amended_at, signed.amended_by, signed.amendment_reason = notes, at, doctor, reason
        signed.save()  # what record_amend did before: the record and its history only

    migration.amendments_from_history(apps, None)

    rows = list(RecordAmendment.objects.filter(record=signed).order_by("amended_at"))
    assert [(a.reason, a.author) for a in rows] == [("Typo", doctor), ("Lab", doctor)]
    assert rows[0].changes == {
        "clinical_notes": {"before": "Dry cough.", "after": "Dry cough, 3 days.", "original": "Dry cough."}
    }
    assert rows[1].changes == {
        "clinical_notes": {"before": "Dry cough, 3 days.", "after": "Pertussis.", "original": "Dry cough."}
    }
