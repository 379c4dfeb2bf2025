"""A believable demo (issue 12): today always has visits in every state for the demo doctor and the board, the
nurse has patients waiting for vitals, the roster has shifts, and every figure the seed prints is the database's.

The whole demo is seeded once for the module (it takes a while) inside a transaction rolled back at the end."""

import datetime
import re
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from billing.models import Bill, Claim, PriceListEntry
from clinical.choices import PrescriptionStatus
from clinical.models import Diagnosis, LabResult, MedicalRecord, Prescription, Vitals
from inventory.models import Batch, Store
from patients.models import Allergy, InsurancePolicy, MedicalHistoryEntry, Patient, Payer
from scheduling.choices import AppointmentStatus
from scheduling.models import Appointment, Availability, Room
from staff.models import Department, Shift, StaffMember

pytestmark = pytest.mark.django_db

EVERY_STATE = set(AppointmentStatus.values)


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker):
    """seed_demo with 30 patients, once; (printed output). Rolled back after the module."""
    with django_db_blocker.unblock(), transaction.atomic():
        out = StringIO()
        call_command("seed_demo", stdout=out, stderr=StringIO(), password="demo-pass", patients=30)
        yield out.getvalue()
        transaction.set_rollback(True)


def user(username):
    return get_user_model().objects.get(username=username)


def demo_doctors_day():
    doctor = StaffMember.objects.select_related("hospital").get(user__username="doctor")
    tz = doctor.hospital.tzinfo
    midnight = datetime.datetime.combine(timezone.now().astimezone(tz).date(), datetime.time.min, tzinfo=tz)
    return doctor, Appointment.objects.filter(
        doctor=doctor, start__gte=midnight, start__lt=midnight + datetime.timedelta(days=1)
    )


# --- today ------------------------------------------------------------------------------------------------------


def test_today_the_demo_doctor_has_a_visit_in_every_state(seeded, client):
    doctor, day = demo_doctors_day()
    client.force_login(user("doctor"))

    schedule = client.get(reverse("scheduling:my_schedule"))

    assert {a.status for a in day} == EVERY_STATE
    assert {a.status for a in schedule.context["page"]} == EVERY_STATE


def test_the_reception_board_opens_on_today_with_a_visit_in_every_state(seeded, client):
    client.force_login(user("reception"))

    board = client.get(reverse("scheduling:board"))

    assert board.status_code == 200
    assert board.context["department"] is None  # all clinical departments of the hospital
    assert {a.status for a in board.context["page"]} == EVERY_STATE


def test_the_demo_doctor_and_nurse_read_the_full_charts_of_todays_patients(seeded, client):
    """Minimum necessary (patients.policies): today's visits give both a care relationship."""
    _doctor, day = demo_doctors_day()
    patient = day.exclude(status=AppointmentStatus.CANCELLED).first().patient
    for username in ("doctor", "nurse"):
        client.force_login(user(username))
        assert client.get(reverse("clinical:chart", args=[patient.pk])).status_code == 200, username
        assert "break-glass" not in client.get(patient.get_absolute_url()).content.decode(), username


def test_demo_patients_gave_their_consents_and_the_portal_patient_too(seeded):
    from patients.models import Consent

    assert Consent.objects.filter(granted=True).exists()
    assert Consent.objects.filter(patient__user__username="patient").exists()


def test_the_nurse_starts_on_patients_checked_in_today_waiting_for_vitals(seeded, client):
    _doctor, day = demo_doctors_day()
    client.force_login(user("nurse"))

    queue = client.get(reverse("home"), follow=True)

    waiting = [a.pk for a in day.filter(status=AppointmentStatus.CHECKED_IN).order_by("checked_in_at", "id")]
    assert len(waiting) >= 3
    assert [a.pk for a in queue.context["page"]] == waiting


def test_what_has_happened_today_is_dated_between_midnight_and_now(seeded):
    doctor, day = demo_doctors_day()
    tz = doctor.hospital.tzinfo
    now = timezone.now()
    for appointment in day:
        for moment in (appointment.checked_in_at, appointment.started_at, appointment.completed_at):
            if moment is not None:
                assert moment.astimezone(tz).date() == now.astimezone(tz).date() and moment <= now


# --- the roster -----------------------------------------------------------------------------------------------------


