"""Billing pages through the Django test client (and one real-browser journey): who may open what, the
outstanding list, a bill's actions and their refusals, claims, printable invoices and the patient portal."""

import re
from decimal import Decimal

import pytest
from django.urls import reverse

from billing import services
from billing.choices import BillStatus, ClaimStatus, PaymentMethod
from billing.models import Bill, BillLine, Claim, Payment, Refund
from billing.tests.factories import BillFactory, BillLineFactory
from conftest import query_count, query_counter
from patients.tests.factories import InsurancePolicyFactory, PatientFactory
from staff.tests.factories import HospitalFactory

pytestmark = pytest.mark.django_db

D = Decimal
STAFF_ROLES = ["Administrator", "Doctor", "Nurse", "Receptionist", "Billing Clerk", "Pharmacist", "Lab Technician"]
ALL_ROLES = [*STAFF_ROLES, "Patient"]


def text(response):
    return response.content.decode()


def messages_of(response):
    return [str(m) for m in response.context["messages"]]


@pytest.fixture
def clerk(make_user):
    return make_user("Billing Clerk", first_name="Carla", last_name="Clerk")


def draft_bill(*, amount=None, patient=None, hospital=None, code="93000"):
    amount = D("200.00") if amount is None else amount
    bill = BillFactory(**({"patient": patient} if patient else {}), **({"hospital": hospital} if hospital else {}))
    BillLineFactory(bill=bill, unit_price=amount, code=code, description="Electrocardiogram")
    return bill


def issued_bill(user, *, amount=None, patient=None, hospital=None, policy=None):
    bill = draft_bill(amount=amount, patient=patient, hospital=hospital)
    if policy is not None:
        InsurancePolicyFactory(patient=bill.patient, **policy)
    return services.bill_issue(bill=bill, acting_user=user)


def fresh(bill):
    return Bill.objects.get(pk=bill.pk)


# --- who may open what --------------------------------------------------------------------------------------------

FRONT_DESK = {"Administrator", "Billing Clerk", "Receptionist"}
BILLING = {"Administrator", "Billing Clerk"}
PAGE_ACCESS = {
    "billing:outstanding": FRONT_DESK,
    "billing:bill_detail": FRONT_DESK,
    "billing:invoice": FRONT_DESK,
    "billing:invoice_pdf": FRONT_DESK,
    "billing:claim_document": BILLING,
    "billing:portal_bills": {"Patient"},
    "billing:portal_invoice": {"Patient"},
    "billing:portal_invoice_pdf": {"Patient"},
}


def _page_url(page, bill):
    if page in ("billing:outstanding", "billing:portal_bills"):
        return reverse(page)
    if page == "billing:claim_document":
        return reverse(page, args=[bill.claim.pk])
    return reverse(page, args=[bill.pk])


@pytest.mark.parametrize(
    ("page", "role", "allowed"),
    [(page, role, role in allowed) for page, allowed in PAGE_ACCESS.items() for role in ALL_ROLES],
)
def test_each_page_opens_for_its_roles_and_is_refused_to_the_others(client, login, clerk, page, role, allowed):
    user = login(role)
    patient = PatientFactory(user=user) if role == "Patient" else PatientFactory()
    bill = issued_bill(clerk, patient=patient, policy={})
    services.claim_create(bill=bill, acting_user=clerk)

    response = client.get(_page_url(page, fresh(bill)))

    if allowed:
        assert response.status_code == 200
    else:
        assert response.status_code == 403
        assert "Not allowed" in text(response)
        assert bill.number not in text(response)


@pytest.mark.parametrize("page", sorted(PAGE_ACCESS))
def test_anonymous_visitors_are_sent_to_the_login_page(client, clerk, page):
    bill = issued_bill(clerk, policy={})
    services.claim_create(bill=bill, acting_user=clerk)

    response = client.get(_page_url(page, fresh(bill)))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


# POST action -> (data, roles allowed). Refused roles get 403 and nothing is saved.
ACTIONS = {
    "billing:payment_record": ({"amount": "50.00", "method": "cash"}, FRONT_DESK),
    "billing:bill_adjust": ({"amount": "-20.00", "reason": "Courtesy discount"}, BILLING),
    "billing:bill_void": ({"reason": "Duplicate bill"}, BILLING),
    "billing:claim_create": ({}, BILLING),
}


