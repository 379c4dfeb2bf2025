"""Clinical services: every action, and every refusal leaves nothing saved."""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from clinical import services
from clinical.choices import LabOrderStatus, LabResultFlag, PrescriptionStatus
from clinical.models import Diagnosis, LabResult, MedicalRecord, Prescription, Procedure, Vitals
from clinical.tests.factories import (
    DiagnosisFactory,
    LabOrderFactory,
    LabTestFactory,
    MedicalRecordFactory,
    MedicationFactory,
    PrescriptionFactory,
    ProcedureCatalogFactory,
    SignedMedicalRecordFactory,
)
from hms.exceptions import Conflict
from patients.tests.factories import AllergyFactory, PatientFactory
from scheduling.choices import AppointmentStatus
from scheduling.tests.factories import AppointmentFactory

pytestmark = pytest.mark.django_db


def _doctor_user(record_or_appointment):
    return record_or_appointment.doctor.user


# --- Opening a record ---------------------------------------------------------------------------


@pytest.mark.parametrize("status", ["checked_in", "in_progress", "completed"])
def test_the_doctor_opens_a_record_for_a_visit_that_is_here_or_over(status):
    appointment = AppointmentFactory(status=status, reason="Chest pain")

    record = services.record_open_for_appointment(appointment=appointment, acting_user=_doctor_user(appointment))

    assert record.patient == appointment.patient and record.doctor == appointment.doctor
    assert record.chief_complaint == "Chest pain"
    assert not record.is_signed
    assert record.history.get().history_user == appointment.doctor.user


@pytest.mark.parametrize("status", ["scheduled", "cancelled", "no_show"])
def test_it_refuses_a_record_for_an_appointment_not_yet_or_never_seen(status):
    appointment = AppointmentFactory(status=status)

    with pytest.raises(Conflict, match="cannot be opened"):
        services.record_open_for_appointment(appointment=appointment, acting_user=_doctor_user(appointment))

    assert not MedicalRecord.objects.exists()


def test_it_refuses_a_second_record_for_the_same_appointment():
    record = MedicalRecordFactory()

    with pytest.raises(Conflict, match="already has a medical record"):
        services.record_open_for_appointment(appointment=record.appointment, acting_user=_doctor_user(record))

    assert MedicalRecord.objects.count() == 1


def test_another_doctor_may_not_open_or_write_the_record(make_user):
    appointment = AppointmentFactory(status=AppointmentStatus.CHECKED_IN)
    other_doctor = make_user("Doctor")
    nurse = make_user("Nurse")

    for user in (other_doctor, nurse):
        with pytest.raises(PermissionDenied, match="Only the doctor of this appointment"):
            services.record_open_for_appointment(appointment=appointment, acting_user=user)
    record = MedicalRecordFactory(appointment__status=AppointmentStatus.IN_PROGRESS)
    with pytest.raises(PermissionDenied):
        services.diagnosis_add(record=record, code="I10", acting_user=other_doctor)
    with pytest.raises(PermissionDenied):
        services.record_update_notes(record=record, clinical_notes="x", acting_user=other_doctor)

    assert MedicalRecord.objects.count() == 1 and not Diagnosis.objects.exists()


@pytest.fixture
def superuser(make_user):
    user = make_user("Administrator")
    user.is_superuser = user.is_staff = True
    user.save()
    return user


@pytest.mark.parametrize("who", ["Administrator", "superuser"])
def test_administrators_and_superusers_do_not_write_clinical_records(make_user, superuser, who):
    user = superuser if who == "superuser" else make_user("Administrator")
    appointment = AppointmentFactory(status=AppointmentStatus.CHECKED_IN)
    record = MedicalRecordFactory(appointment__status=AppointmentStatus.IN_PROGRESS)
    DiagnosisFactory(record=record)

    with pytest.raises(PermissionDenied, match="Only the doctor of this appointment"):
        services.record_open_for_appointment(appointment=appointment, acting_user=user)
    with pytest.raises(PermissionDenied):
        services.record_update_notes(record=record, clinical_notes="x", acting_user=user)
    with pytest.raises(PermissionDenied):
        services.diagnosis_add(record=record, code="I10", acting_user=user)
    with pytest.raises(PermissionDenied):
        services.record_sign(record=record, acting_user=user)

    assert not MedicalRecord.objects.filter(appointment=appointment).exists()
    record.refresh_from_db()
    assert record.signed_at is None and record.diagnoses.count() == 1


