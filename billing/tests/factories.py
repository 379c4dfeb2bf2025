"""Billing factories. Bills are normally made by the services (totals stay right); these build rows directly."""

from decimal import Decimal

import factory
from django.utils import timezone

from billing.choices import BillLineKind, BillStatus
from billing.models import Bill, BillLine, PriceListEntry
from patients.tests.factories import PatientFactory
from staff.tests.factories import HospitalFactory


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
