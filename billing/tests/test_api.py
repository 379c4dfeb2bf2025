"""Billing API: who may do what, portal scoping, idempotent payments, claims and query counts."""

from decimal import Decimal

import pytest

from billing import services
from billing.choices import BillStatus, ClaimStatus, PaymentMethod
from billing.models import Bill, Payment, PriceListEntry
from billing.tests.factories import BillFactory, BillLineFactory, PriceListEntryFactory
from clinical.tests.factories import DiagnosisFactory, MedicalRecordFactory
from conftest import query_counter
from patients.tests.factories import InsurancePolicyFactory, InsurerAccountFactory, PatientFactory
from scheduling.choices import AppointmentStatus
from scheduling.tests.factories import AppointmentFactory
from staff.tests.factories import HospitalFactory, UserFactory

pytestmark = pytest.mark.django_db

D = Decimal
ROLES = ["Administrator", "Billing Clerk", "Receptionist", "Doctor", "Nurse", "Pharmacist", "Insurer"]


def make_bill(*, amount=None, issued=True, patient=None, policy=None, hospital=None):
    bill = BillFactory(**({"patient": patient} if patient else {}), **({"hospital": hospital} if hospital else {}))
    if policy is not None:
        InsurancePolicyFactory(patient=bill.patient, **policy)
    BillLineFactory(bill=bill, unit_price=D("100.00") if amount is None else amount)
    user = UserFactory()
    if issued:
        return services.bill_issue(bill=bill, acting_user=user)
    return services.bill_recalculate(bill=bill, acting_user=user)


def insurer_of(payer_name="Aetna"):
    """A user of the Insurer group working for the payer of that name."""
    return InsurerAccountFactory(payer__name=payer_name).user


def claim_in(status_, payer_name="Aetna"):
    bill = make_bill(policy={"coverage_percent": D("80"), "copay": D("0"), "payer_name": payer_name})
    user = UserFactory()
    claim = services.claim_create(bill=bill, acting_user=user)
    if status_ != ClaimStatus.DRAFT:
        services.claim_submit(claim=claim, acting_user=user)
    if status_ == ClaimStatus.IN_REVIEW:
        services.claim_start_review(claim=claim, acting_user=user)
    claim.refresh_from_db()
    return claim


# --- the permission table: endpoint x role -> allowed -----------------------------------------------------------

ALLOWED = {
    "list bills": {"Administrator", "Billing Clerk", "Receptionist"},
    "record payment": {"Administrator", "Billing Clerk", "Receptionist"},
    "list payments": {"Administrator", "Billing Clerk", "Receptionist"},
    "issue bill": {"Administrator", "Billing Clerk"},
    "void bill": {"Administrator", "Billing Clerk"},
    "adjust bill": {"Administrator", "Billing Clerk"},
    "refund": {"Administrator", "Billing Clerk"},
    "list claims": {"Administrator", "Billing Clerk", "Insurer"},
    "create claim": {"Administrator", "Billing Clerk"},
    "adjudicate claim": {"Administrator", "Billing Clerk", "Insurer"},
    "claim document": {"Administrator", "Billing Clerk", "Insurer"},
    "view price list": {"Administrator", "Billing Clerk"},
    "add price": {"Administrator"},
    "list patients": {"Administrator", "Billing Clerk", "Receptionist", "Doctor", "Nurse", "Pharmacist"},
}