def test_a_superuser_cannot_amend_another_doctors_signed_record(superuser):
    record = SignedMedicalRecordFactory()
    notes = record.clinical_notes

    with pytest.raises(PermissionDenied, match="Only the doctor of this appointment"):
        services.record_amend(record=record, reason="Correction", clinical_notes="Rewritten", acting_user=superuser)

    record.refresh_from_db()
    assert record.clinical_notes == notes and record.amended_at is None
    assert record.history.count() == 1


def test_a_superuser_does_not_record_vitals_or_enter_lab_results(superuser):
    order = LabOrderFactory()

    with pytest.raises(PermissionDenied):
        services.vitals_record(patient=PatientFactory(), acting_user=superuser, **VITALS)
    with pytest.raises(PermissionDenied):
        services.lab_order_collect(order=order, acting_user=superuser)
    order.status = LabOrderStatus.COLLECTED
    order.save()
    with pytest.raises(PermissionDenied):
        services.lab_result_enter(order=order, value="85", acting_user=superuser)

    assert not Vitals.objects.exists() and not LabResult.objects.exists()


def test_a_doctor_who_is_also_a_superuser_still_writes_their_own_records():
    record = MedicalRecordFactory(appointment__status=AppointmentStatus.IN_PROGRESS)
    doctor = _doctor_user(record)
    doctor.is_superuser = True
    doctor.save()

    services.diagnosis_add(record=record, code="I10", acting_user=doctor)

    assert record.diagnoses.get().code == "I10"


# --- Notes, signing, amending -------------------------------------------------------------------


def test_the_doctor_updates_the_notes_of_a_draft():
    record = MedicalRecordFactory()

    services.record_update_notes(
        record=record, clinical_notes="BP improved.", outcome="improved", acting_user=_doctor_user(record)
    )

    record.refresh_from_db()
    assert (record.clinical_notes, record.outcome) == ("BP improved.", "improved")


def test_an_unknown_outcome_is_refused():
    record = MedicalRecordFactory()

    with pytest.raises(ValidationError):
        services.record_update_notes(record=record, outcome="cured", acting_user=_doctor_user(record))


def test_signing_needs_a_diagnosis_then_makes_the_record_final():
    record = MedicalRecordFactory()
    doctor = _doctor_user(record)

    with pytest.raises(Conflict, match="at least one diagnosis"):
        services.record_sign(record=record, acting_user=doctor)
    DiagnosisFactory(record=record)
    signed = services.record_sign(record=record, acting_user=doctor)

    assert signed.is_signed and signed.signed_by == doctor
    with pytest.raises(Conflict, match="already signed"):
        services.record_sign(record=record, acting_user=doctor)


def test_a_signed_record_refuses_every_change_except_an_amendment():
    record = SignedMedicalRecordFactory()
    doctor = _doctor_user(record)
    attempts = [
        lambda: services.record_update_notes(record=record, clinical_notes="changed", acting_user=doctor),
        lambda: services.diagnosis_add(record=record, code="I10", acting_user=doctor),
        lambda: services.procedure_add(record=record, catalog_entry=ProcedureCatalogFactory(), acting_user=doctor),
        lambda: services.prescription_create(
            record=record,
            medication=MedicationFactory(),
            dose="1 tablet",
            frequency="daily",
            duration_days=5,
            quantity=5,
            acting_user=doctor,
        ),
        lambda: services.lab_order_create(record=record, test=LabTestFactory(), acting_user=doctor),
    ]

    for attempt in attempts:
        with pytest.raises(Conflict, match="was signed") as refused:
            attempt()
        assert refused.value.code == "record_signed"

    record.refresh_from_db()
    assert record.clinical_notes == "Feels well. Adherent to medication."
    assert not (record.diagnoses.exists() or record.procedures.exists() or record.prescriptions.exists())
    assert not record.lab_orders.exists()


