"""Billing factories. Bills are normally made by the services (totals stay right); these build rows directly."""

from decimal import Decimal

import factory
from django.utils import timezone

from billing import services
from billing.choices import BillLineKind, BillStatus, ClaimStatus
from billing.models import Bill, BillLine, PriceListEntry
from patients.tests.factories import InsurancePolicyFactory, PatientFactory
from staff.tests.factories import HospitalFactory, UserFactory


class PriceListEntryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PriceListEntry
        django_get_or_create = ("hospital", "kind", "code")

    hospital = factory.SubFactory(HospitalFactory)
    kind = BillLineKind.PROCEDURE
    code = factory.Sequence(lambda n: f"P{n:04d}")
    description = "Electrocardiogram"
    unit_price = Decimal("80.00")
    active = True


class BillFactory(factory.django.DjangoModelFactory):
    """A draft bill without lines; add lines with BillLineFactory and call bill_recalculate."""

    class Meta:
        model = Bill

    number = factory.Sequence(lambda n: f"TST-2026-{n:06d}")
    hospital = factory.SubFactory(HospitalFactory)
    patient = factory.SubFactory(PatientFactory)
    appointment = None
    status = BillStatus.DRAFT
    service_date = factory.LazyFunction(timezone.localdate)


class BillLineFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = BillLine

    bill = factory.SubFactory(BillFactory)
    kind = BillLineKind.PROCEDURE
    code = "93000"
    description = "Electrocardiogram"
    quantity = 1
    unit_price = Decimal("100.00")


def bill_with_money_and_claim():
    """An issued bill with a line, a payment, a refund and a claim, made through the services."""
    clerk = UserFactory()
    patient = PatientFactory()
    policy = InsurancePolicyFactory(patient=patient, valid_from=timezone.localdate().replace(year=2020))
    bill = BillFactory(patient=patient, policy=policy)
    BillLineFactory(bill=bill)
    services.bill_recalculate(bill=bill, acting_user=clerk)
    services.bill_issue(bill=bill, acting_user=clerk)
    payment = services.payment_record(bill=bill, amount=Decimal("10.00"), method="cash", acting_user=clerk)
    services.refund_record(bill=bill, amount=Decimal("5.00"), reason="Overpaid", payment=payment,
                                   acting_user=clerk)
    services.claim_create(bill=bill, acting_user=clerk)
    return type(bill).objects.get(pk=bill.pk)
def claim_to(payer_name, status=ClaimStatus.IN_REVIEW):
    """An issued $100 bill's claim to the payer named (80% coverage, no copay), taken by the services to ``status``
    (draft, submitted or in review)."""
    bill = BillFactory()
    InsurancePolicyFactory(patient=bill.patient, payer_name=payer_name, coverage_percent=Decimal("80"), copay=0)
    BillLineFactory(bill=bill, unit_price=Decimal("100.00"))
    user = UserFactory()
    bill = services.bill_issue(bill=bill, acting_user=user)
    claim = services.claim_create(bill=bill, acting_user=user)
    if status != ClaimStatus.DRAFT:
        services.claim_submit(claim=claim, acting_user=user)
    if status == ClaimStatus.IN_REVIEW:
        services.claim_start_review(claim=claim, acting_user=user)
    claim.refresh_from_db()
    return claim