def call(client, endpoint):
    """Perform the endpoint's request on fresh data; returns the response."""
    if endpoint == "list bills":
        return client.get("/api/v1/bills/")
    if endpoint == "list patients":
        return client.get("/api/v1/patients/")
    if endpoint == "list claims":
        return client.get("/api/v1/claims/")
    if endpoint == "view price list":
        return client.get("/api/v1/price-list/")
    if endpoint == "add price":
        hospital = HospitalFactory()
        data = {"hospital": hospital.pk, "kind": "lab", "code": "CBC", "description": "Blood count", "unit_price": "20"}
        return client.post("/api/v1/price-list/", data)
    if endpoint == "create claim":
        bill = make_bill(policy={"coverage_percent": D("80"), "copay": D("0")})
        return client.post("/api/v1/claims/", {"bill": bill.pk})
    if endpoint in ("adjudicate claim", "claim document"):
        claim = claim_in(ClaimStatus.IN_REVIEW)
        if endpoint == "claim document":
            return client.get(f"/api/v1/claims/{claim.pk}/document/")
        return client.post(f"/api/v1/claims/{claim.pk}/adjudicate/", {"decision": "approved"})
    bill = make_bill(issued=endpoint != "issue bill")
    base = f"/api/v1/bills/{bill.pk}/"
    if endpoint == "issue bill":
        return client.post(base + "issue/")
    if endpoint == "void bill":
        return client.post(base + "void/", {"reason": "Duplicate"})
    if endpoint == "adjust bill":
        return client.post(base + "adjustments/", {"amount": "-10.00", "reason": "Discount"})
    if endpoint == "list payments":
        return client.get(base + "payments/")
    if endpoint == "record payment":
        return client.post(base + "payments/", {"amount": "10.00", "method": "cash"})
    if endpoint == "refund":
        services.payment_record(bill=bill, amount="20", method=PaymentMethod.CASH, acting_user=UserFactory())
        return client.post(base + "refunds/", {"amount": "5.00", "reason": "Overcharged"})
    raise AssertionError(endpoint)


@pytest.mark.parametrize("endpoint", list(ALLOWED))
@pytest.mark.parametrize("role", ROLES)
def test_role_permission_table(api_as, role, endpoint):
    # The insurer works for Aetna, the payer of the claims call() makes.
    response = call(api_as(insurer_of("Aetna") if role == "Insurer" else role), endpoint)
    if role in ALLOWED[endpoint]:
        assert response.status_code in (200, 201), response.content
    else:
        assert response.status_code == 403, response.content


def test_the_insurer_sees_only_claims(api_as):
    insurer = api_as(insurer_of("Aetna"))
    claim = claim_in(ClaimStatus.IN_REVIEW)
    for path in [
        "/api/v1/bills/",
        f"/api/v1/bills/{claim.bill_id}/",
        "/api/v1/patients/",
        "/api/v1/price-list/",
        "/api/v1/appointments/",
        "/api/v1/medical-records/",
    ]:
        assert insurer.get(path).status_code == 403, path
    assert insurer.post(f"/api/v1/claims/{claim.pk}/mark-paid/").status_code == 403
    response = insurer.post(
        f"/api/v1/claims/{claim.pk}/adjudicate/",
        {"decision": "partially_approved", "approved_amount": "50.00", "reason": "Contract rate"},
    )
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "partially_approved"
    bill = Bill.objects.get(pk=claim.bill_id)
    assert (bill.insurance_covered, bill.patient_due) == (D("50.00"), D("50.00"))


# --- portal patients ---------------------------------------------------------------------------------------------


def test_portal_patients_see_only_their_own_issued_bills(api_as, make_user):
    user = make_user("Patient")
    patient = PatientFactory(user=user)
    mine = make_bill(patient=patient)
    draft = make_bill(patient=patient, issued=False)
    other = make_bill()
    client = api_as(user)
    listing = client.get("/api/v1/bills/")
    assert listing.status_code == 200
    assert [row["id"] for row in listing.json()["results"]] == [mine.pk]
    assert client.get(f"/api/v1/bills/{mine.pk}/").status_code == 200
    assert client.get(f"/api/v1/bills/{draft.pk}/").status_code == 404
    assert client.get(f"/api/v1/bills/{other.pk}/").status_code == 404
    assert client.get(f"/api/v1/bills/{other.pk}/payments/").status_code == 404
    assert client.post(f"/api/v1/bills/{mine.pk}/payments/", {"amount": "1", "method": "cash"}).status_code == 403
    assert client.get("/api/v1/claims/").status_code == 403


