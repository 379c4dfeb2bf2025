"""An insurer user works for one payer: it sees and decides only that payer's claims, and its claim document
holds the minimum necessary to adjudicate (issue 10, item 1)."""

import json
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from billing import services
from billing.choices import ClaimStatus
from billing.models import Bill, Claim
from billing.tests.factories import claim_to
from clinical.tests.factories import DiagnosisFactory, MedicalRecordFactory
from patients.tests.factories import (
    InsurancePolicyFactory,
    InsurerAccountFactory,
    MedicalHistoryEntryFactory,
    PayerFactory,
)
from scheduling.choices import AppointmentStatus
from scheduling.tests.factories import AppointmentFactory
from staff.tests.factories import UserFactory

pytestmark = pytest.mark.django_db

D = Decimal


def insurer_of(payer_name):
    return InsurerAccountFactory(payer__name=payer_name).user


# --- reads: lists and details are scoped to the insurer's payer --------------------------------------------------


def test_an_insurer_lists_only_the_claims_of_its_own_payer(api_as):
    aetna_claims = [claim_to("Aetna"), claim_to("Aetna", ClaimStatus.SUBMITTED)]
    cigna_claim = claim_to("Cigna")
    client = api_as(insurer_of("Aetna"))

    listing = client.get("/api/v1/claims/")

    assert listing.status_code == 200
    assert {row["id"] for row in listing.json()["results"]} == {c.pk for c in aetna_claims}
    assert {row["payer"] for row in listing.json()["results"]} == {"Aetna"}
    assert client.get("/api/v1/claims/", {"payer": "Cigna"}).json()["results"] == []
    # A billing clerk still sees every payer's claims.
    clerk_ids = {row["id"] for row in api_as("Billing Clerk").get("/api/v1/claims/").json()["results"]}
    assert clerk_ids == {c.pk for c in aetna_claims} | {cigna_claim.pk}


def test_another_payers_claim_answers_404_and_stays_undecided(api_as):
    theirs = claim_to("Cigna")
    client = api_as(insurer_of("Aetna"))
    base = f"/api/v1/claims/{theirs.pk}/"

    assert client.get(base).status_code == 404
    assert client.get(base + "document/").status_code == 404
    assert client.post(base + "adjudicate/", {"decision": "approved"}).status_code == 404
    assert client.post(base + "adjudicate/", {"decision": "denied", "reason": "No"}).status_code == 404
    theirs.refresh_from_db()
    assert (theirs.status, theirs.approved_amount) == (ClaimStatus.IN_REVIEW, None)
    submitted = claim_to("Cigna", ClaimStatus.SUBMITTED)
    assert client.post(f"/api/v1/claims/{submitted.pk}/review/").status_code == 404
    assert Claim.objects.get(pk=submitted.pk).status == ClaimStatus.SUBMITTED


def test_an_insurer_decides_its_own_payers_claim(api_as):
    mine = claim_to("Aetna")
    client = api_as(insurer_of("Aetna"))

    response = client.post(f"/api/v1/claims/{mine.pk}/adjudicate/", {"decision": "approved"})

    assert response.status_code == 200, response.content
    assert response.json()["status"] == ClaimStatus.APPROVED
    assert Bill.objects.get(pk=mine.bill_id).insurance_covered == D("80.00")


def test_an_insurer_without_a_payer_sees_and_decides_nothing(api_as, make_user):
    claim = claim_to("Aetna")
    unlinked = make_user("Insurer")
    client = api_as(unlinked)

    assert client.get("/api/v1/claims/").json()["results"] == []
    assert client.get(f"/api/v1/claims/{claim.pk}/").status_code == 404
    assert client.post(f"/api/v1/claims/{claim.pk}/adjudicate/", {"decision": "approved"}).status_code == 404
    with pytest.raises(PermissionDenied, match="not linked to a payer"):
        services.claim_adjudicate(claim=claim, decision="approved", acting_user=unlinked)
    assert Claim.objects.get(pk=claim.pk).status == ClaimStatus.IN_REVIEW


# --- the service holds the rule whoever calls it -----------------------------------------------------------------


def test_the_service_refuses_an_insurer_deciding_another_payers_claim():
    theirs = claim_to("Cigna")
    aetna_insurer = insurer_of("Aetna")

    with pytest.raises(PermissionDenied, match="another payer"):
        services.claim_adjudicate(claim=theirs, decision="approved", acting_user=aetna_insurer)
    with pytest.raises(PermissionDenied):
        services.claim_adjudicate(
            claim=theirs, decision="denied", reason="Not covered", acting_user=aetna_insurer
        )

    theirs.refresh_from_db()
    assert (theirs.status, theirs.approved_amount, theirs.adjudicated_at) == (ClaimStatus.IN_REVIEW, None, None)
    assert theirs.history.filter(history_user=aetna_insurer).count() == 0
    submitted = claim_to("Cigna", ClaimStatus.SUBMITTED)
    with pytest.raises(PermissionDenied):
        services.claim_start_review(claim=submitted, acting_user=aetna_insurer)
    # The payer's own insurer may.
    decided = services.claim_adjudicate(claim=theirs, decision="approved", acting_user=insurer_of("Cigna"))
    assert decided.status == ClaimStatus.APPROVED