@pytest.mark.parametrize(
    ("action", "role", "allowed"),
    [(action, role, role in roles) for action, (_, roles) in ACTIONS.items() for role in ALL_ROLES],
)
def test_bill_actions_are_allowed_to_their_roles_only(client, login, clerk, action, role, allowed):
    bill = issued_bill(clerk, policy={})
    user = login(role)
    if role == "Patient":
        PatientFactory(user=user)
    before = (fresh(bill).status, fresh(bill).total, Payment.objects.count(), Claim.objects.count())

    response = client.post(reverse(action, args=[bill.pk]), ACTIONS[action][0])

    after = (fresh(bill).status, fresh(bill).total, Payment.objects.count(), Claim.objects.count())
    if allowed:
        assert response.status_code == 302
        assert response["Location"] == reverse("billing:bill_detail", args=[bill.pk])
        assert after != before
    else:
        assert response.status_code == 403
        assert after == before


@pytest.mark.parametrize("action", ["billing:bill_issue", "billing:refund_record"])
def test_the_front_desk_cannot_issue_or_refund(client, login, clerk, action):
    bill = draft_bill() if action == "billing:bill_issue" else issued_bill(clerk)
    if action == "billing:refund_record":
        services.payment_record(bill=bill, amount=D("50.00"), method=PaymentMethod.CASH, acting_user=clerk)
    login("Receptionist")

    response = client.post(reverse(action, args=[bill.pk]), {"amount": "10.00", "reason": "Overpaid"})

    assert response.status_code == 403
    assert Refund.objects.count() == 0
    assert fresh(bill).status == (BillStatus.DRAFT if action == "billing:bill_issue" else BillStatus.PARTIALLY_PAID)


def test_a_get_on_an_action_is_not_allowed(client, login, clerk):
    bill = issued_bill(clerk)
    login(clerk)

    assert client.get(reverse("billing:payment_record", args=[bill.pk])).status_code == 405


# --- the outstanding list -----------------------------------------------------------------------------------------


def test_the_outstanding_list_shows_bills_with_a_balance_and_their_totals(client, login, clerk):
    owing = issued_bill(clerk, amount=D("300.00"))
    services.payment_record(bill=owing, amount=D("120.00"), method=PaymentMethod.CARD, acting_user=clerk)
    paid = issued_bill(clerk, amount=D("80.00"))
    services.payment_record(bill=paid, amount=D("80.00"), method=PaymentMethod.CASH, acting_user=clerk)
    draft = draft_bill()
    login(clerk)

    response = client.get(reverse("billing:outstanding"))

    assert response.status_code == 200
    body = text(response)
    table = re.search(r'<table id="bills".*?</table>', body, re.S).group(0)
    assert owing.number in table and paid.number not in body and draft.number not in table
    row = re.search(rf'<tr id="bill-{owing.pk}">(.*?)</tr>', body, re.S).group(1)
    assert "$300.00" in row and "$120.00" in row and "$180.00" in row
    assert "Partially paid" in row
    assert "1 bill · total $300.00 · paid $120.00 · balance <strong>$180.00</strong>" in body


def test_the_list_filters_by_hospital_status_dates_and_patient(client, login, clerk):
    boston = HospitalFactory(name="Boston General")
    austin = HospitalFactory(name="Austin Memorial")
    ada = PatientFactory(last_name="Lovelace", mrn="M0000001")
    grace = PatientFactory(last_name="Hopper", mrn="M0000002")
    in_boston = issued_bill(clerk, hospital=boston, patient=ada)
    in_austin = issued_bill(clerk, hospital=austin, patient=grace)
    Bill.objects.filter(pk=in_austin.pk).update(service_date="2026-01-15")
    draft = draft_bill(hospital=boston, patient=ada)
    login(clerk)
    url = reverse("billing:outstanding")

    def numbers(**params):  # of the bills table (the drafts to issue are listed above it)
        table = re.search(r'<table id="bills".*?</table>', text(client.get(url, params)), re.S).group(0)
        return set(re.findall(r"(?:TST|[A-Z0-9]+)-\d{4}-\d{6}", table))

    assert numbers(hospital=boston.pk) == {in_boston.number}
    assert numbers(q="hopp") == {in_austin.number}
    assert numbers(q="M0000001") == {in_boston.number}
    assert numbers(date_from="2026-01-01", date_to="2026-01-31") == {in_austin.number}
    assert numbers(status="draft") == {draft.number}
    assert numbers(status="all", q="lovelace") == {in_boston.number, draft.number}


