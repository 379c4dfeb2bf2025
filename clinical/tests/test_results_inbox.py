"""The clinical safety loop (issue 12): each doctor's results inbox (critical first, acknowledge with who and
when), the lab's calls of critical results ("called to", when, read back), and the doctor's start page work."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from clinical import selectors, services
from clinical.choices import LabOrderStatus
from clinical.models import CriticalResultCall, LabResult
from clinical.tests.factories import (
    CriticalResultCallFactory,
    LabOrderFactory,
    MedicalRecordFactory,
    lab_result_for,
)
from hms.exceptions import Conflict
from staff.tests.factories import DoctorFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def doctor():
    return DoctorFactory()


@pytest.fixture
def tech(make_user):
    return make_user("Lab Technician")


# --- the model keeps the ordering doctor and the urgency -------------------------------------------------------


def test_a_result_belongs_to_the_doctor_of_the_order_and_ranks_critical_above_abnormal_above_normal(doctor):
    normal, high, critical = lab_result_for(doctor, "85"), lab_result_for(doctor, "150"), lab_result_for(doctor, "450")

    assert {normal.doctor_id, high.doctor_id, critical.doctor_id} == {doctor.pk}
    assert (critical.flag_priority, high.flag_priority, normal.flag_priority) == (2, 1, 0)


def test_an_entered_result_goes_to_the_inbox_of_the_doctor_who_ordered_it(doctor, tech):
    order = LabOrderFactory(
        record__appointment__doctor=doctor, status=LabOrderStatus.COLLECTED, collected_at=timezone.now()
    )

    result = services.lab_result_enter(order=order, value=Decimal("20"), acting_user=tech)

    assert result.doctor_id == doctor.pk and result.flag == "critical" and result.flag_priority == 2
    assert list(selectors.results_inbox(user=doctor.user)) == [result]


# --- acknowledge ------------------------------------------------------------------------------------------------


def test_the_ordering_doctor_acknowledges_a_result_and_who_and_when_are_kept_in_history(doctor):
    result = lab_result_for(doctor, "450")

    services.lab_result_acknowledge(result=result, acting_user=doctor.user)

    result.refresh_from_db()
    assert result.acknowledged_by == doctor.user
    assert abs(result.acknowledged_at - timezone.now()) < datetime.timedelta(seconds=10)
    last = result.history.order_by("-history_id").first()
    assert last.acknowledged_by_id == doctor.user.pk and last.history_user_id == doctor.user.pk


def test_acknowledging_again_says_already_acknowledged_and_changes_nothing(doctor):
    result = lab_result_for(doctor)
    services.lab_result_acknowledge(result=result, acting_user=doctor.user)
    first = LabResult.objects.get(pk=result.pk).acknowledged_at
    rows = result.history.count()

    with pytest.raises(services.AlreadyAcknowledged, match="already acknowledged"):
        services.lab_result_acknowledge(result=result, acting_user=doctor.user)

    assert LabResult.objects.get(pk=result.pk).acknowledged_at == first
    assert result.history.count() == rows


@pytest.mark.parametrize("who", ["another doctor", "Nurse", "Lab Technician", "superuser"])
def test_only_the_ordering_doctor_may_acknowledge(doctor, make_user, admin_user_obj, who):
    result = lab_result_for(doctor, "450")
    user = {"another doctor": lambda: DoctorFactory().user, "superuser": lambda: admin_user_obj}.get(
        who, lambda: make_user(who)
    )()

    with pytest.raises(PermissionDenied):
        services.lab_result_acknowledge(result=result, acting_user=user)

    assert LabResult.objects.get(pk=result.pk).acknowledged_at is None


def test_a_corrected_result_is_unacknowledged_again_so_the_doctor_sees_the_correction(doctor, tech):
    result = lab_result_for(doctor, "150")
    services.lab_result_acknowledge(result=result, acting_user=doctor.user)

    services.lab_result_correct(result=result, value=Decimal("95"), reason="Wrong sample", acting_user=tech)

    result.refresh_from_db()
    assert result.acknowledged_at is None and result.acknowledged_by is None
    assert list(selectors.results_inbox(user=doctor.user, acknowledged=False)) == [result]
    assert result.history.filter(acknowledged_by=doctor.user).exists()  # the earlier acknowledgement stays


# --- the inbox's order ------------------------------------------------------------------------------------------


def test_the_inbox_lists_critical_then_abnormal_then_normal_newest_first_within_each(doctor):
    old_normal = lab_result_for(doctor, "85", ago_minutes=50)
    new_normal = lab_result_for(doctor, "80", ago_minutes=5)
    old_critical = lab_result_for(doctor, "450", ago_minutes=40)
    new_critical = lab_result_for(doctor, "30", ago_minutes=30)
    low = lab_result_for(doctor, "60", ago_minutes=60)
    high = lab_result_for(doctor, "150", ago_minutes=1)
    lab_result_for(DoctorFactory(), "450")  # another doctor's

    inbox = list(selectors.results_inbox(user=doctor.user))

    assert inbox == [new_critical, old_critical, high, low, new_normal, old_normal]


def test_the_inbox_shows_unacknowledged_or_acknowledged_results_when_asked(doctor):
    seen, unseen = lab_result_for(doctor, "450"), lab_result_for(doctor, "85")
    services.lab_result_acknowledge(result=seen, acting_user=doctor.user)

    assert list(selectors.results_inbox(user=doctor.user, acknowledged=False)) == [unseen]
    assert list(selectors.results_inbox(user=doctor.user, acknowledged=True)) == [seen]
    assert list(selectors.results_inbox(user=doctor.user, flag="critical")) == [seen]


def test_someone_who_is_not_a_doctor_has_no_inbox(make_user):
    lab_result_for(DoctorFactory(), "450")

    assert list(selectors.results_inbox(user=make_user("Nurse"))) == []


# --- calls of critical results ----------------------------------------------------------------------------------


def test_the_lab_records_who_it_called_and_the_result_leaves_the_to_call_queue(doctor, tech):
    result = lab_result_for(doctor, "450", ago_minutes=10)
    assert list(selectors.results_to_call(user=tech)) == [result]
    when = timezone.now() - datetime.timedelta(minutes=2)

    call = services.lab_result_call_record(
        result=result, called_to="Dr. Lee", called_at=when, read_back_confirmed=True, notes="Paged", acting_user=tech
    )

    assert (call.called_to, call.called_at, call.called_by, call.read_back_confirmed) == ("Dr. Lee", when, tech, True)
    assert call.value == Decimal("450") and call.history.get().history_user == tech
    assert LabResult.objects.get(pk=result.pk).last_call == call
    assert list(selectors.results_to_call(user=tech)) == []


def test_a_call_without_a_name_is_refused(doctor, tech):
    result = lab_result_for(doctor, "450")

    with pytest.raises(ValidationError) as info:
        services.lab_result_call_record(result=result, called_to="  ", acting_user=tech)

    assert "called_to" in info.value.message_dict
    assert not CriticalResultCall.objects.exists()


def test_a_call_in_the_future_is_refused(doctor, tech):
    result = lab_result_for(doctor, "450")

    with pytest.raises(ValidationError) as info:
        services.lab_result_call_record(
            result=result, called_to="Dr. Lee", called_at=timezone.now() + datetime.timedelta(hours=2), acting_user=tech
        )

    assert "future" in info.value.message_dict["called_at"][0]
    assert not CriticalResultCall.objects.exists()


def test_a_call_before_the_result_existed_is_refused(doctor, tech):
    result = lab_result_for(doctor, "450")

    with pytest.raises(ValidationError) as info:
        services.lab_result_call_record(
            result=result, called_to="Dr. Lee", called_at=result.resulted_at - datetime.timedelta(hours=1),
            acting_user=tech,
        )  # fmt: skip

    assert "before the result" in info.value.message_dict["called_at"][0]


def test_only_critical_results_are_phoned_through(doctor, tech):
    result = lab_result_for(doctor, "150")

    with pytest.raises(Conflict) as info:
        services.lab_result_call_record(result=result, called_to="Dr. Lee", acting_user=tech)

    assert info.value.code == "not_critical"


def test_a_second_call_of_the_same_value_says_it_was_already_phoned_through(doctor, tech):
    call = CriticalResultCallFactory(result=lab_result_for(doctor, "450"), called_by=tech)

    with pytest.raises(services.AlreadyCalled, match="already phoned through"):
        services.lab_result_call_record(result=call.result, called_to="Dr. Lee", acting_user=tech)

    assert CriticalResultCall.objects.count() == 1


@pytest.mark.parametrize("role", ["Doctor", "Nurse", "Receptionist"])
def test_only_the_lab_records_calls(doctor, make_user, role):
    result = lab_result_for(doctor, "450")

    with pytest.raises(PermissionDenied):
        services.lab_result_call_record(result=result, called_to="Dr. Lee", acting_user=make_user(role))


def test_a_correction_to_another_critical_value_must_be_phoned_again(doctor, tech):
    call = CriticalResultCallFactory(result=lab_result_for(doctor, "450"), called_by=tech)

    services.lab_result_correct(result=call.result, value=Decimal("500"), reason="Diluted", acting_user=tech)

    result = LabResult.objects.get(pk=call.result_id)
    assert result.last_call is None and list(selectors.results_to_call(user=tech)) == [result]
    assert CriticalResultCall.objects.filter(pk=call.pk).exists()  # the earlier call is kept


# --- the doctor's start page ------------------------------------------------------------------------------------


def test_the_start_page_work_counts_unacknowledged_results_lists_criticals_and_oldest_unsigned_records(doctor):
    critical = lab_result_for(doctor, "450")
    lab_result_for(doctor, "150")
    lab_result_for(doctor, "85")
    seen = lab_result_for(doctor, "30")
    services.lab_result_acknowledge(result=seen, acting_user=doctor.user)
    newer = MedicalRecordFactory(appointment__doctor=doctor, opened_at=timezone.now() - datetime.timedelta(hours=1))
    older = MedicalRecordFactory(appointment__doctor=doctor, opened_at=timezone.now() - datetime.timedelta(days=2))
    MedicalRecordFactory(appointment__doctor=DoctorFactory())

    work = selectors.doctor_start_page_work(doctor=doctor)

    assert work.counts == {"critical": 1, "abnormal": 1, "normal": 1, "total": 3}
    assert [row["id"] for row in work.critical] == [critical.pk]
    assert work.critical[0]["value"] == "450 mg/dL"
    assert work.critical[0]["mrn"] == critical.order.record.patient.mrn
    assert [row["id"] for row in work.unsigned] == [older.pk, newer.pk]
    assert work.unsigned[0]["appointment"] == older.appointment_id
