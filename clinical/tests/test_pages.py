"""The clinical pages: the doctor's visit, nurse vitals, the lab worklist, the chart timeline and the portal history."""

from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from clinical.choices import LabOrderStatus, LabResultFlag
from clinical.models import Diagnosis, LabOrder, LabResult, MedicalRecord, Prescription, Vitals
from clinical.tests.factories import (
    CheckedInAppointmentFactory,
    DiagnosisFactory,
    LabOrderFactory,
    LabResultFactory,
    LabTestFactory,
    MedicalRecordFactory,
    MedicationFactory,
    PrescriptionFactory,
    ProcedureCatalogFactory,
    SignedMedicalRecordFactory,
    VitalsFactory,
)
from conftest import query_count
from patients.tests.factories import AllergyFactory, PatientFactory
from scheduling.choices import AppointmentStatus
from staff.tests.factories import DoctorFactory

pytestmark = pytest.mark.django_db


def _in_progress_appointment(**kwargs):
    return CheckedInAppointmentFactory(status=AppointmentStatus.IN_PROGRESS, started_at=timezone.now(), **kwargs)


@pytest.fixture
def visit():
    """A visit in progress with an open record; its doctor is visit.doctor."""
    record = MedicalRecordFactory(appointment=_in_progress_appointment())
    return record.appointment


# --- who may open which page ----------------------------------------------------------------------

STAFF_ROLES = ["Administrator", "Nurse", "Receptionist", "Billing Clerk", "Pharmacist", "Lab Technician"]

PAGE_ACCESS = [
    # page, role, expected status
    ("visit", "own doctor", 200),
    ("visit", "other doctor", 200),
    ("visit", "Administrator", 200),
    ("visit", "Nurse", 200),
    ("visit", "Receptionist", 403),
    ("visit", "Billing Clerk", 403),
    ("visit", "Pharmacist", 403),
    ("visit", "Lab Technician", 403),
    ("visit", "Patient", 403),
    ("vitals", "Nurse", 200),
    ("vitals", "own doctor", 403),
    ("vitals", "Administrator", 403),
    ("vitals", "Receptionist", 403),
    ("vitals", "Patient", 403),
    ("worklist", "Lab Technician", 200),
    ("worklist", "Nurse", 403),
    ("worklist", "own doctor", 403),
    ("worklist", "Receptionist", 403),
    ("worklist", "Patient", 403),
    ("chart", "own doctor", 200),
    ("chart", "other doctor", 200),
    ("chart", "Administrator", 200),
    ("chart", "Nurse", 200),
    ("chart", "Receptionist", 403),
    ("chart", "Billing Clerk", 403),
    ("chart", "Pharmacist", 403),
    ("chart", "Lab Technician", 403),
    ("chart", "Patient", 404),
    ("my_history", "Patient", 200),
    ("my_history", "own doctor", 403),
    ("my_history", "Nurse", 403),
    ("my_history", "Receptionist", 403),
]


def _user_for(role, visit, make_user):
    if role == "own doctor":
        return visit.doctor.user
    if role == "other doctor":
        return DoctorFactory().user
    if role == "Patient":
        user = make_user("Patient")
        PatientFactory(user=user)  # a patient, but not the one of the visit
        return user
    return make_user(role)


def _url_for(page, visit):
    if page == "visit":
        return reverse("clinical:visit", args=[visit.pk])
    if page == "vitals":
        return reverse("clinical:vitals", args=[visit.pk])
    if page == "worklist":
        return reverse("clinical:lab_worklist")
    if page == "chart":
        return reverse("clinical:chart", args=[visit.patient_id])
    return reverse("clinical:my_history")


@pytest.mark.usefixtures("without_care_restriction")  # care: tests/test_care_access.py
@pytest.mark.parametrize(("page", "role", "expected"), PAGE_ACCESS)
def test_each_page_is_open_only_to_the_roles_that_need_it(client, make_user, visit, page, role, expected):
    client.force_login(_user_for(role, visit, make_user))

    response = client.get(_url_for(page, visit))

    assert response.status_code == expected


