"""Work queues of billing (issue 12): the billing clerk's drafts to issue, then outstanding bills, each the
oldest first; the insurer's claims to adjudicate, submitted first, then in review, each the oldest first."""

import datetime
import re
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from billing import services
from billing.choices import ClaimStatus
from billing.models import Bill, Claim
from billing.tests.factories import BillFactory, BillLineFactory, claim_to
from conftest import query_count, query_counter
from patients.tests.factories import InsurerAccountFactory
from staff.tests.factories import HospitalFactory, UserFactory

pytestmark = pytest.mark.django_db

D = Decimal
OUTSTANDING = reverse("billing:outstanding")
CLAIMS = reverse("billing:claims_queue")


def text(response):
    return response.content.decode()


def aged(bill, days):
    """Make ``bill`` (and its claim, if any) ``days`` old."""
    when = timezone.now() - datetime.timedelta(days=days)
    Bill.objects.filter(pk=bill.pk).update(created_at=when)
    Claim.objects.filter(bill_id=bill.pk).update(created_at=when)
    return bill


def draft(days=0, **kwargs):
    bill = BillFactory(**kwargs)
    BillLineFactory(bill=bill, unit_price=D("100.00"))
    return aged(services.bill_recalculate(bill=bill, acting_user=UserFactory()), days)


def issued(days=0, **kwargs):
    bill = BillFactory(**kwargs)
    BillLineFactory(bill=bill, unit_price=D("100.00"))
    bill = services.bill_issue(bill=bill, acting_user=UserFactory())
    return aged(bill, days)


def ids_in(body, table_id):
    table = re.search(rf'<table id="{table_id}".*?</table>', body, re.S).group(0)
    return [int(pk) for pk in re.findall(r'<tr id="(?:bill|draft|claim)-(\d+)"', table)]


# --- the billing clerk: drafts to issue, then outstanding bills ------------------------------------------------


def test_the_clerk_sees_drafts_to_issue_first_then_outstanding_bills_each_the_oldest_first(client, make_user):
    new_draft, old_draft = draft(days=1), draft(days=9)
    new_bill, old_bill, middle_bill = issued(days=2), issued(days=30), issued(days=10)
    client.force_login(make_user("Billing Clerk"))

    body = text(client.get(OUTSTANDING))

    assert body.index('id="draft-bills"') < body.index('id="bills"')
    assert ids_in(body, "draft-bills") == [old_draft.pk, new_draft.pk]
    assert ids_in(body, "bills") == [old_bill.pk, middle_bill.pk, new_bill.pk]


def test_the_drafts_follow_the_lists_filters(client, make_user):
    boston, austin = HospitalFactory(name="Boston General"), HospitalFactory(name="Austin Memorial")
    in_boston, in_austin = draft(hospital=boston), draft(hospital=austin)
    client.force_login(make_user("Billing Clerk"))

    body = text(client.get(OUTSTANDING, {"hospital": boston.pk}))

    assert ids_in(body, "draft-bills") == [in_boston.pk]
    assert in_austin.number not in body


def test_another_status_lists_those_bills_newest_first_without_the_drafts_queue(client, make_user):
    old_bill, new_bill = issued(days=30), issued(days=2)
    draft()
    client.force_login(make_user("Billing Clerk"))

    body = text(client.get(OUTSTANDING, {"status": "issued"}))

    assert 'id="draft-bills"' not in body
    assert ids_in(body, "bills") == [new_bill.pk, old_bill.pk]


def test_the_drafts_are_paged_by_cursor_of_their_own(client, make_user):
    drafts = [draft(days=20 - i) for i in range(12)]
    client.force_login(make_user("Billing Clerk"))

    first = client.get(OUTSTANDING)
    second = client.get(OUTSTANDING + first.context["drafts"].next_url)

    assert [b.pk for b in first.context["drafts"]] == [b.pk for b in drafts[:10]]
    assert [b.pk for b in second.context["drafts"]] == [b.pk for b in drafts[10:]]
    assert "drafts=" in first.context["drafts"].next_url


