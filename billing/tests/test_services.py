"""Billing services: charges, totals at each step, refusals, numbering and history."""

import datetime
from contextlib import contextmanager
from decimal import Decimal
from unittest import mock

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from billing import services
from billing.choices import BillLineKind, BillStatus, ClaimStatus, PaymentMethod
from billing.models import Bill, BillLine, Payment, Refund
from billing.tests.factories import BillFactory, BillLineFactory, PriceListEntryFactory
from clinical.tests.factories import (
    DiagnosisFactory,
    LabOrderFactory,
    LabTestFactory,
    MedicalRecordFactory,
    MedicationFactory,
    ProcedureCatalogFactory,
    ProcedureFactory,
)
from hms.exceptions import Conflict
from patients.tests.factories import InsurancePolicyFactory, InsurerAccountFactory, PatientFactory
from scheduling.choices import AppointmentStatus
from scheduling.tests.factories import AppointmentFactory
from staff.tests.factories import DoctorFactory, HospitalFactory

pytestmark = pytest.mark.django_db


@contextmanager
def freeze(moment):
    """Pin timezone.now() (bill numbers take the year of the day the bill is made)."""
    fixed = datetime.datetime.fromisoformat(moment)
    with mock.patch("billing.services.timezone.now", return_value=fixed):
        yield


D = Decimal


@pytest.fixture
def clerk(make_user):
    return make_user("Billing Clerk")


def completed_visit(*, fee=None, procedures=(), labs=(), hospital=None, start=None):
    """A completed appointment with an open record and a diagnosis, plus the given procedures/lab tests."""
    doctor = DoctorFactory(
        consultation_fee=D("150.00") if fee is None else fee, **({"hospital": hospital} if hospital else {})
    )
    appointment = AppointmentFactory(
        doctor=doctor,
        status=AppointmentStatus.COMPLETED,
        start=start or datetime.datetime(2026, 3, 2, 15, 0, tzinfo=datetime.UTC),
    )
    record = MedicalRecordFactory(appointment=appointment)
    DiagnosisFactory(record=record)
    for catalog in procedures:
        ProcedureFactory(record=record, catalog_entry=catalog)
    for test in labs:
        LabOrderFactory(record=record, test=test)
    return appointment


def issued_bill(clerk, *, amount=None, patient=None, policy=None):
    amount = D("100.00") if amount is None else amount
    bill = BillFactory(**({"patient": patient} if patient else {}))
    if policy:
        InsurancePolicyFactory(patient=bill.patient, **policy)
    BillLineFactory(bill=bill, unit_price=amount)
    return services.bill_issue(bill=bill, acting_user=clerk)


# --- bill_add_charge ----------------------------------------------------------------------------------------------


def test_add_charge_goes_on_the_draft_bill_of_the_appointment(clerk):
    appointment = completed_visit()
    bill = services.bill_create_for_appointment(appointment=appointment, acting_user=clerk)
    item = MedicationFactory(unit_price=D("0.40"))
    line = services.bill_add_charge(
        patient=appointment.patient,
        hospital=appointment.hospital,
        kind=BillLineKind.MEDICATION,
        code=item.code,
        description="",
        quantity=30,
        appointment=appointment,
        source="dispense:1",
        acting_user=clerk,
    )
    assert line.bill_id == bill.pk
    assert line.amount == D("12.00")
    assert line.description == str(item)
    bill.refresh_from_db()
    assert bill.total == D("162.00")