def test_a_search_finds_the_patients_first_and_reads_their_bills_by_patient_in_8_queries(client, login, clerk):
    ada = PatientFactory(last_name="Lovelace", mrn="M0000001")
    grace = PatientFactory(last_name="Hopper", mrn="M0000002")
    ada_bill, grace_bill = issued_bill(clerk, patient=ada), issued_bill(clerk, patient=grace)
    login(clerk)

    by_number = client.get(reverse("billing:outstanding"), {"q": grace_bill.number[:-1]})
    with query_counter() as queries:
        by_name = client.get(reverse("billing:outstanding"), {"q": "love"})

    assert [b.pk for b in by_name.context["page"]] == [ada_bill.pk]
    assert grace_bill.pk in [b.pk for b in by_number.context["page"]]
    assert "1 bill · total $200.00" in text(by_name)
    bill_queries = [q["sql"] for q in queries if "FROM `billing_bill`" in q["sql"]]
    assert bill_queries and not [sql for sql in bill_queries if "`patients_patient`.`last_name` LIKE" in sql]
    assert len(queries) <= 8


def test_a_reversed_date_range_is_refused_with_a_message(client, login, clerk):
    login(clerk)

    response = client.get(reverse("billing:outstanding"), {"date_from": "2026-02-01", "date_to": "2026-01-01"})

    assert response.status_code == 400
    assert "The end date is before the start date." in text(response)


def test_the_list_is_paginated(client, login, clerk):
    for _ in range(27):
        issued_bill(clerk, amount=D("10.00"))
    login(clerk)

    first = client.get(reverse("billing:outstanding"))
    second = client.get(reverse("billing:outstanding") + first.context["page"].next_url)

    assert len(first.context["page"]) == 25 and len(second.context["page"]) == 2
    assert "Newer ›" in text(first) and "‹ Older" in text(second)  # the oldest first: a work queue
    assert not {b.pk for b in first.context["page"]} & {b.pk for b in second.context["page"]}


def _bills_in_every_state(clerk, *hospitals):
    """At each hospital: issued, partly paid, paid (after a discount), draft and void bills."""
    for hospital in hospitals:
        issued_bill(clerk, amount=D("300.00"), hospital=hospital)
        partly = issued_bill(clerk, amount=D("250.00"), hospital=hospital)
        services.payment_record(bill=partly, amount=D("100.00"), method=PaymentMethod.CARD, acting_user=clerk)
        paid = issued_bill(clerk, amount=D("80.00"), hospital=hospital)
        services.bill_add_adjustment(bill=paid, amount=D("-30.00"), reason="Discount", acting_user=clerk)
        services.payment_record(bill=paid, amount=D("50.00"), method=PaymentMethod.CASH, acting_user=clerk)
        draft_bill(amount=D("40.00"), hospital=hospital)
        duplicate = issued_bill(clerk, amount=D("60.00"), hospital=hospital)
        services.bill_void(bill=duplicate, reason="Duplicate", acting_user=clerk)


SUM_FILTERS = [
    {},
    {"status": "issued"},
    {"status": "partially_paid"},
    {"status": "paid"},
    {"status": "draft"},
    {"status": "void"},
    {"status": "all"},
    {"date_from": "2000-01-01"},
    {"q": "TST"},
]


@pytest.mark.parametrize("by_hospital", [False, True], ids=["all hospitals", "one hospital"])
def test_the_header_totals_equal_the_sums_of_every_matching_bill_for_each_filter(client, login, clerk, by_hospital):
    from billing.page_selectors import bill_search, bill_sums

    boston, austin = HospitalFactory(name="Boston General"), HospitalFactory(name="Austin Memorial")
    _bills_in_every_state(clerk, boston, austin)
    login(clerk)

    for params in SUM_FILTERS:
        params = {**params, **({"hospital": boston.pk} if by_hospital else {})}
        response = client.get(reverse("billing:outstanding"), params)
        form = response.context["form"]
        data = form.cleaned_data
        raw = bill_sums(
            bill_search(
                user=clerk,
                hospital=data["hospital"],
                status=data["status"],
                date_from=data["date_from"],
                date_to=data["date_to"],
                query=data["q"],
            )
        )
        assert response.status_code == 200
        assert response.context["sums"] == raw, params
        assert raw["count"] > 0, params


