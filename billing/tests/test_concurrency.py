"""Races on MariaDB with real threads and their own connections, released together by a barrier."""

import threading
from decimal import Decimal

import pytest
from django.db import connection

from billing import services
from billing.choices import BillStatus, PaymentMethod
from billing.models import Bill, Payment
from billing.tests.factories import BillFactory, BillLineFactory
from clinical.tests.factories import DiagnosisFactory, MedicalRecordFactory
from scheduling import services as scheduling_services
from scheduling.choices import AppointmentStatus
from scheduling.signals import appointment_completed
from scheduling.tests.factories import AppointmentFactory
from staff.tests.factories import UserFactory

pytestmark = pytest.mark.django_db(transaction=True)


def race(count, work):
    """Run work(i) in `count` threads released together; returns [result or exception]."""
    barrier = threading.Barrier(count)
    results = [None] * count

    def run(i):
        try:
            barrier.wait(timeout=10)
            results[i] = work(i)
        except Exception as exc:  # collected for the assertions
            results[i] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return results


def completed_visit():
    appointment = AppointmentFactory(status=AppointmentStatus.IN_PROGRESS)
    DiagnosisFactory(record=MedicalRecordFactory(appointment=appointment))
    return appointment


def test_racing_bill_creations_for_one_appointment_make_one_bill():
    appointment = completed_visit()
    user = UserFactory()
    results = race(4, lambda i: services.bill_create_for_appointment(appointment=appointment, acting_user=user))
    assert all(isinstance(r, Bill) for r in results), results
    assert len({r.pk for r in results}) == 1
    assert Bill.objects.filter(appointment=appointment).count() == 1
    assert Bill.objects.get().lines.count() == 1


def test_racing_completions_and_signals_make_one_bill():
    appointment = completed_visit()
    user = appointment.doctor.user  # the visit's own doctor completes it (scheduling.policies)

    def work(i):
        if i == 0:
            return scheduling_services.appointment_complete(appointment=appointment, acting_user=user)
        return appointment_completed.send(sender=type(appointment), appointment=appointment, acting_user=user)

    race(3, work)
    appointment.refresh_from_db()
    assert appointment.status == AppointmentStatus.COMPLETED
    assert Bill.objects.filter(appointment=appointment).count() == 1


def issued_bill(amount):
    bill = BillFactory()
    BillLineFactory(bill=bill, unit_price=amount)
    return services.bill_issue(bill=bill, acting_user=UserFactory())


def test_concurrent_duplicates_of_one_idempotency_key_record_one_payment():
    bill = issued_bill(Decimal("100.00"))
    user = UserFactory()
    results = race(
        4,
        lambda i: services.payment_record(
            bill=bill, amount="40.00", method=PaymentMethod.CARD, idempotency_key="retry-1", acting_user=user
        ),
    )
    assert all(isinstance(r, Payment) for r in results), results
    assert len({r.pk for r in results}) == 1
    assert sorted(r.replayed for r in results) == [False, True, True, True]
    bill.refresh_from_db()
    assert Payment.objects.count() == 1
    assert (bill.amount_paid, bill.balance, bill.status) == (
        Decimal("40.00"),
        Decimal("60.00"),
        BillStatus.PARTIALLY_PAID,
    )


def test_concurrent_payments_never_overpay_the_balance():
    bill = issued_bill(Decimal("100.00"))
    user = UserFactory()
    results = race(
        3, lambda i: services.payment_record(bill=bill, amount="60.00", method=PaymentMethod.CASH, acting_user=user)
    )
    assert sum(isinstance(r, Payment) for r in results) == 1
    bill.refresh_from_db()
    assert bill.amount_paid == Decimal("60.00")
