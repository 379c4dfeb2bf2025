"""manage.py seed_scale: bulk-loaded data that is as valid as the services would have made it.

One small load (50 patients, 2,000 appointments) is shared by the tests of this module: it is made
once inside a transaction that is rolled back at the end, and each test runs in a savepoint of it.
"""

from datetime import timedelta
from decimal import Decimal
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.db import connection, transaction
from django.db.models import Count, Sum
from django.test import Client, override_settings
from django.utils import timezone

from billing.models import Bill, BillLine, Claim, Payment
from billing.services import bill_create_for_appointment
from clinical import icd10
from clinical.models import Diagnosis, MedicalRecord
from demo import core as demo
from demo import scale
from inventory.models import Batch, StockMovement
from patients.models import InsurancePolicy, Patient
from patients.services import patient_register
from scheduling.choices import AppointmentStatus
from scheduling.models import Appointment, Availability
from scheduling.selectors import doctor_free_slot_objects
from scheduling.services import appointment_book
from staff.models import Hospital, StaffMember

PATIENTS, APPOINTMENTS, LONG, SHORT = 50, 2000, 120, 10
ACTIVE = ("scheduled", "checked_in", "in_progress")


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker):
    fast_hashing = override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"])
    with django_db_blocker.unblock(), fast_hashing, transaction.atomic():
        out = StringIO()
        call_command(
            "seed_scale", patients=PATIENTS, appointments=APPOINTMENTS, long_timeline=LONG, short_timeline=SHORT,
            stdout=out, stderr=StringIO(),
        )
        yield out.getvalue()
        transaction.set_rollback(True)


pytestmark = pytest.mark.django_db


def _scalar(sql):
    with connection.cursor() as cursor:
        cursor.execute(sql)
        return cursor.fetchone()[0]


def test_it_loads_the_patients_and_appointments_asked_for(seeded):
    assert Patient.objects.count() == PATIENTS
    assert Appointment.objects.count() == APPOINTMENTS


def test_it_prints_the_rows_per_second(seeded):
    assert "rows/s" in seeded
    assert "Thousand Timeline" in seeded


def test_the_chain_spans_five_hospitals_in_different_time_zones_each_with_doctors(seeded):
    hospitals = list(Hospital.objects.all())
    assert len(hospitals) == 5
    assert len({h.timezone for h in hospitals}) == 5
    for hospital in hospitals:
        assert Appointment.objects.filter(hospital=hospital).exists(), hospital


def test_no_doctor_has_two_active_appointments_at_the_same_time(seeded):
    table = Appointment._meta.db_table
    statuses = ", ".join(f"'{s}'" for s in ACTIVE)
    overlaps = _scalar(
        f"SELECT COUNT(*) FROM {table} a JOIN {table} b ON a.doctor_id = b.doctor_id AND a.id < b.id "
        f"AND a.start < b.end AND b.start < a.end "
        f"WHERE a.status IN ({statuses}) AND b.status IN ({statuses})"
    )
    assert overlaps == 0


def test_no_patient_is_booked_twice_at_the_same_time(seeded):
    table = Appointment._meta.db_table
    overlaps = _scalar(
        f"SELECT COUNT(*) FROM {table} a JOIN {table} b ON a.patient_id = b.patient_id AND a.id < b.id "
        f"AND a.start < b.end AND b.start < a.end WHERE a.status <> 'cancelled' AND b.status <> 'cancelled'"
    )
    assert overlaps == 0


def test_every_appointment_lies_in_an_availability_window_of_its_doctor(seeded):
    windows = {}
    for window in Availability.objects.select_related("hospital"):
        windows.setdefault(window.doctor_id, []).append(window)
    for appointment in Appointment.objects.select_related("hospital")[:300]:
        local = appointment.start.astimezone(appointment.hospital.tzinfo)
        assert any(
            w.weekday == local.weekday() and w.is_valid_on(local.date())
            and w.start_time <= local.time() and (local + timedelta(minutes=w.slot_minutes)).time() <= w.end_time
            for w in windows[appointment.doctor_id]
        ), appointment


def test_past_visits_are_mostly_completed_and_future_ones_scheduled(seeded):
    now = timezone.now()
    past = Appointment.objects.filter(end__lte=now)
    future = Appointment.objects.filter(start__gte=now)
    assert past.filter(status=AppointmentStatus.COMPLETED).count() > past.count() / 2
    assert past.filter(status=AppointmentStatus.CANCELLED).exists()
    assert past.filter(status=AppointmentStatus.NO_SHOW).exists()
    assert not past.filter(status__in=ACTIVE).exists()
    assert not future.exclude(status__in=[AppointmentStatus.SCHEDULED, AppointmentStatus.CANCELLED]).exists()
    assert future.filter(status=AppointmentStatus.SCHEDULED).exists()