def test_the_outstanding_totals_are_read_from_the_daily_roll_up_not_summed_over_every_bill(client, login, clerk):
    owing = issued_bill(clerk, amount=D("300.00"))
    services.payment_record(bill=owing, amount=D("120.00"), method=PaymentMethod.CARD, acting_user=clerk)
    issued_bill(clerk, amount=D("50.00"))
    login(clerk)

    with query_counter() as queries:
        response = client.get(reverse("billing:outstanding"))

    assert "2 bills · total $350.00 · paid $120.00 · balance <strong>$230.00</strong>" in text(response)
    summed_over_bills = [q["sql"] for q in queries if "SUM(" in q["sql"] and "FROM `billing_bill`" in q["sql"]]
    assert summed_over_bills == []


def test_a_single_status_is_listed_and_summed_without_distinct(client, login, clerk):
    paid = issued_bill(clerk, amount=D("80.00"))
    services.payment_record(bill=paid, amount=D("80.00"), method=PaymentMethod.CASH, acting_user=clerk)
    issued_bill(clerk, amount=D("20.00"))
    login(clerk)

    with query_counter() as queries:
        response = client.get(reverse("billing:outstanding"), {"status": "paid"})

    assert [b.pk for b in response.context["page"]] == [paid.pk]
    assert "1 bill · total $80.00 · paid $80.00 · balance <strong>$0.00</strong>" in text(response)
    assert [q["sql"] for q in queries if "DISTINCT" in q["sql"]] == []


def test_an_issued_bill_without_a_balance_makes_the_page_sum_the_bills_themselves(client, login, clerk):
    from billing import rollups

    odd = issued_bill(clerk, amount=D("70.00"))
    issued_bill(clerk, amount=D("30.00"))
    # Not something the services do (a bill whose balance reaches zero becomes paid), e.g. an old bulk import.
    Bill.objects.filter(pk=odd.pk).update(amount_paid=D("70.00"), balance=D("0.00"))
    rollups.rebuild()
    login(clerk)

    outstanding = client.get(reverse("billing:outstanding"))
    issued = client.get(reverse("billing:outstanding"), {"status": "issued"})

    assert "1 bill · total $30.00 · paid $0.00 · balance <strong>$30.00</strong>" in text(outstanding)
    assert "2 bills · total $100.00 · paid $70.00 · balance <strong>$30.00</strong>" in text(issued)


def _count_list_queries(client):
    return query_count(client, reverse("billing:outstanding"), {"status": "all"})


def test_the_outstanding_list_costs_the_same_queries_for_3_and_30_bills(client, login, clerk):
    login(clerk)

    def make(n):
        for i in range(n):
            bill = issued_bill(clerk, amount=D("100.00"), policy={} if i % 2 else None)
            if i % 3 == 0:
                services.claim_create(bill=bill, acting_user=clerk) if i % 2 else None

    make(3)
    small = _count_list_queries(client)
    make(27)
    large = _count_list_queries(client)

    assert small == large


# --- one bill: payments -------------------------------------------------------------------------------------------


def test_a_payment_is_recorded_by_the_clerk_and_the_balance_drops(client, login, clerk):
    bill = issued_bill(clerk, amount=D("200.00"))
    login(clerk)

    response = client.post(
        reverse("billing:payment_record", args=[bill.pk]),
        {"amount": "75.50", "method": "card", "reference": "SLIP-42", "idempotency_key": "k1"},
        follow=True,
    )

    payment = Payment.objects.get()
    assert (payment.amount, payment.method, payment.reference, payment.received_by) == (
        D("75.50"),
        PaymentMethod.CARD,
        "SLIP-42",
        clerk,
    )
    assert payment.history.get().history_user == clerk
    assert fresh(bill).balance == D("124.50") and fresh(bill).status == BillStatus.PARTIALLY_PAID
    assert "recorded a payment of $75.50 (card)" in " ".join(messages_of(response))
    assert '<dd id="bill-balance"><strong>$124.50</strong></dd>' in text(response)