def test_an_amendment_needs_a_reason_and_a_signed_record():
    draft = MedicalRecordFactory()
    signed = SignedMedicalRecordFactory()

    with pytest.raises(ValidationError, match="reason"):
        services.record_amend(record=signed, reason="  ", clinical_notes="x", acting_user=_doctor_user(signed))
    with pytest.raises(Conflict, match="not signed"):
        services.record_amend(record=draft, reason="typo", clinical_notes="x", acting_user=_doctor_user(draft))

    signed.refresh_from_db()
    assert signed.clinical_notes == "Feels well. Adherent to medication." and signed.amended_at is None


def test_an_amendment_changes_the_signed_record_and_keeps_every_version():
    record = MedicalRecordFactory()
    doctor = _doctor_user(record)
    services.record_update_notes(record=record, clinical_notes="Original note.", acting_user=doctor)
    DiagnosisFactory(record=record)
    services.record_sign(record=record, acting_user=doctor)

    services.record_amend(
        record=record, reason="Wrong dose noted", clinical_notes="Corrected note.", acting_user=doctor
    )

    record.refresh_from_db()
    assert record.clinical_notes == "Corrected note."
    assert record.amendment_reason == "Wrong dose noted" and record.amended_by == doctor
    assert record.is_signed
    versions = list(record.history.order_by("history_date", "history_id"))
    assert [v.clinical_notes for v in versions] == [
        "Feels well. Adherent to medication.",
        "Original note.",
        "Original note.",
        "Corrected note.",
    ]
    assert versions[2].signed_at is not None
    assert versions[-1].history_change_reason == "Wrong dose noted"
    assert versions[-1].history_user == doctor


def test_records_cannot_be_deleted_through_the_database_links():
    record = MedicalRecordFactory()
    DiagnosisFactory(record=record)

    from django.db.models import ProtectedError

    with pytest.raises(ProtectedError):
        record.delete()


# --- Completion gate ----------------------------------------------------------------------------


def test_a_visit_is_ready_for_completion_only_with_a_record_and_a_diagnosis():
    appointment = AppointmentFactory(status=AppointmentStatus.IN_PROGRESS)
    with pytest.raises(Conflict, match="needs an open medical record with at least one diagnosis"):
        services.record_ready_for_completion(appointment)

    record = MedicalRecordFactory(appointment=appointment)
    with pytest.raises(Conflict, match="needs an open medical record with at least one diagnosis"):
        services.record_ready_for_completion(appointment)

    DiagnosisFactory(record=record)
    services.record_ready_for_completion(appointment)


# --- Diagnoses ----------------------------------------------------------------------------------


def test_a_diagnosis_takes_its_description_from_the_icd10_list_and_the_first_is_primary():
    record = MedicalRecordFactory()

    first = services.diagnosis_add(record=record, code="e119", acting_user=_doctor_user(record))
    second = services.diagnosis_add(record=record, code="I10", acting_user=_doctor_user(record))

    assert (first.code, first.description) == ("E11.9", "Type 2 diabetes mellitus without complications")
    assert second.description == "Essential (primary) hypertension"
    assert (first.is_primary, second.is_primary) == (True, False)


def test_a_new_primary_diagnosis_demotes_the_previous_one():
    record = MedicalRecordFactory()
    first = services.diagnosis_add(record=record, code="E11.9", acting_user=_doctor_user(record))

    second = services.diagnosis_add(record=record, code="J06.9", is_primary=True, acting_user=_doctor_user(record))

    first.refresh_from_db()
    assert (first.is_primary, second.is_primary) == (False, True)


@pytest.mark.parametrize(
    ("code", "message"),
    [
        ("M54.5", "category, not a billable code"),
        ("E11", "category, not a billable code"),
        ("Z99.999", "not an ICD-10-CM code"),
        ("hello", "not an ICD-10-CM code"),
        ("", "not an ICD-10-CM code"),
    ],
)
def test_only_billable_icd10_codes_are_accepted(code, message):
    record = MedicalRecordFactory()

    with pytest.raises(ValidationError, match=message):
        services.diagnosis_add(record=record, code=code, acting_user=_doctor_user(record))

    assert not Diagnosis.objects.exists()


def test_the_same_code_twice_on_a_record_is_refused():
    record = MedicalRecordFactory()
    services.diagnosis_add(record=record, code="K21.9", acting_user=_doctor_user(record))

    with pytest.raises(Conflict, match="already on this record"):
        services.diagnosis_add(record=record, code="k21.9", acting_user=_doctor_user(record))

    assert Diagnosis.objects.count() == 1


