"""Patients never see draft bills: one rule (billing.policies.bills_seen_by_patient) behind every read of bills a
patient makes, the API, the portal's list, bill, PDF and amount owed."""

from decimal import Decimal

import pytest
from django.urls import reverse

from billing import services
from billing.models import Bill
from billing.page_selectors import portal_amount_owed, portal_bill, portal_bills
from billing.policies import bills_seen_by_patient
from billing.selectors import bill_queryset_for
from billing.tests.factories import BillFactory, BillLineFactory
from patients.tests.factories import PatientFactory

pytestmark = pytest.mark.django_db


def bill_for(patient, amount="80.00"):
    bill = BillFactory(patient=patient)
    BillLineFactory(bill=bill, unit_price=Decimal(amount), code="93000", description="Electrocardiogram")
    return bill


@pytest.fixture
def me(make_user):
    return PatientFactory(user=make_user("Patient"))


@pytest.fixture
def bills(me, make_user):
    clerk = make_user("Billing Clerk")
    draft = bill_for(me, "500.00")
    issued = services.bill_issue(bill=bill_for(me, "80.00"), acting_user=clerk)
    someone_elses = services.bill_issue(bill=bill_for(PatientFactory()), acting_user=clerk)
    return draft, issued, someone_elses


def test_the_rule_keeps_a_patients_own_issued_bills_only(me, bills):
    draft, issued, _ = bills

    assert list(bills_seen_by_patient(Bill.objects.all(), user=me.user)) == [issued]


def test_every_read_a_patient_makes_leaves_the_draft_out(me, bills):
    draft, issued, _ = bills

    assert list(bill_queryset_for(me.user)) == [issued]
    assert list(portal_bills(me.user)) == [issued]
    assert portal_amount_owed(me.user) == issued.patient_balance
    with pytest.raises(Bill.DoesNotExist):
        portal_bill(me.user, draft.pk)


def test_a_draft_is_404_on_the_portal_and_in_the_api(client, api_as, me, bills):
    draft, issued, _ = bills
    client.force_login(me.user)
    api = api_as(me.user)

    assert client.get(reverse("billing:portal_invoice", args=[draft.pk])).status_code == 404
    assert client.get(reverse("billing:portal_invoice_pdf", args=[draft.pk])).status_code == 404
    assert api.get(f"/api/v1/bills/{draft.pk}/").status_code == 404
    assert [row["id"] for row in api.get("/api/v1/bills/").json()["results"]] == [issued.pk]
    assert client.get(reverse("billing:portal_invoice", args=[issued.pk])).status_code == 200