def test_add_charge_after_the_visit_bill_is_issued_goes_on_a_new_misc_bill_and_then_reuses_it(clerk):
    appointment = completed_visit()
    visit_bill = services.bill_create_for_appointment(appointment=appointment, acting_user=clerk)
    services.bill_issue(bill=visit_bill, acting_user=clerk)
    PriceListEntryFactory(
        hospital=appointment.hospital, kind=BillLineKind.MEDICATION, code="AMOX", unit_price=D("1.10")
    )
    kwargs = {
        "patient": appointment.patient,
        "hospital": appointment.hospital,
        "kind": BillLineKind.MEDICATION,
        "code": "AMOX",
        "description": "Amoxicillin 500 mg",
        "quantity": 10,
        "appointment": appointment,
        "acting_user": clerk,
    }
    first = services.bill_add_charge(**kwargs)
    second = services.bill_add_charge(**kwargs)
    assert first.bill_id != visit_bill.pk
    assert first.bill_id == second.bill_id
    misc = first.bill
    misc.refresh_from_db()
    assert misc.appointment is None and misc.status == BillStatus.DRAFT
    assert misc.total == D("22.00")
    assert misc.number.startswith(f"{appointment.hospital.code}-")


def test_add_charge_prefers_the_hospital_price_list_over_the_catalog(clerk):
    hospital = HospitalFactory()
    item = MedicationFactory(unit_price=D("0.25"))
    PriceListEntryFactory(hospital=hospital, kind=BillLineKind.MEDICATION, code=item.code, unit_price=D("0.50"))
    line = services.bill_add_charge(
        patient=PatientFactory(),
        hospital=hospital,
        kind=BillLineKind.MEDICATION,
        code=item.code,
        description="x",
        quantity=4,
        acting_user=clerk,
    )
    assert line.unit_price == D("0.50") and line.amount == D("2.00")


def test_add_charge_refuses_an_unknown_code_without_a_price_and_saves_nothing(clerk):
    with pytest.raises(ValidationError):
        services.bill_add_charge(
            patient=PatientFactory(),
            hospital=HospitalFactory(),
            kind=BillLineKind.SUPPLY,
            code="NOPE",
            description="?",
            quantity=1,
            acting_user=clerk,
        )
    assert not Bill.objects.exists()


@pytest.mark.parametrize("quantity", [0, -2, "x"])
def test_add_charge_refuses_a_bad_quantity(clerk, quantity):
    with pytest.raises(ValidationError):
        services.bill_add_charge(
            patient=PatientFactory(),
            hospital=HospitalFactory(),
            kind=BillLineKind.SUPPLY,
            code="GAUZE",
            description="Gauze",
            quantity=quantity,
            unit_price=D("1.00"),
            acting_user=clerk,
        )
    assert not BillLine.objects.exists()


# --- bill_create_for_appointment --------------------------------------------------------------------------------


def test_visit_bill_has_consultation_procedures_and_labs_priced_by_the_hospital(clerk):
    ecg = ProcedureCatalogFactory(code="93000", description="Electrocardiogram", price=D("60.00"))
    xray = ProcedureCatalogFactory(code="71046", description="Chest X-ray", price=D("95.00"))
    glucose = LabTestFactory(code="GLU", price=D("15.00"))
    appointment = completed_visit(procedures=[ecg, xray], labs=[glucose])
    hospital = appointment.hospital
    PriceListEntryFactory(hospital=hospital, kind=BillLineKind.PROCEDURE, code="93000", unit_price=D("75.50"))
    PriceListEntryFactory(hospital=hospital, kind=BillLineKind.LAB, code="GLU", unit_price=D("12.25"))
    PriceListEntryFactory(hospital=HospitalFactory(), kind=BillLineKind.PROCEDURE, code="71046", unit_price=D("1"))

    bill = services.bill_create_for_appointment(appointment=appointment, acting_user=clerk)

    lines = {(line.kind, line.code): line for line in bill.lines.all()}
    assert lines[(BillLineKind.CONSULTATION, services.CONSULTATION_CODE)].amount == D("150.00")
    assert lines[(BillLineKind.PROCEDURE, "93000")].unit_price == D("75.50")
    assert lines[(BillLineKind.PROCEDURE, "71046")].unit_price == D("95.00")  # the catalog: no entry at this hospital
    assert lines[(BillLineKind.LAB, "GLU")].amount == D("12.25")
    assert bill.total == D("332.75") == sum(line.amount for line in lines.values())
    assert bill.status == BillStatus.DRAFT
    assert bill.service_date == datetime.date(2026, 3, 2)