# --- Procedures ---------------------------------------------------------------------------------


def test_a_procedure_copies_code_description_and_price_from_the_catalog():
    record = MedicalRecordFactory()
    entry = ProcedureCatalogFactory(code="99213", description="Office visit, level 3", price=Decimal("110.00"))

    procedure = services.procedure_add(record=record, catalog_entry=entry, quantity=2, acting_user=_doctor_user(record))
    entry.price = Decimal("150.00")
    entry.save()

    procedure.refresh_from_db()
    assert (procedure.code, procedure.description, procedure.unit_price) == (
        "99213",
        "Office visit, level 3",
        Decimal("110.00"),
    )
    assert procedure.total == Decimal("220.00")


def test_an_inactive_procedure_cannot_be_added():
    record = MedicalRecordFactory()

    with pytest.raises(Conflict, match="no longer offered"):
        services.procedure_add(
            record=record, catalog_entry=ProcedureCatalogFactory(is_active=False), acting_user=_doctor_user(record)
        )

    assert not Procedure.objects.exists()


# --- Prescriptions ------------------------------------------------------------------------------

RX = {"dose": "500 mg", "frequency": "three times daily", "duration_days": 7, "quantity": 21}


def test_the_doctor_prescribes_a_medication():
    record = MedicalRecordFactory()
    medication = MedicationFactory(name="Metformin")

    rx = services.prescription_create(record=record, medication=medication, acting_user=_doctor_user(record), **RX)

    assert rx.status == PrescriptionStatus.ACTIVE and rx.allergy_override_reason == ""
    assert rx.prescribed_by == _doctor_user(record)


@pytest.mark.parametrize(
    ("substance", "name", "category"),
    [
        ("penicillin", "Amoxicillin", "Penicillins"),  # against the category
        ("AMOXICILLIN", "Amoxicillin", "Penicillins"),  # against the name, any case
        ("Sulfa drugs", "Sulfa drugs", ""),
    ],
)
def test_a_medication_the_patient_is_allergic_to_is_refused_naming_the_allergy(substance, name, category):
    record = MedicalRecordFactory()
    AllergyFactory(patient=record.patient, substance=substance, reaction="Anaphylaxis")
    medication = MedicationFactory(name=name, category=category)

    with pytest.raises(Conflict) as refused:
        services.prescription_create(record=record, medication=medication, acting_user=_doctor_user(record), **RX)

    assert refused.value.code == "allergy"
    assert substance in refused.value.message and name in refused.value.message
    assert not Prescription.objects.exists()


def test_an_allergy_override_reason_lets_the_prescription_through_and_is_kept():
    record = MedicalRecordFactory()
    AllergyFactory(patient=record.patient, substance="Penicillin")
    medication = MedicationFactory(name="Amoxicillin", category="Penicillins")

    rx = services.prescription_create(
        record=record,
        medication=medication,
        allergy_override_reason="Desensitised in 2023; tolerated since.",
        acting_user=_doctor_user(record),
        **RX,
    )

    rx.refresh_from_db()
    assert rx.allergy_override_reason == "Desensitised in 2023; tolerated since."


def test_inactive_allergies_and_other_patients_allergies_do_not_refuse():
    record = MedicalRecordFactory()
    AllergyFactory(patient=record.patient, substance="Penicillin", is_active=False)
    AllergyFactory(patient=PatientFactory(), substance="Penicillin")
    medication = MedicationFactory(name="Amoxicillin", category="Penicillins")

    rx = services.prescription_create(record=record, medication=medication, acting_user=_doctor_user(record), **RX)

    assert rx.pk and rx.allergy_override_reason == ""


def test_only_active_medications_can_be_prescribed():
    record = MedicalRecordFactory()
    supply = MedicationFactory(kind="supply", name="Gauze")

    with pytest.raises(ValidationError, match="not a medication"):
        services.prescription_create(record=record, medication=supply, acting_user=_doctor_user(record), **RX)
    with pytest.raises(Conflict, match="no longer stocked"):
        services.prescription_create(
            record=record, medication=MedicationFactory(is_active=False), acting_user=_doctor_user(record), **RX
        )

    assert not Prescription.objects.exists()


