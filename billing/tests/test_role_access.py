"""A bill's page shows the rows of other models (refunds, the claim) only to roles that may view them (issue 10)."""

import pytest
from django.urls import reverse

from billing.tests.factories import bill_with_money_and_claim
from hms.roles import ROLE_PERMISSIONS

pytestmark = pytest.mark.django_db


def table_views(role, label):
    return "v" in ROLE_PERMISSIONS.get(role, {}).get(label, "")


@pytest.mark.parametrize("role", ["Administrator", "Billing Clerk", "Receptionist"])
def test_the_bill_page_shows_refunds_and_the_claim_only_to_roles_that_may_view_them(client, make_user, role):
    bill = bill_with_money_and_claim()
    client.force_login(make_user(role))

    response = client.get(reverse("billing:bill_detail", args=[bill.pk]))

    assert response.status_code == 200
    page = response.content.decode()
    assert bill.number in page
    assert ("Overpaid" in page) == table_views(role, "billing.refund")
    assert ('id="claim-status"' in page) == table_views(role, "billing.claim")


def test_the_desk_reads_refunds_but_not_claims():
    assert table_views("Receptionist", "billing.refund")
    assert not table_views("Receptionist", "billing.claim")