# --- payments ----------------------------------------------------------------------------------------------------


def test_the_same_idempotency_key_records_one_payment(api_as):
    client = api_as("Receptionist")
    bill = make_bill()
    url = f"/api/v1/bills/{bill.pk}/payments/"
    first = client.post(url, {"amount": "25.00", "method": "card"}, HTTP_IDEMPOTENCY_KEY="k-1")
    again = client.post(url, {"amount": "25.00", "method": "card"}, HTTP_IDEMPOTENCY_KEY="k-1")
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json()["id"] == again.json()["id"]
    assert Payment.objects.count() == 1
    other = client.post(url, {"amount": "25.00", "method": "card"}, HTTP_IDEMPOTENCY_KEY="k-2")
    assert other.status_code == 201
    misuse = client.post(url, {"amount": "30.00", "method": "card"}, HTTP_IDEMPOTENCY_KEY="k-1")
    assert misuse.status_code == 409
    bill.refresh_from_db()
    assert (Payment.objects.count(), bill.amount_paid) == (2, D("50.00"))


@pytest.mark.parametrize(
    ("data", "issued", "code"),
    [
        ({"amount": "0", "method": "cash"}, True, 400),
        ({"amount": "-5", "method": "cash"}, True, 400),
        ({"amount": "100.01", "method": "cash"}, True, 400),
        ({"amount": "10", "method": "bitcoin"}, True, 400),
        ({"amount": "ten", "method": "cash"}, True, 400),
        ({"amount": "10", "method": "cash"}, False, 409),
    ],
)
def test_refused_payments_answer_with_a_message_and_save_nothing(api_as, data, issued, code):
    bill = make_bill(issued=issued)
    response = api_as("Billing Clerk").post(f"/api/v1/bills/{bill.pk}/payments/", data)
    assert response.status_code == code
    assert response.json()
    assert not Payment.objects.exists()


def test_a_payment_on_a_void_bill_is_a_conflict(api_as):
    bill = make_bill()
    client = api_as("Billing Clerk")
    assert client.post(f"/api/v1/bills/{bill.pk}/void/", {"reason": "Wrong patient"}).status_code == 200
    response = client.post(f"/api/v1/bills/{bill.pk}/payments/", {"amount": "10", "method": "cash"})
    assert response.status_code == 409 and "void" in response.json()["detail"]


def test_payments_and_refunds_through_the_api(api_as):
    client = api_as("Billing Clerk")
    bill = make_bill()
    base = f"/api/v1/bills/{bill.pk}/"
    payment = client.post(base + "payments/", {"amount": "100.00", "method": "cash"}).json()
    assert client.get(base).json()["status"] == BillStatus.PAID
    assert client.post(base + "refunds/", {"amount": "100.01", "reason": "x"}).status_code == 400
    refund = client.post(base + "refunds/", {"amount": "40.00", "reason": "Returned", "payment": payment["id"]})
    assert refund.status_code == 201
    detail = client.get(base).json()
    assert (detail["status"], detail["amount_paid"], detail["balance"]) == ("partially_paid", "60.00", "40.00")
    assert [r["amount"] for r in client.get(base + "refunds/").json()["results"]] == ["40.00"]
    assert [p["amount"] for p in client.get(base + "payments/").json()["results"]] == ["100.00"]


# --- bills -------------------------------------------------------------------------------------------------------