def test_a_resent_payment_form_records_the_payment_once(client, login, clerk):
    bill = issued_bill(clerk)
    login(clerk)
    data = {"amount": "20.00", "method": "cash", "idempotency_key": "same-form"}

    client.post(reverse("billing:payment_record", args=[bill.pk]), data)
    response = client.post(reverse("billing:payment_record", args=[bill.pk]), data, follow=True)

    assert Payment.objects.count() == 1
    assert fresh(bill).amount_paid == D("20.00")
    assert "already recorded" in " ".join(messages_of(response))


def test_the_front_desk_records_a_copay(client, login, clerk):
    bill = issued_bill(clerk, amount=D("150.00"))
    receptionist = login("Receptionist")

    response = client.post(reverse("billing:payment_record", args=[bill.pk]), {"amount": "25.00", "method": "card"})

    assert response.status_code == 302
    assert Payment.objects.get().history.get().history_user == receptionist


@pytest.mark.parametrize(
    ("setup", "data", "status", "message"),
    [
        ("issued", {"amount": "250.00", "method": "cash"}, 400, "The payment is more than the balance of $200.00."),
        ("issued", {"amount": "0", "method": "cash"}, 400, "A payment must be more than zero."),
        ("issued", {"amount": "-5", "method": "cash"}, 400, "A payment must be more than zero."),
        ("issued", {"amount": "ten", "method": "cash"}, 400, "Enter a number."),
        ("issued", {"amount": "5.001", "method": "cash"}, 400, "Ensure that there are no more than 2 decimal places."),
        ("issued", {"amount": "5", "method": "bitcoin"}, 400, "Select a valid choice."),
        ("draft", {"amount": "5", "method": "cash"}, 409, "issue it before taking payments"),
        ("void", {"amount": "5", "method": "cash"}, 409, "This bill is void; it takes no payments."),
    ],
)
def test_each_refused_payment_saves_nothing_and_says_why(client, login, clerk, setup, data, status, message):
    bill = draft_bill() if setup == "draft" else issued_bill(clerk)
    if setup == "void":
        services.bill_void(bill=bill, reason="Entered twice", acting_user=clerk)
    login(clerk)

    response = client.post(reverse("billing:payment_record", args=[bill.pk]), data)

    assert response.status_code == status
    assert message in text(response)
    assert Payment.objects.count() == 0
    assert fresh(bill).amount_paid == D("0.00")


# --- one bill: issue, void, adjust, refund ------------------------------------------------------------------------


def test_the_clerk_issues_a_draft_and_cannot_issue_it_twice(client, login, clerk):
    bill = draft_bill(amount=D("90.00"))
    login(clerk)

    response = client.post(reverse("billing:bill_issue", args=[bill.pk]), follow=True)
    again = client.post(reverse("billing:bill_issue", args=[bill.pk]))

    assert fresh(bill).status == BillStatus.ISSUED and fresh(bill).issued_by == clerk
    assert "issued; the total of $90.00 is final" in " ".join(messages_of(response))
    assert again.status_code == 409
    assert "Only a draft bill can be issued; this one is issued." in text(again)


def test_voiding_needs_a_reason_and_keeps_the_bill(client, login, clerk):
    bill = issued_bill(clerk)
    login(clerk)

    refused = client.post(reverse("billing:bill_void", args=[bill.pk]), {"reason": "  "})
    assert refused.status_code == 400
    assert fresh(bill).status == BillStatus.ISSUED

    response = client.post(
        reverse("billing:bill_void", args=[bill.pk]), {"reason": "Patient billed twice"}, follow=True
    )

    bill = fresh(bill)
    assert (bill.status, bill.void_reason, bill.voided_by) == (BillStatus.VOID, "Patient billed twice", clerk)
    assert "Patient billed twice" in text(response)


def test_a_bill_with_money_on_it_cannot_be_voided(client, login, clerk):
    bill = issued_bill(clerk)
    services.payment_record(bill=bill, amount=D("10.00"), method=PaymentMethod.CASH, acting_user=clerk)
    login(clerk)

    response = client.post(reverse("billing:bill_void", args=[bill.pk]), {"reason": "Mistake"})

    assert response.status_code == 409
    assert "refund it before voiding" in text(response)
    assert fresh(bill).status == BillStatus.PARTIALLY_PAID