def test_an_implausible_duration_is_refused():
    record = MedicalRecordFactory()

    with pytest.raises(ValidationError, match="duration_days"):
        services.prescription_create(
            record=record,
            medication=MedicationFactory(),
            acting_user=_doctor_user(record),
            **{**RX, "duration_days": 0},
        )


def test_cancelling_a_prescription_needs_a_reason_and_works_after_signing():
    rx = PrescriptionFactory(record=SignedMedicalRecordFactory())
    doctor = _doctor_user(rx.record)

    with pytest.raises(ValidationError):
        services.prescription_cancel(prescription=rx, reason="", acting_user=doctor)
    cancelled = services.prescription_cancel(prescription=rx, reason="Patient reports nausea", acting_user=doctor)

    assert cancelled.status == PrescriptionStatus.CANCELLED
    assert cancelled.cancellation_reason == "Patient reports nausea" and cancelled.cancelled_by == doctor
    with pytest.raises(Conflict, match="cancelled prescription cannot be cancelled"):
        services.prescription_cancel(prescription=rx, reason="again", acting_user=doctor)


# --- Labs ---------------------------------------------------------------------------------------


def test_a_lab_order_goes_ordered_collected_resulted(make_user):
    record = MedicalRecordFactory()
    tech = make_user("Lab Technician")

    order = services.lab_order_create(record=record, test=LabTestFactory(), acting_user=_doctor_user(record))
    assert order.status == LabOrderStatus.ORDERED

    with pytest.raises(Conflict, match="not been collected"):
        services.lab_result_enter(order=order, value="85", acting_user=tech)
    order = services.lab_order_collect(order=order, acting_user=tech)
    assert order.status == LabOrderStatus.COLLECTED and order.collected_by == tech

    result = services.lab_result_enter(order=order, value="85.5", acting_user=tech)
    order.refresh_from_db()
    assert (result.value, result.unit, result.flag) == (Decimal("85.5"), "mg/dL", LabResultFlag.NORMAL)
    assert order.status == LabOrderStatus.RESULTED and order.resulted_at == result.resulted_at
    assert result.history.get().history_user == tech

    with pytest.raises(Conflict, match="already has a result"):
        services.lab_result_enter(order=order, value="90", acting_user=tech)
    with pytest.raises(Conflict, match="only ordered tests are collected"):
        services.lab_order_collect(order=order, acting_user=tech)
    assert LabResult.objects.count() == 1


@pytest.mark.parametrize(
    ("value", "flag"),
    [
        ("40", "critical"),  # == critical low
        ("40.001", "low"),
        ("69.999", "low"),
        ("70", "normal"),  # == reference low
        ("99", "normal"),  # == reference high
        ("99.001", "high"),
        ("399.999", "high"),
        ("400", "critical"),  # == critical high
        ("12", "critical"),
        ("650", "critical"),
    ],
)
def test_results_are_flagged_against_the_reference_range_at_its_edges(value, flag, make_user):
    order = LabOrderFactory(status=LabOrderStatus.COLLECTED)

    result = services.lab_result_enter(order=order, value=value, acting_user=make_user("Lab Technician"))

    assert result.flag == flag


def test_a_test_without_critical_bounds_flags_only_low_and_high(make_user):
    test = LabTestFactory(critical_low=None, critical_high=None, reference_low=Decimal("12"), reference_high=None)

    assert [test.flag_for(v) for v in ("0", "11.9", "12", "9999")] == ["low", "low", "normal", "normal"]


def test_a_result_that_is_not_a_number_is_refused(make_user):
    order = LabOrderFactory(status=LabOrderStatus.COLLECTED)

    with pytest.raises(ValidationError):
        services.lab_result_enter(order=order, value="high", acting_user=make_user("Lab Technician"))

    order.refresh_from_db()
    assert order.status == LabOrderStatus.COLLECTED and not LabResult.objects.exists()


def test_signed_records_still_get_their_lab_results(make_user):
    order = LabOrderFactory(record=SignedMedicalRecordFactory())
    tech = make_user("Lab Technician")

    services.lab_order_collect(order=order, acting_user=tech)
    result = services.lab_result_enter(order=order, value="120", acting_user=tech)

    assert result.flag == LabResultFlag.HIGH


def test_an_inactive_lab_test_cannot_be_ordered():
    record = MedicalRecordFactory()

    with pytest.raises(Conflict, match="no longer offered"):
        services.lab_order_create(record=record, test=LabTestFactory(is_active=False), acting_user=_doctor_user(record))