def test_a_superuser_sees_a_visit_but_writes_nothing_on_it(client, admin_user_obj, visit):
    DiagnosisFactory(record=visit.medical_record)
    client.force_login(admin_user_obj)

    page = client.get(reverse("clinical:visit", args=[visit.pk]))
    notes = client.post(reverse("clinical:visit_notes", args=[visit.pk]), {"clinical_notes": "Rewritten"})
    sign = client.post(reverse("clinical:visit_sign", args=[visit.pk]))
    vitals = client.post(reverse("clinical:vitals", args=[visit.pk]), {"heart_rate": 80})

    assert page.status_code == 200 and page.context["may_write"] is False
    assert (notes.status_code, sign.status_code, vitals.status_code) == (403, 403, 403)
    record = MedicalRecord.objects.get(pk=visit.medical_record.pk)
    assert record.signed_at is None and record.clinical_notes != "Rewritten"
    assert not Vitals.objects.exists()


def test_pages_send_anonymous_visitors_to_the_login_page(client, visit):
    response = client.get(reverse("clinical:visit", args=[visit.pk]))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


WRITES = [
    ("clinical:visit_notes", {"chief_complaint": "Changed", "clinical_notes": "", "outcome": ""}),
    ("clinical:visit_diagnosis_add", {"code": "J06.9"}),
    ("clinical:visit_lab_order_add", {}),
    ("clinical:visit_sign", {}),
    ("clinical:visit_complete", {}),
]


@pytest.mark.parametrize("role", ["other doctor", "Nurse"])
@pytest.mark.parametrize(("url_name", "data"), WRITES)
def test_only_the_visits_doctor_writes_it(client, make_user, visit, role, url_name, data):
    DiagnosisFactory(record=visit.medical_record)
    if url_name == "clinical:visit_lab_order_add":
        data = {"test": LabTestFactory().pk}
    client.force_login(_user_for(role, visit, make_user))

    response = client.post(reverse(url_name, args=[visit.pk]), data)

    assert response.status_code == 403
    record = MedicalRecord.objects.get(pk=visit.medical_record.pk)
    assert record.chief_complaint == "Follow-up of blood sugar"
    assert record.signed_at is None
    assert record.diagnoses.count() == 1
    assert not LabOrder.objects.exists()
    visit.refresh_from_db()
    assert visit.status == AppointmentStatus.IN_PROGRESS


@pytest.mark.usefixtures("without_care_restriction")  # care: tests/test_care_access.py
def test_another_doctor_reads_the_visit_without_any_form(client, visit):
    client.force_login(DoctorFactory().user)

    body = client.get(reverse("clinical:visit", args=[visit.pk])).content.decode()

    assert "Follow-up of blood sugar" in body
    assert reverse("clinical:visit_notes", args=[visit.pk]) not in body
    assert "Sign record" not in body


# --- the doctor's visit, start to finish ----------------------------------------------------------