def test_bill_filters(api_as):
    boston = HospitalFactory()
    open_bill = make_bill(hospital=boston)
    paid = make_bill(hospital=boston)
    services.payment_record(bill=paid, amount="100", method=PaymentMethod.CASH, acting_user=UserFactory())
    draft = make_bill(issued=False)
    client = api_as("Billing Clerk")

    def ids(**params):
        return {row["id"] for row in client.get("/api/v1/bills/", params).json()["results"]}

    assert ids(outstanding="true") == {open_bill.pk}
    assert ids(hospital=boston.pk) == {open_bill.pk, paid.pk}
    assert ids(status="draft") == {draft.pk}
    assert ids(patient=paid.patient_id) == {paid.pk}
    today = open_bill.service_date.isoformat()
    assert ids(date_after=today, date_before=today) == {open_bill.pk, paid.pk, draft.pk}
    assert ids(date_after="2000-01-01", date_before="2000-12-31") == set()


def test_issue_adjust_and_void_through_the_api(api_as):
    client = api_as("Billing Clerk")
    bill = make_bill(issued=False)
    base = f"/api/v1/bills/{bill.pk}/"
    assert client.post(base + "issue/").json()["status"] == "issued"
    assert client.post(base + "issue/").status_code == 409
    adjusted = client.post(base + "adjustments/", {"amount": "-15.00", "reason": "Prompt-pay discount"})
    assert adjusted.status_code == 201 and adjusted.json()["total"] == "85.00"
    assert client.post(base + "adjustments/", {"amount": "-5.00"}).status_code == 400
    assert client.post(base + "void/", {}).status_code == 400
    assert client.post(base + "void/", {"reason": "Billed twice"}).json()["status"] == "void"
    assert client.delete(base).status_code in (403, 405)
    assert Bill.objects.filter(pk=bill.pk, status=BillStatus.VOID).exists()


def test_the_bill_list_makes_the_same_queries_for_3_and_30_bills(api_as, django_assert_max_num_queries):
    client = api_as("Billing Clerk")

    def count_queries():
        with query_counter() as ctx:
            assert client.get("/api/v1/bills/").status_code == 200
        return len(ctx)

    for _ in range(3):
        make_bill(policy={"coverage_percent": D("80"), "copay": D("10")})
    services.claim_create(bill=Bill.objects.first(), acting_user=UserFactory())
    small = count_queries()
    for _ in range(27):
        make_bill()
    large = count_queries()
    assert small == large


def test_the_bill_detail_makes_the_same_queries_for_1_and_10_lines(api_as):
    client = api_as("Billing Clerk")
    bill = make_bill()

    def count_queries():
        with query_counter() as ctx:
            assert client.get(f"/api/v1/bills/{bill.pk}/").status_code == 200
        return len(ctx)

    small = count_queries()
    for _ in range(9):
        services.bill_add_adjustment(bill=bill, amount="1.00", reason="Late fee", acting_user=UserFactory())
        services.payment_record(bill=bill, amount="1.00", method=PaymentMethod.CASH, acting_user=UserFactory())
    assert count_queries() == small


# --- claims ------------------------------------------------------------------------------------------------------


def test_the_claim_lifecycle_through_the_api(api_as):
    clerk = api_as("Billing Clerk")
    insurer = api_as(insurer_of("Aetna"))
    bill = make_bill(
        amount=D("250.00"), policy={"coverage_percent": D("80"), "copay": D("50.00"), "payer_name": "Aetna"}
    )
    claim = clerk.post("/api/v1/claims/", {"bill": bill.pk}).json()
    cid = claim["id"]
    assert claim["status"] == "draft"
    assert clerk.post(f"/api/v1/claims/{cid}/adjudicate/", {"decision": "approved"}).status_code == 409
    submitted = clerk.post(f"/api/v1/claims/{cid}/submit/").json()
    assert (submitted["status"], submitted["claimed_amount"]) == ("submitted", "160.00")
    assert insurer.post(f"/api/v1/claims/{cid}/review/").json()["status"] == "in_review"
    denied = insurer.post(f"/api/v1/claims/{cid}/adjudicate/", {"decision": "denied", "reason": "No referral"})
    assert denied.json()["status"] == "denied"
    assert clerk.get(f"/api/v1/bills/{bill.pk}/").json()["patient_due"] == "250.00"
    assert clerk.post(f"/api/v1/claims/{cid}/resubmit/", {}).status_code == 400
    assert clerk.post(f"/api/v1/claims/{cid}/resubmit/", {"note": "Referral attached"}).json()["status"] == "submitted"
    assert insurer.post(f"/api/v1/claims/{cid}/adjudicate/", {"decision": "approved"}).json()["approved_amount"] == (
        "160.00"
    )
    paid = clerk.post(f"/api/v1/claims/{cid}/mark-paid/", {"reference": "EFT-991"})
    assert paid.status_code == 200 and paid.json()["status"] == "paid"
    detail = clerk.get(f"/api/v1/bills/{bill.pk}/").json()
    assert (detail["insurance_paid"], detail["balance"], detail["patient_due"]) == ("160.00", "90.00", "90.00")
    assert detail["payments"][0]["method"] == "insurance"
    assert clerk.post(f"/api/v1/claims/{cid}/mark-paid/").status_code == 409


