"""The shared API suite (hms.testing.api) declared for the billing endpoints."""

from decimal import Decimal

from billing import services
from billing.choices import BillLineKind
from billing.models import Bill, Claim, PriceListEntry
from billing.tests.factories import BillFactory, BillLineFactory, PriceListEntryFactory
from hms.testing.api import APISuite, MethodNotAllowed
from patients.tests.factories import InsurancePolicyFactory, PatientFactory
from staff.tests.factories import HospitalFactory, UserFactory


def _issued_bill(**kwargs):
    """An issued bill of 100.00 whose patient has an 80% policy without copay (ready to claim)."""
    bill = BillFactory(**kwargs)
    InsurancePolicyFactory(patient=bill.patient, coverage_percent=Decimal("80"), copay=Decimal("0"))
    BillLineFactory(bill=bill, unit_price=Decimal("100.00"))
    return services.bill_issue(bill=bill, acting_user=UserFactory())


class TestBillAPI(APISuite):
    url = "/api/v1/bills/"
    model = Bill
    factory = BillFactory
    patient_factory = PatientFactory
    create = MethodNotAllowed("a completed visit makes its bill (billing.signals); adjustments are an action")
    update = MethodNotAllowed("a bill changes only through its actions: issue, void, adjustments, payments")

    def row_for_patient(self, patient):
        return _issued_bill(patient=patient)  # patients never see draft bills


class TestClaimAPI(APISuite):
    url = "/api/v1/claims/"
    model = Claim
    # Claiming a bill is the hospital's side: it needs to reach the bill as well (ClaimViewSet.get_permissions).
    permissions = {"add": ["billing.add_claim", "billing.change_bill"]}
    update = MethodNotAllowed("a claim moves through its actions: submit, review, adjudicate, mark-paid, resubmit")

    def make_row(self, user=None):
        return services.claim_create(bill=_issued_bill(), acting_user=UserFactory())

    def create_payload(self, user):
        return {"bill": _issued_bill().pk}


class TestPriceListEntryAPI(APISuite):
    url = "/api/v1/price-list/"
    model = PriceListEntry
    factory = PriceListEntryFactory

    def create_payload(self, user):
        return {
            "hospital": HospitalFactory().pk,
            "kind": BillLineKind.PROCEDURE,
            "code": "P-SUITE",
            "description": "Electrocardiogram",
            "unit_price": "80.00",
        }

    def update_payload(self, row, user):
        return {"unit_price": "90.00"}
