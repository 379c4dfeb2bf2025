import datetime
from decimal import Decimal

import factory
from django.utils import timezone

from catalog.tests.factories import MedicationFactory
from clinical.choices import LabOrderStatus
from clinical.models import (
    CriticalResultCall,
    Diagnosis,
    LabOrder,
    LabResult,
    LabTest,
    MedicalRecord,
    Prescription,
    Procedure,
    ProcedureCatalog,
    Vitals,
)
from scheduling.choices import AppointmentStatus
from scheduling.tests.factories import AppointmentFactory


class ProcedureCatalogFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ProcedureCatalog
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"9{n:04d}")
    description = "Office visit, established patient"
    price = Decimal("120.00")


class LabTestFactory(factory.django.DjangoModelFactory):
    """Fasting glucose: normal 70-99 mg/dL, critical at or below 40 and at or above 400."""

    class Meta:
        model = LabTest
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"LT{n:04d}")
    name = "Glucose, fasting"
    unit = "mg/dL"
    reference_low = Decimal("70")
    reference_high = Decimal("99")
    critical_low = Decimal("40")
    critical_high = Decimal("400")
    price = Decimal("15.00")


class CheckedInAppointmentFactory(AppointmentFactory):
    status = AppointmentStatus.CHECKED_IN
    checked_in_at = factory.LazyFunction(timezone.now)


class MedicalRecordFactory(factory.django.DjangoModelFactory):
    """An open (unsigned) record of a checked-in appointment."""

    class Meta:
        model = MedicalRecord

    appointment = factory.SubFactory(CheckedInAppointmentFactory)
    patient = factory.SelfAttribute("appointment.patient")
    doctor = factory.SelfAttribute("appointment.doctor")
    chief_complaint = "Follow-up of blood sugar"
    clinical_notes = "Feels well. Adherent to medication."
    opened_by = factory.SelfAttribute("doctor.user")


class SignedMedicalRecordFactory(MedicalRecordFactory):
    signed_at = factory.LazyFunction(timezone.now)
    signed_by = factory.SelfAttribute("doctor.user")


class DiagnosisFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Diagnosis

    record = factory.SubFactory(MedicalRecordFactory)
    patient = factory.SelfAttribute("record.patient")
    code = "E11.9"
    description = "Type 2 diabetes mellitus without complications"
    is_primary = True


class ProcedureFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Procedure

    record = factory.SubFactory(MedicalRecordFactory)
    catalog_entry = factory.SubFactory(ProcedureCatalogFactory)
    code = factory.SelfAttribute("catalog_entry.code")
    description = factory.SelfAttribute("catalog_entry.description")
    unit_price = factory.SelfAttribute("catalog_entry.price")
    quantity = 1


class PrescriptionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Prescription

    record = factory.SubFactory(MedicalRecordFactory)
    patient = factory.SelfAttribute("record.patient")
    medication = factory.SubFactory(MedicationFactory)
    dose = "500 mg"
    route = "oral"
    frequency = "twice daily"
    duration_days = 30
    quantity = 60


class LabOrderFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = LabOrder

    record = factory.SubFactory(MedicalRecordFactory)
    test = factory.SubFactory(LabTestFactory)
    status = LabOrderStatus.ORDERED


class LabResultFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = LabResult

    order = factory.SubFactory(
        LabOrderFactory, status=LabOrderStatus.RESULTED, resulted_at=factory.LazyFunction(timezone.now)
    )
    value = Decimal("85")
    unit = factory.SelfAttribute("order.test.unit")
    flag = factory.LazyAttribute(lambda r: r.order.test.flag_for(r.value))
    doctor = factory.SelfAttribute("order.record.doctor")
    patient = factory.SelfAttribute("order.record.patient")


class CriticalResultFactory(LabResultFactory):
    """A critical glucose (450 mg/dL), not yet acknowledged nor called."""

    value = Decimal("450")


class CriticalResultCallFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CriticalResultCall

    result = factory.SubFactory(CriticalResultFactory)
    called_to = "Dr. Lee"
    called_at = factory.LazyFunction(timezone.now)
    read_back_confirmed = True
    value = factory.SelfAttribute("result.value")

    @factory.post_generation
    def mark_called(obj, create, extracted, **kwargs):
        if create:
            LabResult.objects.filter(pk=obj.result_id).update(last_call=obj)
            obj.result.last_call = obj


class VitalsFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Vitals

    patient = factory.SubFactory("patients.tests.factories.PatientFactory")
    systolic_bp = 128
    diastolic_bp = 82
    heart_rate = 72
    temperature_c = Decimal("36.8")
    respiratory_rate = 14
    spo2 = 98
    weight_kg = Decimal("80.00")
    height_cm = Decimal("175.0")


def lab_result_for(doctor, value="85", *, ago_minutes=30, **kwargs):
    """A result of a glucose test the doctor ordered, resulted ``ago_minutes`` ago (normal 70-99, critical <= 40
    or >= 400), on a signed record."""
    at = timezone.now() - datetime.timedelta(minutes=ago_minutes)
    record = SignedMedicalRecordFactory(appointment__doctor=doctor)
    return LabResultFactory(order__record=record, value=Decimal(value), resulted_at=at, **kwargs)