def test_a_consultation_price_list_entry_overrides_the_doctors_fee(clerk):
    appointment = completed_visit(fee=D("150.00"))
    PriceListEntryFactory(
        hospital=appointment.hospital,
        kind=BillLineKind.CONSULTATION,
        code=services.CONSULTATION_CODE,
        unit_price=D("99.00"),
    )
    bill = services.bill_create_for_appointment(appointment=appointment, acting_user=clerk)
    assert bill.total == D("99.00")


def test_creating_the_visit_bill_twice_returns_the_same_bill(clerk):
    appointment = completed_visit()
    first = services.bill_create_for_appointment(appointment=appointment, acting_user=clerk)
    second = services.bill_create_for_appointment(appointment=appointment, acting_user=clerk)
    assert first.pk == second.pk
    assert Bill.objects.count() == 1 and BillLine.objects.count() == 1


def test_bill_numbers_are_sequential_per_hospital_and_year(clerk):
    boston = HospitalFactory(code="BOS")
    denver = HospitalFactory(code="DEN")
    year = timezone.localdate().year
    numbers = [
        services.bill_create_for_appointment(appointment=completed_visit(hospital=h), acting_user=clerk).number
        for h in (boston, boston, denver, boston)
    ]
    assert numbers == [f"BOS-{year}-000001", f"BOS-{year}-000002", f"DEN-{year}-000001", f"BOS-{year}-000003"]


def test_a_new_year_starts_the_numbers_again(clerk):
    boston = HospitalFactory(code="BOS")
    with freeze("2025-12-31T12:00:00-05:00"):
        last = services.bill_create_for_appointment(appointment=completed_visit(hospital=boston), acting_user=clerk)
    with freeze("2026-01-01T09:00:00-05:00"):
        first = services.bill_create_for_appointment(appointment=completed_visit(hospital=boston), acting_user=clerk)
    assert (last.number, first.number) == ("BOS-2025-000001", "BOS-2026-000001")


# --- totals at each step ----------------------------------------------------------------------------------------


def test_totals_follow_copay_coverage_adjudication_payments_refund(clerk):
    patient = PatientFactory()
    InsurancePolicyFactory(patient=patient, coverage_percent=D("80"), copay=D("25.00"))
    bill = issued_bill(clerk, amount=D("225.00"), patient=patient)
    # (225 - 25) x 80% = 160 by the insurer; the patient owes 65.
    assert (bill.total, bill.insurance_covered, bill.patient_due, bill.balance) == (
        D("225.00"),
        D("160.00"),
        D("65.00"),
        D("225.00"),
    )
    assert bill.status == BillStatus.ISSUED

    services.payment_record(bill=bill, amount=D("25.00"), method=PaymentMethod.CARD, acting_user=clerk)
    bill.refresh_from_db()
    assert (bill.amount_paid, bill.balance, bill.status) == (D("25.00"), D("200.00"), BillStatus.PARTIALLY_PAID)
    assert bill.patient_balance == D("40.00")

    claim = services.claim_create(bill=bill, acting_user=clerk)
    services.claim_submit(claim=claim, acting_user=clerk)
    services.claim_start_review(claim=claim, acting_user=clerk)
    claim = services.claim_adjudicate(
        claim=claim,
        decision="partially_approved",
        approved_amount="120.00",
        reason="Out-of-network rate",
        acting_user=clerk,
    )
    bill.refresh_from_db()
    assert claim.claimed_amount == D("160.00")
    assert (bill.insurance_covered, bill.patient_due, bill.balance) == (D("120.00"), D("105.00"), D("200.00"))

    services.claim_mark_paid(claim=claim, acting_user=clerk, reference="EOB-1")
    bill.refresh_from_db()
    assert (bill.insurance_paid, bill.amount_paid, bill.balance) == (D("120.00"), D("145.00"), D("80.00"))
    assert bill.patient_balance == D("80.00")

    services.payment_record(bill=bill, amount=D("80.00"), method=PaymentMethod.CASH, acting_user=clerk)
    bill.refresh_from_db()
    assert (bill.balance, bill.status) == (D("0.00"), BillStatus.PAID)

    services.refund_record(bill=bill, amount=D("30.00"), reason="Overcharged copay", acting_user=clerk)
    bill.refresh_from_db()
    assert (bill.amount_paid, bill.balance, bill.status) == (D("195.00"), D("30.00"), BillStatus.PARTIALLY_PAID)
    assert Refund.objects.get().reason == "Overcharged copay"