# --- Vitals -------------------------------------------------------------------------------------

VITALS = {
    "systolic_bp": 120,
    "diastolic_bp": 80,
    "heart_rate": 70,
    "temperature_c": Decimal("36.6"),
    "respiratory_rate": 14,
    "spo2": 98,
    "weight_kg": Decimal("70.00"),
    "height_cm": Decimal("175.0"),
}


def test_a_nurse_records_vitals_and_the_bmi_is_derived(make_user):
    appointment = AppointmentFactory(status=AppointmentStatus.CHECKED_IN)
    nurse = make_user("Nurse")

    vitals = services.vitals_record(patient=appointment.patient, appointment=appointment, acting_user=nurse, **VITALS)

    vitals.refresh_from_db()
    assert vitals.bmi == Decimal("22.9")  # 70 / 1.75²
    assert vitals.blood_pressure == "120/80" and vitals.recorded_by == nurse


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("systolic_bp", 49, "Systolic blood pressure must be between 50 and 300 mmHg"),
        ("systolic_bp", 301, "Systolic blood pressure must be between 50 and 300 mmHg"),
        ("diastolic_bp", 19, "Diastolic blood pressure must be between 20 and 200 mmHg"),
        ("heart_rate", 19, "Heart rate must be between 20 and 300"),
        ("heart_rate", 301, "Heart rate must be between 20 and 300"),
        ("temperature_c", Decimal("24.9"), "Temperature must be between 25 and 45"),
        ("temperature_c", Decimal("45.1"), "Temperature must be between 25 and 45"),
        ("respiratory_rate", 3, "Respiratory rate must be between 4 and 80"),
        ("respiratory_rate", 81, "Respiratory rate must be between 4 and 80"),
        ("spo2", 49, "SpO2 must be between 50 and 100"),
        ("spo2", 101, "SpO2 must be between 50 and 100"),
        ("weight_kg", Decimal("0.29"), "Weight must be between 0.3 and 500"),
        ("weight_kg", Decimal("500.01"), "Weight must be between 0.3 and 500"),
        ("height_cm", Decimal("19.9"), "Height must be between 20 and 260"),
        ("height_cm", Decimal("260.1"), "Height must be between 20 and 260"),
    ],
)
def test_implausible_vitals_are_refused_with_a_message(field, value, message, make_user):
    patient = PatientFactory()

    with pytest.raises(ValidationError) as refused:
        services.vitals_record(patient=patient, acting_user=make_user("Nurse"), **{**VITALS, field: value})

    assert message in refused.value.message_dict[field][0]
    assert not Vitals.objects.exists()


@pytest.mark.parametrize(
    ("field", "value"),
    [("systolic_bp", 50), ("systolic_bp", 300), ("spo2", 100), ("weight_kg", Decimal("0.3")), ("height_cm", 260)],
)
def test_vitals_at_the_plausible_edges_are_accepted(field, value, make_user):
    data = {**VITALS, field: value}
    if field == "systolic_bp" and value == 50:
        data["diastolic_bp"] = 30

    vitals = services.vitals_record(patient=PatientFactory(), acting_user=make_user("Nurse"), **data)

    assert getattr(vitals, field) == value


def test_diastolic_must_be_below_systolic_and_both_are_given(make_user):
    nurse = make_user("Nurse")
    patient = PatientFactory()

    with pytest.raises(ValidationError, match="below the systolic"):
        services.vitals_record(patient=patient, acting_user=nurse, systolic_bp=120, diastolic_bp=120)
    with pytest.raises(ValidationError, match="both the systolic and the diastolic"):
        services.vitals_record(patient=patient, acting_user=nurse, systolic_bp=120)
    with pytest.raises(ValidationError, match="at least one measurement"):
        services.vitals_record(patient=patient, acting_user=nurse)

    assert not Vitals.objects.exists()


def test_vitals_refuse_another_patients_appointment(make_user):
    appointment = AppointmentFactory(status=AppointmentStatus.CHECKED_IN)

    with pytest.raises(ValidationError, match="another patient"):
        services.vitals_record(
            patient=PatientFactory(), appointment=appointment, acting_user=make_user("Nurse"), heart_rate=80
        )
