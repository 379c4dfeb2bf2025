"""Payment idempotency keys belong to the user who sent them, on one bill (issue 10, item 8)."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from billing import services
from billing.choices import PaymentMethod
from billing.models import Payment
from billing.tests.factories import BillFactory, BillLineFactory
from hms.exceptions import Conflict
from staff.tests.factories import UserFactory

pytestmark = pytest.mark.django_db

D = Decimal


def issued_bill(amount="100.00"):
    bill = BillFactory()
    BillLineFactory(bill=bill, unit_price=D(amount))
    return services.bill_issue(bill=bill, acting_user=UserFactory())


def test_another_user_replaying_a_key_records_their_own_payment_and_never_gets_the_first_one(api_as):
    bill = issued_bill()
    url = f"/api/v1/bills/{bill.pk}/payments/"
    first_clerk, second_clerk = api_as("Receptionist"), api_as("Billing Clerk")

    first = first_clerk.post(url, {"amount": "25.00", "method": "card", "reference": "A"}, HTTP_IDEMPOTENCY_KEY="k")
    second = second_clerk.post(url, {"amount": "25.00", "method": "card", "reference": "A"}, HTTP_IDEMPOTENCY_KEY="k")

    assert (first.status_code, second.status_code) == (201, 201)
    assert first.json()["id"] != second.json()["id"]
    assert second.json()["received_by"] == str(second_clerk.user)
    payments = Payment.objects.filter(bill=bill)
    assert sorted(p.received_by_id for p in payments) == sorted([first_clerk.user.pk, second_clerk.user.pk])
    bill.refresh_from_db()
    assert bill.amount_paid == D("50.00")
    # Each replays their own.
    again = second_clerk.post(url, {"amount": "25.00", "method": "card", "reference": "A"}, HTTP_IDEMPOTENCY_KEY="k")
    assert (again.status_code, again.json()["id"]) == (200, second.json()["id"])
    assert Payment.objects.filter(bill=bill).count() == 2


@pytest.mark.parametrize(
    "change",
    [{"amount": "30.00"}, {"method": "cash"}, {"reference": "OTHER-SLIP"}],
    ids=["amount", "method", "reference"],
)
def test_the_same_user_reusing_a_key_with_a_different_body_is_refused(api_as, change):
    bill = issued_bill()
    url = f"/api/v1/bills/{bill.pk}/payments/"
    client = api_as("Billing Clerk")
    body = {"amount": "25.00", "method": "card", "reference": "SLIP-1"}
    assert client.post(url, body, HTTP_IDEMPOTENCY_KEY="pay-1").status_code == 201

    response = client.post(url, {**body, **change}, HTTP_IDEMPOTENCY_KEY="pay-1")

    assert response.status_code == 409
    assert response.json()["code"] == "idempotency_mismatch"
    assert "already used for a different payment" in response.json()["detail"]
    assert Payment.objects.filter(bill=bill).count() == 1
    bill.refresh_from_db()
    assert bill.amount_paid == D("25.00")


def test_the_same_key_on_another_bill_is_another_payment(api_as):
    client = api_as("Billing Clerk")
    one, two = issued_bill(), issued_bill()
    body = {"amount": "10.00", "method": "cash"}

    first = client.post(f"/api/v1/bills/{one.pk}/payments/", body, HTTP_IDEMPOTENCY_KEY="same")
    second = client.post(f"/api/v1/bills/{two.pk}/payments/", body, HTTP_IDEMPOTENCY_KEY="same")

    assert (first.status_code, second.status_code) == (201, 201)
    assert Payment.objects.count() == 2


def test_the_service_scopes_keys_by_user_and_compares_the_receipt_time():
    bill = issued_bill()
    alice, bob = UserFactory(), UserFactory()
    when = timezone.now() - datetime.timedelta(hours=1)
    kwargs = {"bill": bill, "amount": "10", "method": PaymentMethod.CASH, "idempotency_key": "k", "received_at": when}

    alices = services.payment_record(acting_user=alice, **kwargs)
    bobs = services.payment_record(acting_user=bob, **kwargs)
    replay = services.payment_record(acting_user=alice, **kwargs)

    assert alices.pk != bobs.pk and not bobs.replayed
    assert (replay.pk, replay.replayed) == (alices.pk, True)
    with pytest.raises(Conflict):
        services.payment_record(acting_user=alice, **{**kwargs, "received_at": when - datetime.timedelta(days=1)})
    assert Payment.objects.filter(bill=bill).count() == 2