def test_a_doctor_documents_signs_and_completes_a_visit_through_the_pages(client, completions):
    appointment = _in_progress_appointment()
    patient = appointment.patient
    AllergyFactory(patient=patient, substance="Penicillin", reaction="Hives")
    amoxicillin = MedicationFactory(name="Amoxicillin", category="Penicillins")
    procedure = ProcedureCatalogFactory(code="99213")
    test = LabTestFactory(name="Glucose, fasting")
    client.force_login(appointment.doctor.user)
    visit_url = reverse("clinical:visit", args=[appointment.pk])

    page = client.get(visit_url)
    assert page.status_code == 200
    assert "Open the medical record" in page.content.decode()
    assert not MedicalRecord.objects.exists()

    response = client.post(reverse("clinical:visit_open", args=[appointment.pk]))
    assert response.status_code == 302
    record = MedicalRecord.objects.get(appointment=appointment)
    assert record.chief_complaint == appointment.reason

    response = client.post(
        reverse("clinical:visit_notes", args=[appointment.pk]),
        {"chief_complaint": "Sore throat", "clinical_notes": "Red pharynx, no fever.", "outcome": "improved"},
    )
    assert response.status_code == 302
    record.refresh_from_db()
    assert (record.chief_complaint, record.outcome) == ("Sore throat", "improved")

    search = client.get(visit_url, {"icd": "J06"}).content.decode()
    assert "J06.9" in search and "Acute upper respiratory infection" in search

    response = client.post(reverse("clinical:visit_diagnosis_add", args=[appointment.pk]), {"code": "j069"})
    assert response.status_code == 302
    assert list(record.diagnoses.values_list("code", "is_primary")) == [("J06.9", True)]

    response = client.post(
        reverse("clinical:visit_procedure_add", args=[appointment.pk]),
        {"catalog_entry": procedure.pk, "quantity": 1, "notes": ""},
    )
    assert response.status_code == 302
    assert record.procedures.get().code == "99213"

    rx = {
        "medication": amoxicillin.pk,
        "dose": "500 mg",
        "route": "oral",
        "frequency": "three times daily",
        "duration_days": 7,
        "quantity": 21,
        "instructions": "",
    }
    warned = client.post(reverse("clinical:visit_prescription_add", args=[appointment.pk]), rx)
    assert warned.status_code == 409
    body = warned.content.decode()
    assert "Allergy warning" in body and "Penicillin" in body
    assert 'name="allergy_override_reason" maxlength="500"' in body  # the override field is now shown
    assert not Prescription.objects.exists()

    response = client.post(
        reverse("clinical:visit_prescription_add", args=[appointment.pk]),
        {**rx, "allergy_override_reason": "Tolerated amoxicillin in 2024 without reaction."},
    )
    assert response.status_code == 302
    prescription = Prescription.objects.get()
    assert prescription.allergy_override_reason == "Tolerated amoxicillin in 2024 without reaction."

    response = client.post(reverse("clinical:visit_lab_order_add", args=[appointment.pk]), {"test": test.pk})
    assert response.status_code == 302
    assert record.lab_orders.get().status == LabOrderStatus.ORDERED

    response = client.post(reverse("clinical:visit_sign", args=[appointment.pk]))
    assert response.status_code == 302
    record.refresh_from_db()
    assert record.signed_by == appointment.doctor.user

    signed_page = client.get(visit_url).content.decode()
    assert "Signed by" in signed_page
    assert reverse("clinical:visit_notes", args=[appointment.pk]) not in signed_page

    response = client.post(reverse("clinical:visit_complete", args=[appointment.pk]), follow=True)
    assert "Completed the visit" in response.content.decode()
    appointment.refresh_from_db()
    assert appointment.status == AppointmentStatus.COMPLETED
    assert completions == [appointment.pk]  # announced: billing creates the visit's bill


def test_a_code_that_is_not_billable_is_shown_as_a_form_error(client, visit):
    client.force_login(visit.doctor.user)

    response = client.post(reverse("clinical:visit_diagnosis_add", args=[visit.pk]), {"code": "E11"})

    assert response.status_code == 400
    assert "is a category, not a billable code" in response.content.decode()
    assert not Diagnosis.objects.exists()


def test_signing_without_a_diagnosis_is_refused_with_a_message(client, visit):
    client.force_login(visit.doctor.user)

    response = client.post(reverse("clinical:visit_sign", args=[visit.pk]), follow=True)

    assert "Add at least one diagnosis before signing" in response.content.decode()
    assert MedicalRecord.objects.get(pk=visit.medical_record.pk).signed_at is None


def test_completing_without_a_diagnosis_is_refused_and_the_visit_stays_in_progress(client, visit, completions):
    client.force_login(visit.doctor.user)

    response = client.post(reverse("clinical:visit_complete", args=[visit.pk]), follow=True)

    assert "The visit was not completed" in response.content.decode()
    visit.refresh_from_db()
    assert visit.status == AppointmentStatus.IN_PROGRESS
    assert completions == []


def test_the_schedule_links_each_visit_in_progress_to_its_visit_page(client):
    appointment = _in_progress_appointment(start=timezone.now())
    client.force_login(appointment.doctor.user)

    body = client.get(reverse("scheduling:my_schedule")).content.decode()

    assert reverse("clinical:visit", args=[appointment.pk]) in body


@pytest.mark.parametrize(("role", "linked"), [("Nurse", True), ("Receptionist", False)])
def test_the_board_links_a_checked_in_visit_for_clinical_staff_only(client, make_user, role, linked):
    appointment = CheckedInAppointmentFactory(start=timezone.now())
    day = appointment.start.astimezone(appointment.hospital.tzinfo).date()
    client.force_login(make_user(role))

    body = client.get(
        reverse("scheduling:board"), {"hospital": appointment.hospital_id, "date": day.isoformat()}
    ).content.decode()

    assert f'id="appointment-{appointment.pk}"' in body
    assert (reverse("clinical:visit", args=[appointment.pk]) in body) is linked


# --- nurses: vitals -------------------------------------------------------------------------------


