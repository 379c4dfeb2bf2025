"""Completing an appointment creates its bill, exactly once."""

from decimal import Decimal

import pytest

from billing.choices import BillLineKind, BillStatus
from billing.models import Bill
from clinical.tests.factories import DiagnosisFactory, MedicalRecordFactory, ProcedureCatalogFactory, ProcedureFactory
from scheduling import services as scheduling_services
from scheduling.choices import AppointmentStatus
from scheduling.models import Appointment
from scheduling.signals import appointment_completed
from scheduling.tests.factories import AppointmentFactory

pytestmark = pytest.mark.django_db


def visit_in_progress():
    appointment = AppointmentFactory(status=AppointmentStatus.IN_PROGRESS)
    record = MedicalRecordFactory(appointment=appointment)
    DiagnosisFactory(record=record)
    ProcedureFactory(record=record, catalog_entry=ProcedureCatalogFactory(code="93000", price=Decimal("60.00")))
    return appointment


def test_completing_an_appointment_creates_its_draft_bill():
    appointment = visit_in_progress()
    doctor_user = appointment.doctor.user
    scheduling_services.appointment_complete(appointment=appointment, acting_user=doctor_user)

    bill = Bill.objects.get(appointment=appointment)
    assert bill.status == BillStatus.DRAFT
    assert bill.patient == appointment.patient and bill.hospital == appointment.hospital
    assert sorted(bill.lines.values_list("kind", flat=True)) == [BillLineKind.CONSULTATION, BillLineKind.PROCEDURE]
    assert bill.total == Decimal("210.00")
    assert bill.history.earliest().history_user == doctor_user


def test_the_signal_sent_twice_leaves_one_bill(make_user):
    appointment = visit_in_progress()
    Appointment.objects.filter(pk=appointment.pk).update(status=AppointmentStatus.COMPLETED)
    doctor_user = make_user("Doctor")
    appointment_completed.send(sender=Appointment, appointment=appointment, acting_user=doctor_user)
    appointment_completed.send(sender=Appointment, appointment=appointment, acting_user=doctor_user)
    assert Bill.objects.filter(appointment=appointment).count() == 1
    assert Bill.objects.get().lines.count() == 2


def test_the_bill_is_recorded_as_made_by_the_signals_acting_user_not_by_a_private_attribute(make_user):
    """The receiver records the user the signal names; what an earlier save left on the object is ignored."""
    appointment = visit_in_progress()
    Appointment.objects.filter(pk=appointment.pk).update(status=AppointmentStatus.COMPLETED)
    completer, someone_else = make_user("Doctor"), make_user("Receptionist")
    appointment._history_user = someone_else
    appointment_completed.send(sender=Appointment, appointment=appointment, acting_user=completer)
    assert Bill.objects.get(appointment=appointment).history.earliest().history_user == completer


def test_a_failing_bill_refuses_the_completion(monkeypatch, make_user):
    """The bill is made inside the completion's transaction: no bill, no completion."""
    appointment = visit_in_progress()

    def broken(**kwargs):
        raise RuntimeError("billing is down")

    monkeypatch.setattr("billing.services.bill_create_for_appointment", broken)
    with pytest.raises(RuntimeError):
        scheduling_services.appointment_complete(appointment=appointment, acting_user=appointment.doctor.user)
    appointment.refresh_from_db()
    assert appointment.status == AppointmentStatus.IN_PROGRESS
    assert not Bill.objects.exists()