def _count(client, params):
    return query_count(client, OUTSTANDING, params)


@pytest.mark.parametrize("params", [{}, {"q": "TST"}, {"hospital": "*"}], ids=["default", "search", "hospital"])
def test_the_billing_queue_costs_the_same_queries_for_3_and_30_bills(client, make_user, params):
    hospital = HospitalFactory()
    params = {key: (hospital.pk if value == "*" else value) for key, value in params.items()}

    def make(count):
        for i in range(count):
            (draft if i % 2 else issued)(days=i, hospital=hospital)

    client.force_login(make_user("Billing Clerk"))
    make(3)
    small = _count(client, params)
    make(27)
    large = _count(client, params)

    assert small == large <= 8


# --- insurers: claims to adjudicate ----------------------------------------------------------------------------


def claim_of(payer_name, status, days=0):
    claim = claim_to(payer_name, status)
    aged(claim.bill, days)
    return claim


def insurer_of(payer_name):
    return InsurerAccountFactory(payer__name=payer_name).user


def test_the_insurer_sees_submitted_claims_first_then_those_in_review_each_the_oldest_first(client):
    new_submitted = claim_of("Aetna", ClaimStatus.SUBMITTED, days=1)
    old_submitted = claim_of("Aetna", ClaimStatus.SUBMITTED, days=8)
    new_review = claim_of("Aetna", ClaimStatus.IN_REVIEW, days=2)
    old_review = claim_of("Aetna", ClaimStatus.IN_REVIEW, days=20)
    claim_of("Aetna", ClaimStatus.DRAFT)  # not sent to the insurer yet
    client.force_login(insurer_of("Aetna"))

    response = client.get(CLAIMS)

    body = text(response)
    assert response.status_code == 200
    assert body.index('id="submitted-claims"') < body.index('id="in-review-claims"')
    assert ids_in(body, "submitted-claims") == [old_submitted.pk, new_submitted.pk]
    assert ids_in(body, "in-review-claims") == [old_review.pk, new_review.pk]
    assert f'href="{reverse("billing:claim_document", args=[old_submitted.pk])}"' in body


def test_the_insurer_sees_only_its_own_payers_claims(client):
    own = claim_of("Aetna", ClaimStatus.SUBMITTED)
    other = claim_of("Cigna", ClaimStatus.SUBMITTED)
    client.force_login(insurer_of("Aetna"))

    body = text(client.get(CLAIMS))

    assert ids_in(body, "submitted-claims") == [own.pk]
    assert other.bill.number not in body


def test_an_insurer_without_a_payer_sees_no_claims(client, make_user):
    claim_of("Aetna", ClaimStatus.SUBMITTED)
    client.force_login(make_user("Insurer"))

    response = client.get(CLAIMS)

    assert response.status_code == 200
    assert ids_in(text(response), "submitted-claims") == []


@pytest.mark.parametrize(
    ("role", "allowed"),
    [
        ("Insurer", True),
        ("Billing Clerk", True),
        ("Administrator", True),
        ("Doctor", False),
        ("Nurse", False),
        ("Receptionist", False),
        ("Pharmacist", False),
        ("Lab Technician", False),
        ("Patient", False),
    ],
)
def test_only_those_who_decide_claims_open_the_claims_queue(client, make_user, role, allowed):
    client.force_login(make_user(role))

    assert client.get(CLAIMS).status_code == (200 if allowed else 403)


def test_the_claims_queue_costs_the_same_queries_for_3_and_30_claims(client):
    insurer = insurer_of("Aetna")
    client.force_login(insurer)

    def make(count):
        for i in range(count):
            claim_of("Aetna", ClaimStatus.SUBMITTED if i % 2 else ClaimStatus.IN_REVIEW, days=i)

    def count():
        with query_counter() as queries:
            response = client.get(CLAIMS)
        assert response.status_code == 200
        return len(queries), len(response.context["submitted"]) + len(response.context["in_review"])

    make(3)
    small, shown_small = count()
    make(27)
    large, shown_large = count()

    assert (shown_small, shown_large) == (3, 30)
    assert small == large <= 8