def test_moving_an_insurer_to_another_payer_moves_what_it_sees(api_as):
    from patients.services import insurer_account_assign

    aetna, cigna = claim_to("Aetna"), claim_to("Cigna")
    user = insurer_of("Aetna")
    client = api_as(user)
    assert [r["id"] for r in client.get("/api/v1/claims/").json()["results"]] == [aetna.pk]

    insurer_account_assign(user=user, payer=PayerFactory(name="Cigna"), acting_user=UserFactory())

    assert [r["id"] for r in client.get("/api/v1/claims/").json()["results"]] == [cigna.pk]


# --- the claim document: the minimum necessary for the insurer -------------------------------------------------


@pytest.fixture
def visit_claim():
    """A submitted Aetna claim of a visit with a diagnosis, clinical notes and a medical history on the chart."""
    appointment = AppointmentFactory(status=AppointmentStatus.COMPLETED)
    record = MedicalRecordFactory(
        appointment=appointment,
        chief_complaint="Worried about a lump",
        clinical_notes="Confidential: patient disclosed family conflict.",
    )
    DiagnosisFactory(record=record, code="E11.9")
    MedicalHistoryEntryFactory(patient=appointment.patient, condition="Major depressive disorder")
    InsurancePolicyFactory(
        patient=appointment.patient, payer_name="Aetna", policy_number="AET-77", coverage_percent=D("80"), copay=D("0")
    )
    user = UserFactory()
    bill = services.bill_create_for_appointment(appointment=appointment, acting_user=user)
    services.bill_issue(bill=bill, acting_user=user)
    return services.claim_submit(claim=services.claim_create(bill=bill, acting_user=user), acting_user=user)


def test_the_insurers_claim_document_holds_what_adjudication_needs_and_nothing_more(api_as, visit_claim):
    patient = visit_claim.bill.patient

    response = api_as(insurer_of("Aetna")).get(f"/api/v1/claims/{visit_claim.pk}/document/")

    assert response.status_code == 200
    doc = response.json()
    assert doc["patient"] == {
        "name": patient.full_name,
        "first_name": patient.first_name,
        "last_name": patient.last_name,
        "date_of_birth": patient.date_of_birth.isoformat(),
    }
    assert (doc["policy"]["payer"], doc["policy"]["policy_number"]) == ("Aetna", "AET-77")
    assert doc["service_date"] == visit_claim.bill.service_date.isoformat()
    assert doc["provider"]["hospital"] == visit_claim.bill.hospital.name
    assert doc["doctor"]["name"]
    assert [d["code"] for d in doc["diagnoses"]] == ["E11.9"]
    assert [line["code"] for line in doc["lines"]] == [services.CONSULTATION_CODE]
    assert doc["totals"]["claimed_amount"] == "120.00"
    text = json.dumps(doc)
    for private in [
        patient.mrn,
        patient.phone,
        patient.email,
        patient.address_line1,
        patient.emergency_contact_name,
        patient.emergency_contact_phone,
        "Confidential",
        "Worried about a lump",
        "Major depressive disorder",
    ]:
        assert private not in text, private
    assert "mrn" not in doc["patient"] and "sex" not in doc["patient"]


def test_billing_staff_keep_the_mrn_on_the_claim_document(api_as, visit_claim):
    doc = api_as("Billing Clerk").get(f"/api/v1/claims/{visit_claim.pk}/document/").json()

    patient = visit_claim.bill.patient
    assert (doc["patient"]["mrn"], doc["patient"]["sex"]) == (patient.mrn, patient.sex)


def test_the_printable_claim_document_page_follows_the_same_rules(client, make_user, visit_claim):
    patient = visit_claim.bill.patient
    url = reverse("billing:claim_document", args=[visit_claim.pk])

    client.force_login(insurer_of("Aetna"))
    page = client.get(url)
    assert page.status_code == 200
    html = page.content.decode()
    assert patient.last_name in html and "AET-77" in html and "E11.9" in html
    assert patient.mrn not in html and "MRN" not in html
    assert patient.address_line1 not in html and "Confidential" not in html
    assert reverse("billing:bill_detail", args=[visit_claim.bill_id]) not in html  # the insurer cannot open bills

    client.force_login(insurer_of("Cigna"))
    assert client.get(url).status_code == 404

    client.force_login(make_user("Billing Clerk"))
    assert patient.mrn in client.get(url).content.decode()


def test_the_back_office_claim_list_is_scoped_the_same_way(client, admin_client):
    mine, theirs = claim_to("Aetna"), claim_to("Cigna")
    insurer = insurer_of("Aetna")
    insurer.is_staff = True  # even if an administrator lets an insurer into the back office
    insurer.save()
    client.force_login(insurer)
    url = reverse("admin:billing_claim_changelist")

    assert list(client.get(url).context["cl"].result_list) == [mine]
    assert client.get(reverse("admin:billing_claim_change", args=[theirs.pk])).status_code == 302  # "not found"
    assert set(admin_client.get(url).context["cl"].result_list) == {mine, theirs}