def test_every_completed_visit_and_only_those_have_a_signed_record_with_billable_diagnoses(seeded):
    completed = Appointment.objects.filter(status=AppointmentStatus.COMPLETED)
    assert MedicalRecord.objects.count() == completed.count() > 0
    assert not MedicalRecord.objects.exclude(appointment__status=AppointmentStatus.COMPLETED).exists()
    assert not MedicalRecord.objects.filter(signed_at__isnull=True).exists()
    assert not MedicalRecord.objects.annotate(n=Count("diagnoses")).filter(n=0).exists()
    assert all(icd10.is_billable(code) for code in Diagnosis.objects.values_list("code", flat=True).distinct())


def test_about_a_fifth_of_the_appointments_have_a_bill_whose_totals_add_up(seeded):
    bills = Bill.objects.count()
    assert APPOINTMENTS * 0.12 < bills < APPOINTMENTS * 0.28
    assert not Bill.objects.exclude(appointment__status=AppointmentStatus.COMPLETED).exists()
    assert Claim.objects.exists() and Payment.objects.exists()
    for bill in Bill.objects.all()[:200]:
        lines = bill.lines.aggregate(s=Sum("amount"))["s"]
        paid = bill.payments.aggregate(s=Sum("amount"))["s"] or Decimal("0")
        assert bill.total == lines, bill
        assert bill.amount_paid == paid, bill
        assert bill.balance == bill.total - paid, bill
        assert bill.patient_due == bill.total - bill.insurance_covered, bill


def test_every_bulk_loaded_model_with_history_has_a_creation_row_for_each_row(seeded):
    for model in (Patient, InsurancePolicy, Availability, Appointment, MedicalRecord, Diagnosis, Bill, BillLine,
                  Claim, Payment, Batch):
        assert model.objects.exists(), model
        assert model.history.filter(history_type="+").count() >= model.objects.count(), model
    assert StockMovement.objects.exists()


def test_the_demo_logins_can_log_in(seeded):
    for username in demo.DEMO_USERNAMES:
        assert Client().login(username=username, password=demo.DEFAULT_PASSWORD), username
    doctor = StaffMember.objects.get(user__username="doctor")
    assert doctor.appointments.count() > APPOINTMENTS / StaffMember.objects.doctors().count()
    portal = Patient.objects.get(user__username="patient")
    assert portal.appointments.filter(status=AppointmentStatus.SCHEDULED).exists()


def test_the_timeline_patients_have_exactly_their_visits(seeded):
    long_, short = scale.timeline_patients()
    for patient, visits in ((long_, LONG), (short, SHORT)):
        assert patient.appointments.count() == visits
        assert patient.appointments.filter(status=AppointmentStatus.COMPLETED).count() == visits
        assert patient.medical_records.count() == visits


def test_registrations_bookings_and_bills_after_seeding_take_fresh_numbers(seeded):
    admin = get_user_model().objects.get(username="admin")
    patient = patient_register(
        acting_user=admin, first_name="Nova", last_name="Fresh", date_of_birth="1990-01-01", sex="female"
    )
    assert Patient.objects.filter(mrn=patient.mrn).count() == 1
    doctor = StaffMember.objects.get(user__username="doctor")
    today = timezone.localdate()
    slot = doctor_free_slot_objects(doctor=doctor, date_from=today + timedelta(days=7),
                                    date_to=today + timedelta(days=30))[0]
    booked = appointment_book(acting_user=admin, patient=patient, doctor=doctor, start=slot.start, reason="Check-up")
    assert booked.pk and booked.status == AppointmentStatus.SCHEDULED
    visit = Appointment.objects.filter(status=AppointmentStatus.COMPLETED, bill__isnull=True).latest("start")
    bill = bill_create_for_appointment(appointment=visit, acting_user=admin)
    assert Bill.objects.filter(number=bill.number).count() == 1


def test_it_refuses_a_database_that_already_has_patients(seeded):
    with pytest.raises(CommandError, match="--force"):
        call_command("seed_scale", patients=5, appointments=10, stdout=StringIO(), stderr=StringIO())



def test_the_roll_ups_the_dashboard_reads_equal_the_loaded_rows(seeded):
    from scheduling.models import AppointmentDailyCount

    assert AppointmentDailyCount.objects.exists()
    call_command("rebuild_rollups", check=True, stdout=StringIO())  # a CommandError when one differs