def test_an_adjustment_line_with_a_reason_changes_the_total(client, login, clerk):
    bill = issued_bill(clerk, amount=D("200.00"))
    login(clerk)

    response = client.post(
        reverse("billing:bill_adjust", args=[bill.pk]),
        {"amount": "-30.00", "reason": "Hardship discount", "description": "Discount"},
        follow=True,
    )

    line = BillLine.objects.get(bill=bill, kind="adjustment")
    assert (line.amount, line.reason) == (D("-30.00"), "Hardship discount")
    assert fresh(bill).total == D("170.00") and fresh(bill).balance == D("170.00")
    assert "Reason: Hardship discount" in text(response)


@pytest.mark.parametrize(
    ("data", "status", "message"),
    [
        ({"amount": "-30.00", "reason": ""}, 400, "This field is required."),
        ({"amount": "-500.00", "reason": "Write-off"}, 400, "cannot drop below zero"),
        ({"amount": "0", "reason": "Nothing"}, 400, "An adjustment of zero changes nothing."),
    ],
)
def test_a_refused_adjustment_adds_no_line(client, login, clerk, data, status, message):
    bill = issued_bill(clerk, amount=D("200.00"))
    login(clerk)

    response = client.post(reverse("billing:bill_adjust", args=[bill.pk]), data)

    assert response.status_code == status
    assert message in text(response)
    assert BillLine.objects.filter(bill=bill).count() == 1
    assert fresh(bill).total == D("200.00")


def test_a_refund_gives_money_back_and_more_than_paid_is_refused(client, login, clerk):
    bill = issued_bill(clerk, amount=D("200.00"))
    payment = services.payment_record(bill=bill, amount=D("100.00"), method=PaymentMethod.CARD, acting_user=clerk)
    login(clerk)
    url = reverse("billing:refund_record", args=[bill.pk])

    too_much = client.post(url, {"amount": "150.00", "reason": "Overcharged"})
    assert too_much.status_code == 400
    assert "Only $100.00 has been paid on this bill" in text(too_much)
    assert Refund.objects.count() == 0

    client.post(url, {"amount": "40.00", "reason": "Overcharged", "payment": payment.pk})

    refund = Refund.objects.get()
    assert (refund.amount, refund.payment, refund.refunded_by) == (D("40.00"), payment, clerk)
    assert fresh(bill).amount_paid == D("60.00") and fresh(bill).balance == D("140.00")


# --- claims -------------------------------------------------------------------------------------------------------

POLICY = {"coverage_percent": D("80.00"), "copay": D("25.00"), "payer_name": "Aetna"}


def test_a_claim_moves_from_draft_to_paid_through_the_pages(client, login, clerk):
    bill = issued_bill(clerk, amount=D("225.00"), policy=POLICY)  # the insurer's share: (225 - 25) x 80% = 160
    login(clerk)

    client.post(reverse("billing:claim_create", args=[bill.pk]))
    claim = Claim.objects.get(bill=bill)
    client.post(reverse("billing:claim_submit", args=[claim.pk]))
    client.post(reverse("billing:claim_review", args=[claim.pk]))
    client.post(
        reverse("billing:claim_adjudicate", args=[claim.pk]),
        {"decision": "partially_approved", "approved_amount": "120.00", "reason": "Out-of-network lab"},
    )
    bill = fresh(bill)
    assert (bill.insurance_covered, bill.patient_due) == (D("120.00"), D("105.00"))
    response = client.post(reverse("billing:claim_mark_paid", args=[claim.pk]), {"reference": "EFT-9"}, follow=True)

    claim.refresh_from_db()
    assert (claim.status, claim.claimed_amount, claim.approved_amount) == (ClaimStatus.PAID, D("160.00"), D("120.00"))
    assert claim.history.first().history_user == clerk
    insurance = Payment.objects.get(method=PaymentMethod.INSURANCE)
    assert (insurance.amount, insurance.reference) == (D("120.00"), "EFT-9")
    bill = fresh(bill)
    assert (bill.balance, bill.patient_balance) == (D("105.00"), D("105.00"))
    assert 'id="claim-status">Paid<' in text(response)


