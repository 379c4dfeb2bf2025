"""The billing roll-ups (issue 11) stay equal to the bills, payments and refunds through the services."""

import datetime
import io
import random
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError

from billing import rollups, services
from billing.choices import BillStatus, PaymentMethod
from billing.models import Bill, BillDailyTotal, Claim, MoneyDailyTotal
from billing.tests.factories import BillFactory, BillLineFactory
from hms.exceptions import Conflict
from patients.tests.factories import InsurancePolicyFactory, PatientFactory
from staff.tests.factories import HospitalFactory

pytestmark = pytest.mark.django_db
D = Decimal
NOW = datetime.datetime(2026, 6, 1, 12, tzinfo=datetime.UTC)


@pytest.fixture
def clerk(make_user):
    return make_user("Billing Clerk")


def _draft(rng, hospitals, patients):
    bill = BillFactory(hospital=rng.choice(hospitals), patient=rng.choice(patients))
    for _ in range(rng.randint(1, 3)):
        BillLineFactory(bill=bill, unit_price=D(rng.randint(20, 300)))
    return bill


def _pick(rng, **filters):
    bills = list(Bill.objects.filter(**filters).order_by("pk"))
    return rng.choice(bills) if bills else None


def test_the_billing_rollups_equal_the_raw_totals_after_a_random_mix_of_service_actions(clerk):
    rng = random.Random(11)
    hospitals = [HospitalFactory(timezone="America/New_York"), HospitalFactory(timezone="America/Los_Angeles")]
    patients = [PatientFactory() for _ in range(6)]
    for patient in patients[:3]:
        InsurancePolicyFactory(patient=patient, coverage_percent=D("80"), copay=D("10.00"))
    # A bill paid, refunded in full, then voided: its money moves to the void side.
    voided = services.bill_issue(bill=_draft(rng, hospitals, patients), acting_user=clerk)
    services.payment_record(bill=voided, amount=D("10.00"), method=PaymentMethod.CASH, acting_user=clerk)
    services.refund_record(bill=voided, amount=D("10.00"), reason="Paid twice", acting_user=clerk)
    services.bill_void(bill=voided, reason="Entered in error", acting_user=clerk)
    done = dict.fromkeys(["issue", "pay", "refund", "void", "adjust", "claim"], 0)

    for _ in range(70):
        action = rng.choice(["issue", "issue", "pay", "pay", *done])
        late_evening = NOW + datetime.timedelta(days=rng.randint(-40, 0), hours=rng.choice([0, 10, 11]))
        try:
            if action == "issue":
                services.bill_issue(bill=_draft(rng, hospitals, patients), acting_user=clerk)
            elif action == "pay":
                bill = _pick(rng, status__in=[BillStatus.ISSUED, BillStatus.PARTIALLY_PAID])
                if bill is None:
                    continue
                amount = min(bill.balance, D(rng.randint(5, 200)))
                services.payment_record(
                    bill=bill, amount=amount, method=PaymentMethod.CARD, acting_user=clerk, received_at=late_evening
                )
            elif action == "refund":
                bill = _pick(rng, amount_paid__gt=0)
                if bill is None:
                    continue
                amount = min(bill.amount_paid, D(rng.randint(1, 50)))
                services.refund_record(
                    bill=bill, amount=amount, reason="Goodwill", acting_user=clerk, refunded_at=late_evening
                )
            elif action == "void":
                bill = _pick(rng, status=BillStatus.ISSUED)
                if bill is None:
                    continue
                services.bill_void(bill=bill, reason="Duplicate", acting_user=clerk)
            elif action == "adjust":
                bill = _pick(rng, status__in=[BillStatus.ISSUED, BillStatus.PARTIALLY_PAID])
                if bill is None:
                    continue
                services.bill_add_adjustment(
                    bill=bill, amount=D(rng.randint(-30, 30)), reason="Discount", acting_user=clerk
                )
            else:
                bill = _pick(rng, status=BillStatus.ISSUED, patient__in=patients[:3], claim__isnull=True)
                if bill is None:
                    continue
                claim = services.claim_create(bill=bill, acting_user=clerk)
                services.claim_submit(claim=claim, acting_user=clerk)
                services.claim_start_review(claim=claim, acting_user=clerk)
                decision = rng.choice(["approved", "denied"])
                claim = services.claim_adjudicate(
                    claim=claim,
                    decision=decision,
                    approved_amount=claim.claimed_amount if decision == "approved" else None,
                    reason="" if decision == "approved" else "Not covered",
                    acting_user=clerk,
                )
                if decision == "approved":
                    services.claim_mark_paid(claim=claim, acting_user=clerk)
        except (Conflict, ValidationError):
            continue  # refused: the service's transaction rolled back, the roll-ups with it
        done[action] += 1

    assert all(done.values()), done
    assert rollups.differences() == []
    bills, money = rollups.stored_totals()
    assert {key[2] for key in bills} >= {BillStatus.ISSUED, BillStatus.PARTIALLY_PAID, BillStatus.PAID, BillStatus.VOID}
    assert {(key[2], key[3]) for key in money} >= {("payment", False), ("refund", False), ("payment", True)}
    assert Claim.objects.exists()


def test_rebuild_rollups_restores_the_billing_rollups_after_a_bulk_load(clerk):
    hospital = HospitalFactory(timezone="America/Denver")
    bill = BillFactory(hospital=hospital, status=BillStatus.ISSUED, issued_at=NOW, total=D("70.00"), balance=D("70.00"))
    BillFactory(hospital=hospital)  # a draft: not counted

    with pytest.raises(CommandError, match="billing"):
        call_command("rebuild_rollups", "billing", "--check", stdout=io.StringIO(), stderr=io.StringIO())
    call_command("rebuild_rollups", "billing", stdout=io.StringIO())
    call_command("rebuild_rollups", "billing", stdout=io.StringIO())

    assert list(
        BillDailyTotal.objects.values_list("day", "status", "count", "total", "open_count", "open_balance")
    ) == [(datetime.date(2026, 6, 1), BillStatus.ISSUED, 1, D("70.00"), 1, D("70.00"))]
    assert MoneyDailyTotal.objects.count() == 0
    services.payment_record(bill=bill, amount=D("70.00"), method=PaymentMethod.CASH, acting_user=clerk)
    assert rollups.differences() == []
    out = io.StringIO()
    call_command("rebuild_rollups", "--check", stdout=out)
    assert "billing: equals the raw rows" in out.getvalue()