def test_no_policy_or_a_copay_above_the_total_covers_nothing(clerk):
    assert issued_bill(clerk, amount=D("50.00")).insurance_covered == D("0.00")
    bill = issued_bill(clerk, amount=D("20.00"), policy={"copay": D("30.00")})
    assert (bill.insurance_covered, bill.patient_due) == (D("0.00"), D("20.00"))


def test_only_the_primary_policy_valid_on_the_service_date_counts(clerk):
    patient = PatientFactory()
    InsurancePolicyFactory(patient=patient, is_primary=False, coverage_percent=D("100"), copay=D("0"))
    InsurancePolicyFactory(
        patient=patient, coverage_percent=D("90"), copay=D("0"), valid_to=datetime.date(2024, 12, 31)
    )
    InsurancePolicyFactory(
        patient=patient, coverage_percent=D("50"), copay=D("10.00"), valid_from=datetime.date(2025, 1, 1)
    )
    bill = issued_bill(clerk, amount=D("110.00"), patient=patient)
    assert bill.insurance_covered == D("50.00")


def test_coverage_is_rounded_to_cents(clerk):
    bill = issued_bill(clerk, amount=D("33.33"), policy={"coverage_percent": D("33.33"), "copay": D("0")})
    assert bill.insurance_covered == D("11.11")
    assert bill.patient_due == D("22.22")


def test_a_denied_claim_leaves_everything_to_the_patient_and_can_be_resubmitted(clerk):
    bill = issued_bill(clerk, amount=D("200.00"), policy={"coverage_percent": D("50"), "copay": D("0")})
    claim = services.claim_create(bill=bill, acting_user=clerk)
    services.claim_submit(claim=claim, acting_user=clerk)
    services.claim_adjudicate(claim=claim, decision="denied", reason="Not covered", acting_user=clerk)
    bill.refresh_from_db()
    assert (bill.insurance_covered, bill.patient_due) == (D("0.00"), D("200.00"))

    claim = services.claim_resubmit(claim=claim, note="Added the referral", acting_user=clerk)
    bill.refresh_from_db()
    assert (claim.status, claim.submission_count, claim.approved_amount) == (ClaimStatus.SUBMITTED, 2, None)
    assert bill.insurance_covered == D("100.00")
    claim = services.claim_adjudicate(claim=claim, decision="approved", acting_user=clerk)
    assert claim.approved_amount == D("100.00")


def test_an_adjustment_on_an_issued_bill_changes_the_totals(clerk):
    bill = issued_bill(clerk, amount=D("100.00"), policy={"coverage_percent": D("80"), "copay": D("0")})
    line = services.bill_add_adjustment(bill=bill, amount="-20.00", reason="Hardship discount", acting_user=clerk)
    bill.refresh_from_db()
    assert line.kind == BillLineKind.ADJUSTMENT and line.amount == D("-20.00")
    assert (bill.total, bill.insurance_covered, bill.patient_due) == (D("80.00"), D("64.00"), D("16.00"))


def test_void_keeps_the_bill_with_its_reason(clerk):
    bill = issued_bill(clerk)
    services.bill_void(bill=bill, reason="Duplicate visit", acting_user=clerk)
    bill.refresh_from_db()
    assert (bill.status, bill.void_reason, bill.voided_by) == (BillStatus.VOID, "Duplicate visit", clerk)


