"""Every list endpoint and list page runs at most 8 queries, the same number at 3 or 30 rows and at
page sizes 10 and 100 (issue 11): a list never costs a query per row."""

from decimal import Decimal

import pytest
from django.urls import reverse

from billing import services as billing_services
from billing.tests.factories import BillFactory, BillLineFactory
from clinical.tests.factories import (
    CriticalResultCallFactory,
    DiagnosisFactory,
    LabResultFactory,
    PrescriptionFactory,
    ProcedureFactory,
    SignedMedicalRecordFactory,
    VitalsFactory,
)
from conftest import query_counter
from inventory.choices import StockMovementKind
from inventory.models import StockMovement
from inventory.tests.factories import BatchFactory
from patients import services as patients_services
from patients.tests.factories import (
    AllergyFactory,
    InsurancePolicyFactory,
    MedicalHistoryEntryFactory,
    PatientFactory,
)
from scheduling.tests.factories import AppointmentFactory
from staff.tests.factories import HospitalFactory, UserFactory

pytestmark = pytest.mark.django_db

MAX_QUERIES = 8


def _bill():
    bill = BillFactory()
    BillLineFactory(bill=bill, unit_price=Decimal("100.00"))
    return billing_services.bill_issue(bill=bill, acting_user=UserFactory())


def _claim():
    bill = BillFactory()
    InsurancePolicyFactory(patient=bill.patient, coverage_percent=Decimal("80"), copay=Decimal("0"))
    BillLineFactory(bill=bill, unit_price=Decimal("100.00"))
    bill = billing_services.bill_issue(bill=bill, acting_user=UserFactory())
    return billing_services.claim_create(bill=bill, acting_user=UserFactory())


@pytest.fixture
def shared():
    """Rows that one list keeps in one place (a patient's timeline, a batch's ledger)."""
    return {"patient": PatientFactory(), "batch": BatchFactory(), "user": UserFactory()}


def _movement(shared):
    return StockMovement.objects.create(
        batch=shared["batch"], kind=StockMovementKind.ADJUSTMENT, quantity=1, note="Count", created_by=shared["user"]
    )


def _history_rows(shared):
    record = SignedMedicalRecordFactory(appointment__patient=shared["patient"], patient=shared["patient"])
    DiagnosisFactory(record=record)
    VitalsFactory(patient=shared["patient"], appointment=record.appointment)


API_LISTS = {
    "appointments": lambda s: AppointmentFactory(),
    "patients": lambda s: PatientFactory(),
    "medical-records": lambda s: DiagnosisFactory(record=SignedMedicalRecordFactory()),
    "diagnoses": lambda s: DiagnosisFactory(),
    "procedures": lambda s: ProcedureFactory(),
    "prescriptions": lambda s: PrescriptionFactory(),
    "lab-orders": lambda s: LabResultFactory(),
    "critical-result-calls": lambda s: CriticalResultCallFactory(),
    "vitals": lambda s: VitalsFactory(),
    "bills": lambda s: _bill(),
    "claims": lambda s: _claim(),
    "inventory/movements": _movement,
    "allergies": lambda s: AllergyFactory(patient=PatientFactory()),
    "medical-history": lambda s: MedicalHistoryEntryFactory(patient=PatientFactory()),
    "insurance-policies": lambda s: InsurancePolicyFactory(patient=PatientFactory()),
    "patients/{patient}/history": _history_rows,
    "hospitals": lambda s: HospitalFactory(),
}


def _count(client, url):
    with query_counter() as ctx:
        response = client.get(url)
    assert response.status_code == 200, getattr(response, "data", response)
    queries = [query["sql"] for query in ctx.captured_queries]
    return len(queries), queries


def _measure(client, url, build, shared, size_param):
    """Query counts at 3 and 30 rows, each at two page sizes."""
    counts = []
    for rows in (3, 27):
        for _ in range(rows):
            build(shared)
        for size in (10, 100):
            counts.append(_count(client, f"{url}{'&' if '?' in url else '?'}{size_param}={size}"))
    return counts


@pytest.mark.parametrize("endpoint", list(API_LISTS))
def test_every_api_list_runs_at_most_8_queries_whatever_its_length_and_page_size(api_as, shared, endpoint):
    client = api_as("Administrator")
    url = "/api/v1/" + endpoint.format(patient=shared["patient"].pk) + "/"
    client.get(url)  # warm caches (content types)

    counts = _measure(client, url, API_LISTS[endpoint], shared, "page_size")

    numbers = [n for n, _ in counts]
    assert len(set(numbers)) == 1, counts
    assert numbers[0] <= MAX_QUERIES, "\n".join(sql[:120] for sql in counts[0][1])


PAGES = {  # url name: (role, url args, row builder, query string)
    "patients:search": ("Receptionist", None, lambda s: PatientFactory(last_name="Counted"), {"q": "Counted"}),
    "billing:outstanding": ("Billing Clerk", None, lambda s: _bill(), {}),
    "clinical:chart": ("Doctor", "patient", _history_rows, {}),
    "inventory:batch": ("Pharmacist", "batch", _movement, {}),
    "clinical:lab_worklist": ("Lab Technician", None, lambda s: LabResultFactory(), {"status": "resulted"}),
    "billing:claims_queue": (
        "Billing Clerk", None, lambda s: billing_services.claim_submit(claim=_claim(), acting_user=UserFactory()), {}
    ),
}


# Everything a page's request costs counts: session, user, roles and permissions (one query,
# read once per request by hms.roles), and the list itself.
@pytest.mark.parametrize("name", list(PAGES))
def test_every_list_page_runs_at_most_8_queries_the_same_for_3_or_30_rows(client, make_user, shared, name):
    role, arg, build, params = PAGES[name]
    user = make_user(role)
    if name == "clinical:chart":  # minimum necessary: the worst case, a chart opened by breaking the glass
        patients_services.break_glass(patient=shared["patient"], reason="Counting the queries", acting_user=user)
    client.force_login(user)
    url = reverse(name, args=[shared[arg].pk] if arg else None)
    url += "?" + "&".join(f"{k}={v}" for k, v in params.items()) if params else ""
    client.get(url)

    counts = []
    for rows in (3, 27):
        for _ in range(rows):
            build(shared)
        counts.append(_count(client, url))

    assert counts[0][0] == counts[1][0], counts
    assert counts[0][0] <= MAX_QUERIES, "\n".join(sql[:120] for sql in counts[0][1])


@pytest.mark.parametrize(
    "endpoint", ["medical-records", "diagnoses", "prescriptions", "lab-orders", "vitals", "allergies"]
)
def test_a_nurses_lists_scoped_to_their_care_run_at_most_8_queries_whatever_their_length(api_as, shared, endpoint):
    """The care scope (patients.policies.in_care) is subqueries in the list's one query, not a query per row."""
    from patients.models import CareAssignment

    client = api_as("Nurse")
    url = f"/api/v1/{endpoint}/"
    client.get(url)

    def build(s):
        API_LISTS[endpoint](s)
        for patient_id in PatientFactory._meta.model.objects.values_list("pk", flat=True):
            CareAssignment.objects.get_or_create(patient_id=patient_id, user=client.user, defaults={"reason": "Ward"})

    counts = _measure(client, url, build, shared, "page_size")

    numbers = [n for n, _ in counts]
    assert len(set(numbers)) == 1, counts
    assert numbers[0] <= MAX_QUERIES, "\n".join(sql[:120] for sql in counts[0][1])
    assert len(client.get(f"{url}?page_size=100").data["results"]) == 30  # the rows of the patients in their care
