"""manage.py seed_demo with the clinical hook: every completed visit gets a signed, consistent record."""

from io import StringIO

import pytest
from django.core.management import call_command

from clinical import icd10
from clinical.models import Diagnosis, LabResult, MedicalRecord, Prescription, Vitals
from clinical.services import matching_allergies, record_ready_for_completion
from scheduling.choices import AppointmentStatus
from scheduling.models import Appointment

pytestmark = pytest.mark.django_db


def _seed():
    out = StringIO()
    call_command("seed_demo", stdout=out, stderr=StringIO(), password="demo-pass", patients=12)
    return out.getvalue()


def test_every_completed_visit_gets_a_signed_record_with_real_codes_and_runs_twice_safely():
    out = _seed()

    completed = Appointment.objects.filter(status=AppointmentStatus.COMPLETED)
    assert completed.exists()
    assert MedicalRecord.objects.count() == completed.count()
    assert not MedicalRecord.objects.filter(signed_at__isnull=True).exists()
    for appointment in completed:
        record_ready_for_completion(appointment)
    assert all(icd10.is_billable(code) for code in Diagnosis.objects.values_list("code", flat=True))
    assert Vitals.objects.count() == completed.count()
    for result in LabResult.objects.select_related("order__test"):
        assert result.flag == result.order.test.flag_for(result.value)
    for rx in Prescription.objects.select_related("record__patient", "medication"):
        assert not matching_allergies(patient=rx.record.patient, medication=rx.medication)
    assert "medical records" in out

    counts = (MedicalRecord.objects.count(), Diagnosis.objects.count(), LabResult.objects.count())
    _seed()
    assert (MedicalRecord.objects.count(), Diagnosis.objects.count(), LabResult.objects.count()) == counts


def test_the_demo_doctors_inbox_shows_the_loop_unacknowledged_results_of_each_flag_and_one_critical_to_call():
    from clinical.models import CriticalResultCall
    from clinical.selectors import results_inbox, results_to_call
    from staff.models import StaffMember

    _seed()
    doctor = StaffMember.objects.get(user__username="doctor")

    waiting = list(results_inbox(user=doctor.user, acknowledged=False))
    assert {result.flag_priority for result in waiting} == {0, 1, 2}  # normal, abnormal and critical
    assert [r.flag for r in waiting][:2] == ["critical", "critical"]  # critical first
    to_call = list(results_to_call(user=doctor.user))
    assert [(r.order.test.code, r.doctor_id) for r in to_call] == [("K", doctor.pk)]
    assert all(r.last_call_id for r in LabResult.objects.filter(flag="critical").exclude(pk=to_call[0].pk))
    assert CriticalResultCall.objects.exists()
    for result in LabResult.objects.select_related("order__record"):
        assert result.doctor_id == result.order.record.doctor_id
        assert result.acknowledged_at is None or result.acknowledged_at >= result.resulted_at


def test_the_demo_prescriptions_add_up_each_visit_story_fits_its_doctors_specialty_and_no_lab_work_is_dated_ahead():
    from django.utils import timezone

    from clinical.demo import CASES, CASES_BY_SPECIALTY, DOSE_PER_UNIT, DOSES_PER_DAY
    from clinical.models import LabOrder

    _seed()
    now = timezone.now()
    assert not LabResult.objects.filter(resulted_at__gt=now).exists()
    assert not LabOrder.objects.filter(collected_at__gt=now).exists()

    prescriptions = list(Prescription.objects.select_related("medication"))
    assert prescriptions
    for rx in prescriptions:
        dose, per_unit = DOSE_PER_UNIT.get(rx.medication.code, (rx.dose, 1))
        doses = DOSES_PER_DAY[rx.frequency] * rx.duration_days
        assert rx.dose == dose and rx.quantity == -(-doses // per_unit), (rx, rx.quantity)
    for record in MedicalRecord.objects.select_related("doctor").prefetch_related("diagnoses"):
        names = CASES_BY_SPECIALTY.get(record.doctor.specialty)
        allowed = {code for case in CASES if names is None or case[0] in names for code in case[1]}
        assert {d.code for d in record.diagnoses.all()} <= allowed, (record, record.doctor.specialty)