# --- refusals ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("amount", ["0", "-5.00", "100.01", "1.005", "abc"])
def test_bad_payment_amounts_are_refused_and_nothing_is_saved(clerk, amount):
    bill = issued_bill(clerk, amount=D("100.00"))
    with pytest.raises(ValidationError):
        services.payment_record(bill=bill, amount=amount, method=PaymentMethod.CASH, acting_user=clerk)
    bill.refresh_from_db()
    assert not Payment.objects.exists() and bill.amount_paid == D("0.00")


def test_payment_on_a_draft_or_void_bill_is_refused(clerk):
    draft = BillFactory()
    BillLineFactory(bill=draft)
    with pytest.raises(Conflict, match="draft"):
        services.payment_record(bill=draft, amount="10", method=PaymentMethod.CASH, acting_user=clerk)
    void = issued_bill(clerk)
    services.bill_void(bill=void, reason="Error", acting_user=clerk)
    with pytest.raises(Conflict, match="void"):
        services.payment_record(bill=void, amount="10", method=PaymentMethod.CASH, acting_user=clerk)
    assert not Payment.objects.exists()


def test_a_refund_above_what_was_paid_or_without_a_reason_is_refused(clerk):
    bill = issued_bill(clerk)
    services.payment_record(bill=bill, amount="40", method=PaymentMethod.CASH, acting_user=clerk)
    with pytest.raises(ValidationError):
        services.refund_record(bill=bill, amount="40.01", reason="Too much", acting_user=clerk)
    with pytest.raises(ValidationError):
        services.refund_record(bill=bill, amount="10", reason="  ", acting_user=clerk)
    with pytest.raises(ValidationError):
        services.refund_record(bill=bill, amount="0", reason="Zero", acting_user=clerk)
    assert not Refund.objects.exists()


def test_issued_lines_are_frozen_and_charges_go_elsewhere(clerk):
    appointment = completed_visit()
    bill = services.bill_create_for_appointment(appointment=appointment, acting_user=clerk)
    services.bill_issue(bill=bill, acting_user=clerk)
    services.bill_add_charge(
        patient=appointment.patient,
        hospital=appointment.hospital,
        kind=BillLineKind.SUPPLY,
        code="GAUZE",
        description="Gauze",
        quantity=1,
        unit_price="2.00",
        appointment=appointment,
        acting_user=clerk,
    )
    assert bill.lines.count() == 1


def test_issuing_twice_or_an_empty_bill_is_refused(clerk):
    with pytest.raises(Conflict, match="without lines"):
        services.bill_issue(bill=BillFactory(), acting_user=clerk)
    bill = issued_bill(clerk)
    with pytest.raises(Conflict):
        services.bill_issue(bill=bill, acting_user=clerk)


def test_void_is_refused_while_money_is_on_the_bill_or_without_a_reason(clerk):
    bill = issued_bill(clerk)
    with pytest.raises(ValidationError):
        services.bill_void(bill=bill, reason="", acting_user=clerk)
    services.payment_record(bill=bill, amount="10", method=PaymentMethod.CASH, acting_user=clerk)
    with pytest.raises(Conflict, match="refund"):
        services.bill_void(bill=bill, reason="Error", acting_user=clerk)
    bill.refresh_from_db()
    assert bill.status == BillStatus.PARTIALLY_PAID
    services.refund_record(bill=bill, amount="10", reason="Void it", acting_user=clerk)
    services.bill_void(bill=bill, reason="Error", acting_user=clerk)
    with pytest.raises(Conflict, match="already void"):
        services.bill_void(bill=bill, reason="Error", acting_user=clerk)


def test_adjustments_are_refused_without_reason_below_zero_below_paid_or_on_void(clerk):
    bill = issued_bill(clerk, amount=D("100.00"))
    with pytest.raises(ValidationError):
        services.bill_add_adjustment(bill=bill, amount="-10", reason="", acting_user=clerk)
    with pytest.raises(ValidationError):
        services.bill_add_adjustment(bill=bill, amount="-100.01", reason="Too much", acting_user=clerk)
    with pytest.raises(ValidationError):
        services.bill_add_adjustment(bill=bill, amount="0", reason="Nothing", acting_user=clerk)
    services.payment_record(bill=bill, amount="60", method=PaymentMethod.CASH, acting_user=clerk)
    with pytest.raises(Conflict, match="refund first"):
        services.bill_add_adjustment(bill=bill, amount="-50", reason="Discount", acting_user=clerk)
    assert bill.lines.count() == 1
    void = issued_bill(clerk)
    services.bill_void(bill=void, reason="Error", acting_user=clerk)
    with pytest.raises(Conflict):
        services.bill_add_adjustment(bill=void, amount="5", reason="Late fee", acting_user=clerk)