@pytest.mark.usefixtures("without_care_restriction")  # care: tests/test_care_access.py
def test_a_nurse_records_vitals_of_a_visit(client, make_user, visit):
    client.force_login(make_user("Nurse"))

    response = client.post(
        reverse("clinical:vitals", args=[visit.pk]),
        {
            "systolic_bp": "132",
            "diastolic_bp": "84",
            "heart_rate": "76",
            "weight": "80",
            "weight_unit": "kg",
            "height": "175",
            "height_unit": "cm",
        },
        follow=True,
    )

    assert response.status_code == 200
    vitals = Vitals.objects.get()
    assert (vitals.patient, vitals.appointment, vitals.blood_pressure) == (visit.patient, visit, "132/84")
    assert "26.1" in response.content.decode()  # the BMI


def test_implausible_vitals_are_form_errors_and_nothing_is_saved(client, make_user, visit):
    client.force_login(make_user("Nurse"))

    response = client.post(
        reverse("clinical:vitals", args=[visit.pk]), {"systolic_bp": "120", "diastolic_bp": "80", "spo2": "140"}
    )

    assert response.status_code == 400
    assert "SpO2 must be between 50 and 100 %" in response.content.decode()
    assert not Vitals.objects.exists()


def test_vitals_with_no_measurement_are_refused(client, make_user, visit):
    client.force_login(make_user("Nurse"))

    response = client.post(reverse("clinical:vitals", args=[visit.pk]), {})

    assert response.status_code == 400
    assert "Enter at least one measurement" in response.content.decode()
    assert not Vitals.objects.exists()


# --- lab technicians: the worklist ----------------------------------------------------------------


def test_a_lab_technician_collects_and_results_an_order_and_sees_its_flag(client, make_user):
    order = LabOrderFactory(test=LabTestFactory(name="Glucose, fasting"))
    resulted_elsewhere = LabResultFactory()
    client.force_login(make_user("Lab Technician"))
    worklist = reverse("clinical:lab_worklist")

    body = client.get(worklist).content.decode()
    assert f'id="order-{order.pk}"' in body
    assert f'id="order-{resulted_elsewhere.order.pk}"' not in body  # resulted: not pending

    response = client.post(reverse("clinical:lab_collect", args=[order.pk]), {"next": worklist})
    assert response.status_code == 302
    order.refresh_from_db()
    assert order.status == LabOrderStatus.COLLECTED

    response = client.post(
        reverse("clinical:lab_result", args=[order.pk]), {"value": "250", "comment": ""}, follow=True
    )
    assert response.status_code == 200
    result = LabResult.objects.get(order=order)
    assert result.flag == LabResultFlag.HIGH
    body = response.content.decode()
    assert f'id="order-{order.pk}" class="abnormal"' in body
    assert "badge flag flag-high" in body


def test_a_result_cannot_be_entered_before_collection(client, make_user):
    order = LabOrderFactory()
    client.force_login(make_user("Lab Technician"))

    response = client.post(reverse("clinical:lab_result", args=[order.pk]), {"value": "90"})

    assert response.status_code == 404  # only collected orders have a result page
    assert not LabResult.objects.exists()


def test_a_result_that_is_not_a_number_is_a_form_error(client, make_user):
    order = LabOrderFactory(status=LabOrderStatus.COLLECTED, collected_at=timezone.now())
    client.force_login(make_user("Lab Technician"))

    response = client.post(reverse("clinical:lab_result", args=[order.pk]), {"value": "high"})

    assert response.status_code == 400
    assert "Enter a number" in response.content.decode()
    assert not LabResult.objects.exists()


# --- the timeline: staff chart and portal history -------------------------------------------------


def _history_of(patient):
    """A signed visit (diagnosis, prescription, result) and an unsigned draft visit of the same patient."""
    signed = SignedMedicalRecordFactory(appointment__patient=patient, chief_complaint="Annual check")
    DiagnosisFactory(record=signed, code="E11.9")
    PrescriptionFactory(record=signed, medication=MedicationFactory(name="Metformin"))
    LabResultFactory(order__record=signed, order__test=LabTestFactory(name="HbA1c"), value=Decimal("30"))
    draft = MedicalRecordFactory(appointment__patient=patient, chief_complaint="Draft complaint")
    DiagnosisFactory(record=draft, code="J06.9", description="Acute upper respiratory infection, unspecified")
    VitalsFactory(patient=patient)
    return signed, draft