def test_a_denied_claim_is_resubmitted_with_a_note(client, login, clerk):
    bill = issued_bill(clerk, amount=D("225.00"), policy=POLICY)
    claim = services.claim_submit(claim=services.claim_create(bill=bill, acting_user=clerk), acting_user=clerk)
    login(clerk)

    no_reason = client.post(reverse("billing:claim_adjudicate", args=[claim.pk]), {"decision": "denied"})
    assert no_reason.status_code == 400
    assert "Give the reason for the decision." in text(no_reason)
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.SUBMITTED

    client.post(reverse("billing:claim_adjudicate", args=[claim.pk]), {"decision": "denied", "reason": "No referral"})
    assert fresh(bill).insurance_covered == D("0.00")
    no_note = client.post(reverse("billing:claim_resubmit", args=[claim.pk]), {"note": ""})
    assert no_note.status_code == 400
    client.post(reverse("billing:claim_resubmit", args=[claim.pk]), {"note": "Referral attached"})

    claim.refresh_from_db()
    assert (claim.status, claim.resubmission_note, claim.submission_count) == (
        ClaimStatus.SUBMITTED,
        "Referral attached",
        2,
    )
    assert fresh(bill).insurance_covered == D("160.00")


def test_a_claim_without_a_policy_is_refused(client, login, clerk):
    bill = issued_bill(clerk)
    login(clerk)

    response = client.post(reverse("billing:claim_create", args=[bill.pk]))

    assert response.status_code == 409
    assert "no insurance policy valid on the service date" in text(response)
    assert not Claim.objects.exists()


def test_the_claim_document_prints_what_the_insurer_needs(client, login, clerk):
    patient = PatientFactory(first_name="Ada", last_name="Lovelace")
    bill = issued_bill(clerk, amount=D("225.00"), patient=patient, policy=POLICY)
    claim = services.claim_submit(claim=services.claim_create(bill=bill, acting_user=clerk), acting_user=clerk)
    login(clerk)

    body = text(client.get(reverse("billing:claim_document", args=[claim.pk])))

    for expected in (
        bill.number,
        patient.mrn,
        "Lovelace, Ada",
        "Aetna",
        "93000",
        "$225.00",
        "$160.00",
        bill.hospital.name,
    ):
        assert expected in body


# --- invoices ---------------------------------------------------------------------------------------------------


def test_the_printable_invoice_shows_hospital_patient_lines_insurance_payments_and_balance(client, login, clerk):
    patient = PatientFactory(first_name="Grace", last_name="Hopper")
    bill = issued_bill(clerk, amount=D("225.00"), patient=patient, policy=POLICY)
    services.payment_record(
        bill=bill, amount=D("25.00"), method=PaymentMethod.CARD, reference="COPAY", acting_user=clerk
    )
    login(clerk)

    response = client.get(reverse("billing:invoice", args=[bill.pk]))

    body = text(response)
    for expected in (
        bill.hospital.name,
        f'<span class="mrn" id="invoice-number">{bill.number}</span>',
        f"MRN {patient.mrn}",
        "Grace Hopper",
        "93000",
        "Electrocardiogram",
        "Aetna",
        "80% coverage after a $25.00 copay",
        "COPAY",
        '<dd id="bill-total">$225.00</dd>',
        '<dd id="bill-insurance">$160.00</dd>',
        '<dd id="bill-balance"><strong>$200.00</strong></dd>',
        '<dd id="bill-patient-balance">$40.00</dd>',
    ):
        assert expected in body
    assert reverse("billing:invoice_pdf", args=[bill.pk]) in body


@pytest.mark.parametrize("role", ["Billing Clerk", "Receptionist", "Administrator"])
def test_staff_download_the_invoice_pdf(client, login, clerk, role):
    bill = issued_bill(clerk)
    login(role)

    response = client.get(reverse("billing:invoice_pdf", args=[bill.pk]))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == f'attachment; filename="invoice-{bill.number}.pdf"'
    assert response.content.startswith(b"%PDF")


def test_an_unknown_bill_answers_404(client, login, clerk):
    login(clerk)

    assert client.get(reverse("billing:bill_detail", args=[999999])).status_code == 404
    assert client.get(reverse("billing:invoice_pdf", args=[999999])).status_code == 404