def test_forbidden_claim_transitions_are_conflicts(clerk):
    bill = issued_bill(clerk, policy={"coverage_percent": D("80"), "copay": D("0")})
    claim = services.claim_create(bill=bill, acting_user=clerk)
    with pytest.raises(Conflict):
        services.claim_create(bill=bill, acting_user=clerk)
    for call in (
        lambda: services.claim_start_review(claim=claim, acting_user=clerk),
        lambda: services.claim_adjudicate(claim=claim, decision="approved", acting_user=clerk),
        lambda: services.claim_mark_paid(claim=claim, acting_user=clerk),
        lambda: services.claim_resubmit(claim=claim, note="Again", acting_user=clerk),
    ):
        with pytest.raises(Conflict):
            call()
    services.claim_submit(claim=claim, acting_user=clerk)
    with pytest.raises(Conflict):
        services.claim_submit(claim=claim, acting_user=clerk)
    services.claim_adjudicate(claim=claim, decision="approved", acting_user=clerk)
    with pytest.raises(Conflict):
        services.claim_adjudicate(claim=claim, decision="denied", reason="Changed mind", acting_user=clerk)
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.APPROVED


@pytest.mark.parametrize(
    ("decision", "amount", "reason"),
    [
        ("partially_approved", None, "Partial"),
        ("partially_approved", "80.00", "Not partial: the full amount"),
        ("partially_approved", "0", "Zero"),
        ("partially_approved", "20.00", ""),
        ("approved", "90.00", ""),
        ("denied", "10.00", "Denied with money"),
        ("denied", None, ""),
        ("maybe", None, "?"),
    ],
)
def test_inconsistent_adjudications_are_refused(clerk, decision, amount, reason):
    bill = issued_bill(clerk, policy={"coverage_percent": D("80"), "copay": D("0")})
    claim = services.claim_create(bill=bill, acting_user=clerk)
    services.claim_submit(claim=claim, acting_user=clerk)
    with pytest.raises(ValidationError):
        services.claim_adjudicate(
            claim=claim, decision=decision, approved_amount=amount, reason=reason, acting_user=clerk
        )
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.SUBMITTED and claim.approved_amount is None


def test_claims_need_an_issued_bill_and_a_policy(clerk):
    draft = BillFactory()
    with pytest.raises(Conflict, match="Issue"):
        services.claim_create(bill=draft, acting_user=clerk)
    with pytest.raises(Conflict, match="no insurance"):
        services.claim_create(bill=issued_bill(clerk), acting_user=clerk)


# --- history ----------------------------------------------------------------------------------------------------


def test_history_rows_name_the_acting_user(clerk):
    insurer = InsurerAccountFactory(payer__name="Aetna").user
    bill = issued_bill(clerk, policy={"coverage_percent": D("80"), "copay": D("0"), "payer_name": "Aetna"})
    payment = services.payment_record(bill=bill, amount="5", method=PaymentMethod.CASH, acting_user=clerk)
    claim = services.claim_create(bill=bill, acting_user=clerk)
    services.claim_submit(claim=claim, acting_user=clerk)
    services.claim_adjudicate(
        claim=claim, decision="partially_approved", approved_amount="50", reason="Rate", acting_user=insurer
    )
    assert bill.history.latest().history_user == insurer  # the bill's totals followed the adjudication
    assert bill.history.filter(history_user=clerk).exists()
    assert payment.history.get().history_user == clerk
    assert [h.history_user for h in claim.history.order_by("history_id")] == [clerk, clerk, insurer]