@pytest.mark.usefixtures("without_care_restriction")  # care: tests/test_care_access.py
def test_the_staff_chart_shows_the_whole_timeline_including_drafts(client, make_user):
    patient = PatientFactory()
    _history_of(patient)
    client.force_login(make_user("Nurse"))

    body = client.get(reverse("clinical:chart", args=[patient.pk])).content.decode()

    for text in ("Annual check", "E11.9", "Metformin", "HbA1c", "BP 128/82", "Draft complaint", "J06.9"):
        assert text in body
    assert "badge flag flag-critical" in body  # a glucose of 30 is critical


def test_my_history_shows_my_signed_records_and_hides_drafts(client, make_user):
    user = make_user("Patient")
    patient = PatientFactory(user=user)
    _history_of(patient)
    _history_of(PatientFactory())  # someone else's
    client.force_login(user)

    response = client.get(reverse("clinical:my_history"))

    body = response.content.decode()
    assert response.status_code == 200
    assert "Annual check" in body and "E11.9" in body and "Metformin" in body and "BP 128/82" in body
    assert "Draft complaint" not in body and "J06.9" not in body
    assert body.count('class="event event-visit') == 1  # their one signed visit, not the other patient's


def test_a_patient_opening_their_own_chart_is_sent_to_their_history(client, make_user):
    user = make_user("Patient")
    patient = PatientFactory(user=user)
    client.force_login(user)

    response = client.get(reverse("clinical:chart", args=[patient.pk]))

    assert response.status_code == 302
    assert response["Location"] == reverse("clinical:my_history")


@pytest.mark.usefixtures("without_care_restriction")  # care: tests/test_care_access.py
def test_the_timeline_is_paginated_newest_first(client, make_user):
    patient = PatientFactory()
    for _ in range(30):
        VitalsFactory(patient=patient)
    latest = VitalsFactory(patient=patient, heart_rate=111, recorded_at=timezone.now() + timezone.timedelta(hours=1))
    client.force_login(make_user("Doctor"))
    url = reverse("clinical:chart", args=[patient.pk])

    first_response = client.get(url)
    first = first_response.content.decode()
    second = client.get(url + first_response.context["page"].next_url).content.decode()

    assert first.count('class="event event-vitals') == 25
    assert f"HR {latest.heart_rate}" in first and "Older ›" in first and "Newer" not in first
    assert second.count('class="event event-vitals') == 6
    assert "‹ Newer" in second and "Older ›" not in second


# --- query counts at two data sizes -----------------------------------------------------------------


def test_the_worklist_costs_the_same_queries_for_3_or_30_orders(client, make_user):
    client.force_login(make_user("Lab Technician"))
    url = reverse("clinical:lab_worklist")
    LabOrderFactory.create_batch(3)
    small = query_count(client, url)
    LabOrderFactory.create_batch(27, status=LabOrderStatus.COLLECTED, collected_at=timezone.now())

    assert query_count(client, url) == small


def test_the_resulted_worklist_costs_the_same_queries_for_3_or_30_results(client, make_user):
    client.force_login(make_user("Lab Technician"))
    url = reverse("clinical:lab_worklist") + "?status=resulted"
    LabResultFactory.create_batch(3)
    small = query_count(client, url)
    LabResultFactory.create_batch(27)

    assert query_count(client, url) == small


@pytest.mark.usefixtures("without_care_restriction")  # care: tests/test_care_access.py
def test_the_timeline_costs_the_same_queries_for_3_or_30_events_of_each_kind(client, make_user):
    patient = PatientFactory()
    client.force_login(make_user("Doctor"))
    url = reverse("clinical:chart", args=[patient.pk])

    def add(count):
        for _ in range(count):
            record = SignedMedicalRecordFactory(appointment__patient=patient)
            DiagnosisFactory(record=record)
            PrescriptionFactory(record=record)
            LabResultFactory(order__record=record)
            VitalsFactory(patient=patient)

    add(3)
    small = query_count(client, url)
    add(27)

    assert query_count(client, url) == small


def test_the_visit_page_costs_the_same_queries_for_few_or_many_entries(client, visit):
    client.force_login(visit.doctor.user)
    record = visit.medical_record
    url = reverse("clinical:visit", args=[visit.pk])

    def add(count):
        for _ in range(count):
            PrescriptionFactory(record=record)
            LabResultFactory(order__record=record)
            VitalsFactory(patient=visit.patient, appointment=visit)

    add(2)
    small = query_count(client, url)
    add(10)

    assert query_count(client, url) == small