# --- patient portal ---------------------------------------------------------------------------------------------


@pytest.fixture
def portal_patient(login):
    user = login("Patient")
    return PatientFactory(user=user)


def test_my_bills_lists_issued_bills_only_and_what_i_still_owe(client, clerk, portal_patient):
    # Insurance covers (total - $25 copay) x 80%: on $225 I owe $65; on $50 I owe $30 of which I paid $20.
    first = issued_bill(clerk, amount=D("225.00"), patient=portal_patient, policy=POLICY)
    second = issued_bill(clerk, amount=D("50.00"), patient=portal_patient)
    services.payment_record(bill=second, amount=D("20.00"), method=PaymentMethod.CASH, acting_user=clerk)
    void = issued_bill(clerk, amount=D("70.00"), patient=portal_patient)
    services.bill_void(bill=void, reason="Duplicate", acting_user=clerk)
    draft = draft_bill(patient=portal_patient)
    someone_elses = issued_bill(clerk)

    response = client.get(reverse("billing:portal_bills"))

    body = text(response)
    assert first.number in body and second.number in body and void.number in body
    assert draft.number not in body and someone_elses.number not in body
    assert '<strong id="amount-owed">$75.00</strong>' in body
    assert reverse("billing:portal_invoice_pdf", args=[first.pk]) in body


def test_a_patient_downloads_their_own_invoice_pdf(client, clerk, portal_patient):
    bill = issued_bill(clerk, patient=portal_patient)

    response = client.get(reverse("billing:portal_invoice_pdf", args=[bill.pk]))
    page = client.get(reverse("billing:portal_invoice", args=[bill.pk]))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert bill.number in response["Content-Disposition"]
    assert response.content.startswith(b"%PDF")
    assert page.status_code == 200 and portal_patient.mrn in text(page)


@pytest.mark.parametrize("page", ["billing:portal_invoice", "billing:portal_invoice_pdf"])
def test_another_patients_bill_and_my_drafts_answer_404(client, clerk, portal_patient, page):
    other = issued_bill(clerk)
    draft = draft_bill(patient=portal_patient)

    assert client.get(reverse(page, args=[other.pk])).status_code == 404
    assert client.get(reverse(page, args=[draft.pk])).status_code == 404


def test_my_bills_without_a_linked_record_says_so(client, login):
    login("Patient")

    response = client.get(reverse("billing:portal_bills"))

    assert response.status_code == 200
    assert "not linked to a patient record" in text(response)


def test_the_billing_clerk_starts_on_the_outstanding_bills(client, login):
    login("Billing Clerk")

    response = client.get(reverse("home"))

    assert response["Location"] == reverse("billing:outstanding")


# --- in a real browser --------------------------------------------------------------------------------------------


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_clerk_records_a_partial_payment_and_sees_the_balance_drop(browser_login, screenshot, make_user):
    from playwright.sync_api import expect

    clerk = make_user("Billing Clerk", username="billing")
    hospital = HospitalFactory(name="Boston General", code="BOS")
    patient = PatientFactory(first_name="Katherine", last_name="Johnson")
    bill = issued_bill(clerk, amount=D("240.00"), patient=patient, hospital=hospital)
    issued_bill(clerk, amount=D("80.00"), hospital=hospital)

    page = browser_login("billing")
    expect(page).to_have_url(re.compile(r"/billing/$"))
    page.get_by_label("Patient (MRN or last name) or bill number").fill("johnson")
    page.get_by_role("button", name="Show").click()
    expect(page.locator("#bills tbody tr")).to_have_count(1)
    page.get_by_role("link", name=bill.number).click()
    expect(page.locator("#bill-balance")).to_have_text("$240.00")

    form = page.locator("#payment-form")
    form.get_by_label("Amount ($)").fill("100.00")
    form.get_by_label("Method").select_option("cash")
    screenshot("billing_payment")
    form.get_by_role("button", name="Record payment").click()

    expect(page.locator(".message.success")).to_contain_text("recorded a payment of $100.00 (cash)")
    expect(page.locator("#bill-balance")).to_have_text("$140.00")
    expect(page.locator("#payments tbody")).to_contain_text("$100.00")
    assert fresh(bill).balance == D("140.00")