def test_the_claim_document_has_what_an_insurer_needs(api_as):
    appointment = AppointmentFactory(status=AppointmentStatus.COMPLETED)
    record = MedicalRecordFactory(appointment=appointment)
    DiagnosisFactory(record=record, code="E11.9")
    InsurancePolicyFactory(
        patient=appointment.patient,
        payer_name="Aetna",
        policy_number="AET-1",
        coverage_percent=D("80"),
        copay=D("0"),
    )
    user = UserFactory()
    bill = services.bill_create_for_appointment(appointment=appointment, acting_user=user)
    services.bill_issue(bill=bill, acting_user=user)
    claim = services.claim_submit(claim=services.claim_create(bill=bill, acting_user=user), acting_user=user)

    response = api_as(insurer_of("Aetna")).get(f"/api/v1/claims/{claim.pk}/document/")

    assert response.status_code == 200
    doc = response.json()
    patient = appointment.patient
    assert doc["patient"] == {
        "name": patient.full_name,
        "first_name": patient.first_name,
        "last_name": patient.last_name,
        "date_of_birth": patient.date_of_birth.isoformat(),
    }
    assert (doc["policy"]["payer"], doc["policy"]["policy_number"]) == ("Aetna", "AET-1")
    assert doc["provider"]["hospital_code"] == appointment.hospital.code
    assert doc["doctor"]["name"] == appointment.doctor.full_name
    assert [d["code"] for d in doc["diagnoses"]] == ["E11.9"]
    assert doc["lines"][0]["code"] == services.CONSULTATION_CODE
    assert doc["totals"] == {
        "total": "150.00",
        "claimed_amount": "120.00",
        "approved_amount": None,
        "patient_due": "30.00",
    }
    assert doc["service_date"] == bill.service_date.isoformat()


# --- price list --------------------------------------------------------------------------------------------------


def test_price_list_entries_are_unique_per_hospital_kind_and_code_and_never_deleted(api_as):
    client = api_as("Administrator")
    entry = PriceListEntryFactory(code="CBC", kind="lab")
    data = {"hospital": entry.hospital_id, "kind": "lab", "code": "CBC", "description": "CBC", "unit_price": "9"}
    assert client.post("/api/v1/price-list/", data).status_code == 400
    assert client.post("/api/v1/price-list/", {**data, "unit_price": "-1", "code": "X"}).status_code == 400
    url = f"/api/v1/price-list/{entry.pk}/"
    assert client.patch(url, {"active": False, "unit_price": "12.50"}).status_code == 200
    entry.refresh_from_db()
    assert (entry.active, entry.unit_price) == (False, D("12.50"))
    assert entry.history.latest().history_user == client.user
    assert client.patch(url, {"code": "OTHER"}).status_code == 400
    assert client.delete(url).status_code in (403, 405)
    assert PriceListEntry.objects.count() == 1