def test_the_roster_of_each_demo_login_has_shifts_this_week_and_nobody_works_two_at_once(seeded, client):
    for username in ("nurse", "doctor", "reception"):
        client.force_login(user(username))
        roster = client.get(reverse("staff:roster"))
        assert roster.status_code == 200
        assert roster.context["rows"], username
    by_person = {}
    for shift in Shift.objects.order_by("staff_member_id", "start"):
        previous = by_person.get(shift.staff_member_id)
        assert previous is None or previous.end <= shift.start, (previous, shift)
        by_person[shift.staff_member_id] = shift


# --- the summary ----------------------------------------------------------------------------------------------------


def figures(out, label):
    """{name: number} of the summary line ``label`` ("12 rooms, 3 windows added" -> {"rooms": 12, ...})."""
    line = next(line for line in out.splitlines() if line.startswith(f"  {label} "))
    text = line[len(label) + 2 :].strip().removesuffix(" added")
    return {name: int(number) for number, name in re.findall(r"(\d+) ([a-z][a-z ]*[a-z])", text)}


def first_number(out, label):
    line = next(line for line in out.splitlines() if line.startswith(f"  {label} "))
    return int(re.search(r"\d+", line[len(label) + 2 :]).group(0))


def test_every_figure_the_summary_prints_is_the_database_count(seeded):
    out = seeded
    bills, prescriptions = Bill.objects.all(), Prescription.objects.all()
    assert first_number(out, "Departments") == Department.objects.count()
    assert figures(out, "Staff members") == {"doctors": StaffMember.objects.doctors().count()}
    assert first_number(out, "Staff members") == StaffMember.objects.count()
    assert first_number(out, "Patients") == Patient.objects.count()
    assert first_number(out, "Allergies") == Allergy.objects.count()
    assert first_number(out, "Medical history entries") == MedicalHistoryEntry.objects.count()
    assert first_number(out, "Payers") == Payer.objects.count()
    assert first_number(out, "Insurance policies") == InsurancePolicy.objects.count()
    assert first_number(out, "Patients without insurance") == Patient.objects.filter(
        insurance_policies__isnull=True
    ).count()
    # What each app's hook added (a fresh database: all there is).
    assert figures(out, "staff") == {"shifts": Shift.objects.count()}
    assert figures(out, "scheduling") == {
        "rooms": Room.objects.count(),
        "availability windows": Availability.objects.count(),
        "appointments": Appointment.objects.count(),
    }
    assert figures(out, "clinical") == {
        "medical records": MedicalRecord.objects.count(),
        "diagnoses": Diagnosis.objects.count(),
        "prescriptions": prescriptions.count(),
        "lab results": LabResult.objects.count(),
        "vitals": Vitals.objects.count(),
        "results awaiting the demo doctor": LabResult.objects.filter(
            doctor__user__username="doctor", acknowledged=False
        ).count(),
    }
    assert figures(out, "billing") == {
        "price list entries": PriceListEntry.objects.count(),
        "visit bills": bills.filter(appointment__isnull=False).count(),
    }
    assert figures(out, "inventory") == {
        "stores": Store.objects.count(),
        "batches": Batch.objects.count(),
        "dispensings": prescriptions.filter(stock_movements__isnull=False).distinct().count(),
    }
    # Totals of rows several hooks add, counted at the end.
    assert first_number(out, "Shifts") == Shift.objects.count()
    assert first_number(out, "Appointments") == Appointment.objects.count()
    assert figures(out, "Prescriptions") == {
        "dispensed": prescriptions.filter(status=PrescriptionStatus.DISPENSED).count()
    }
    assert first_number(out, "Prescriptions") == prescriptions.count()
    assert figures(out, "Bills") == {"of visits": bills.filter(appointment__isnull=False).count()}
    assert first_number(out, "Bills") == bills.count()
    assert first_number(out, "Claims") == Claim.objects.count()


def test_the_privacy_officer_login_is_shown_the_access_log(seeded):
    start = reverse("privacy:access_log")
    assert re.search(rf"\n  privacy +Privacy Officer +{start}", seeded)


def test_the_insurer_logins_are_shown_their_claims_queue(seeded):
    start = reverse("billing:claims_queue")
    assert re.search(rf"\n  insurer +Insurer +{start} \(Blue Cross Blue Shield only\)", seeded)
