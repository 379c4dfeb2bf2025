"""The inventory API: one table of who may do what, the actions, refusals as 400/409, query counts.
(Items: catalog/tests/test_api.py; equipment: scheduling/tests/test_equipment.py.)"""

import datetime

import pytest
from django.utils import timezone

from clinical.choices import PrescriptionStatus
from conftest import query_counter
from inventory.models import Batch, StockMovement
from inventory.tests.factories import (
    BatchFactory,
    MedicationFactory,
    PrescriptionFactory,
    StockLevelRuleFactory,
    StoreFactory,
)
from inventory.tests.helpers import assert_ledger_balanced
from patients.tests.factories import AllergyFactory

pytestmark = pytest.mark.django_db

ADMIN, DOCTOR, NURSE, RECEPTION = "Administrator", "Doctor", "Nurse", "Receptionist"
BILLING, PHARMACIST, LAB, PATIENT = "Billing Clerk", "Pharmacist", "Lab Technician", "Patient"
ROLES = [ADMIN, DOCTOR, NURSE, RECEPTION, BILLING, PHARMACIST, LAB, PATIENT]
NEXT_YEAR = (timezone.localdate() + datetime.timedelta(days=365)).isoformat()

# (method, url builder, payload builder) -> roles allowed
ACCESS = {
    "stores-list": {ADMIN, DOCTOR, NURSE, PHARMACIST},
    "stores-create": {ADMIN, PHARMACIST},
    "batches-list": {ADMIN, DOCTOR, NURSE, PHARMACIST},
    "batches-receive": {PHARMACIST},
    "batches-adjust": {PHARMACIST},
    "movements-list": {ADMIN, PHARMACIST},
    "alerts-list": {ADMIN, DOCTOR, NURSE, PHARMACIST},
    "dispense-view": {ADMIN, DOCTOR, NURSE, PHARMACIST},  # staff who see prescriptions and stock
    "dispense": {PHARMACIST},
}


def call(client, endpoint, world):
    batch, store, prescription = world["batch"], world["store"], world["prescription"]
    return {
        "stores-list": lambda: client.get("/api/v1/inventory/stores/"),
        "stores-create": lambda: client.post(
            "/api/v1/inventory/stores/",
            {"hospital": store.hospital_id, "name": "Ward 2", "code": f"W{client.user.pk}", "kind": "supply_room"},
        ),
        "batches-list": lambda: client.get("/api/v1/inventory/batches/"),
        "batches-receive": lambda: client.post(
            "/api/v1/inventory/batches/",
            {"store": store.pk, "item": batch.item_id, "lot_number": f"R{client.user.pk}", "expiry_date": NEXT_YEAR,
             "quantity": 5},
        ),
        "batches-adjust": lambda: client.post(
            f"/api/v1/inventory/batches/{batch.pk}/adjust/", {"quantity": 1, "reason": "Recount"}
        ),
        "movements-list": lambda: client.get("/api/v1/inventory/movements/"),
        "alerts-list": lambda: client.get("/api/v1/inventory/alerts/"),
        "dispense-view": lambda: client.get(f"/api/v1/prescriptions/{prescription.pk}/dispense/"),
        "dispense": lambda: client.post(
            f"/api/v1/prescriptions/{prescription.pk}/dispense/", {"store": store.pk, "quantity": 1}
        ),
    }[endpoint]()


@pytest.fixture
def world():
    prescription = PrescriptionFactory(quantity=20)
    store = StoreFactory(hospital=prescription.record.appointment.hospital)
    batch = BatchFactory(item=prescription.medication, store=store, quantity=50)
    return {"prescription": prescription, "store": store, "batch": batch}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("endpoint", list(ACCESS))
def test_who_may_do_what(api_as, world, endpoint, role, without_care_restriction):
    response = call(api_as(role), endpoint, world)
    if role in ACCESS[endpoint]:
        assert response.status_code in (200, 201), response.content
    else:
        assert response.status_code in (403, 404), response.content


def test_anonymous_requests_are_refused(api_client, world):
    assert api_client.get("/api/v1/inventory/stores/").status_code in (401, 403)


def test_nothing_is_deleted_or_rewritten_through_the_api(api_as, world):
    client = api_as(PHARMACIST)
    batch, movement = world["batch"], StockMovement.objects.first()
    assert client.delete(f"/api/v1/inventory/batches/{batch.pk}/").status_code in (403, 405)
    assert client.delete(f"/api/v1/inventory/movements/{movement.pk}/").status_code in (403, 405)
    assert client.patch(f"/api/v1/inventory/movements/{movement.pk}/", {"quantity": 9}).status_code in (403, 405)
    assert StockMovement.objects.get(pk=movement.pk).quantity == 50


def test_dispensing_through_the_api_and_its_refusals(api_as, world, dispensed_signals):
    client = api_as(PHARMACIST)
    prescription, store = world["prescription"], world["store"]
    url = f"/api/v1/prescriptions/{prescription.pk}/dispense/"

    partial = client.post(url, {"store": store.pk, "quantity": 15})
    assert partial.status_code == 201, partial.content
    assert (partial.json()["remaining"], partial.json()["status"]) == (5, "active")
    assert partial.json()["movements"][0]["quantity"] == -15

    over = client.post(url, {"store": store.pk, "quantity": 6})
    assert over.status_code == 409 and over.json()["code"] == "over_dispense"

    rest = client.post(url, {"store": store.pk})
    assert rest.status_code == 201 and rest.json()["status"] == PrescriptionStatus.DISPENSED

    again = client.post(url, {"store": store.pk})
    assert again.status_code == 409 and again.json()["code"] == "not_active"
    assert client.post(url, {"store": store.pk, "quantity": 0}).status_code == 400
    assert client.post("/api/v1/prescriptions/999999/dispense/", {"store": store.pk}).status_code == 404
    assert len(dispensed_signals) == 2  # the two dispenses that happened (billing adds a line for each)
    assert_ledger_balanced()


def test_dispensing_from_a_chosen_expired_batch_answers_409(api_as, world):
    prescription, store = world["prescription"], world["store"]
    expired = BatchFactory(item=prescription.medication, store=store, expiry_date=timezone.localdate()
                           - datetime.timedelta(days=1))
    response = api_as(PHARMACIST).post(
        f"/api/v1/prescriptions/{prescription.pk}/dispense/",
        {"store": store.pk, "batches": [{"batch": expired.pk, "quantity": 2}]},
        format="json",
    )
    assert response.status_code == 409 and response.json()["code"] == "expired"
    assert Batch.objects.get(pk=expired.pk).quantity_on_hand == 20


def test_the_dispense_view_shows_allergies_and_the_proposal(api_as, world):
    prescription = world["prescription"]
    AllergyFactory(patient=prescription.record.patient, substance="Penicillin")
    body = api_as(PHARMACIST).get(f"/api/v1/prescriptions/{prescription.pk}/dispense/").json()
    assert [a["substance"] for a in body["allergies"]] == ["Penicillin"]
    assert body["proposal"] == [
        {"batch": world["batch"].pk, "lot_number": world["batch"].lot_number,
         "expiry_date": world["batch"].expiry_date.isoformat(), "quantity": 20}
    ]


def test_receive_transfer_adjust_and_write_off_through_the_api(api_as, world):
    client = api_as(PHARMACIST)
    store, batch = world["store"], world["batch"]
    received = client.post(
        f"/api/v1/inventory/stores/{store.pk}/receive/",
        {"item": batch.item_id, "lot_number": "NEW1", "expiry_date": NEXT_YEAR, "quantity": 12},
    )
    assert received.status_code == 201 and received.json()["quantity_on_hand"] == 12
    other = StoreFactory(hospital=store.hospital)
    moved = client.post(f"/api/v1/inventory/batches/{batch.pk}/transfer/", {"to_store": other.pk, "quantity": 5})
    assert [m["kind"] for m in moved.json()] == ["transfer_out", "transfer_in"]
    too_much = client.post(f"/api/v1/inventory/batches/{batch.pk}/adjust/", {"quantity": -500, "reason": "Lost"})
    assert too_much.status_code == 409
    no_reason = client.post(f"/api/v1/inventory/batches/{batch.pk}/adjust/", {"quantity": -1, "reason": ""})
    assert no_reason.status_code == 400
    expired = BatchFactory(item=batch.item, store=store, expiry_date=timezone.localdate() - datetime.timedelta(days=2))
    written = client.post(f"/api/v1/inventory/stores/{store.pk}/write-off-expired/")
    assert [(m["batch"], m["quantity"]) for m in written.json()] == [(expired.pk, -20)]
    bad = client.post(
        "/api/v1/inventory/batches/",
        {"store": store.pk, "item": batch.item_id, "lot_number": "OLD", "expiry_date": "2000-01-01", "quantity": 1},
    )
    assert bad.status_code == 400
    unknown = client.post(
        "/api/v1/inventory/batches/",
        {"store": store.pk, "item": 999999, "lot_number": "X", "expiry_date": NEXT_YEAR, "quantity": 1},
    )
    assert unknown.status_code == 400 and "item" in unknown.json()
    assert_ledger_balanced()


def test_alerts_endpoint_lists_low_stock_and_expiry(api_as, world):
    rule = StockLevelRuleFactory(store=world["store"], item=MedicationFactory(), reorder_level=5)
    BatchFactory(store=world["store"], expiry_date=timezone.localdate() + datetime.timedelta(days=30))
    body = api_as(PHARMACIST).get("/api/v1/inventory/alerts/").json()
    assert sorted(row["kind"] for row in body["results"]) == ["expiring", "low_stock"]
    assert next(r for r in body["results"] if r["kind"] == "low_stock")["item"] == rule.item_id
    assert api_as(PHARMACIST).get("/api/v1/inventory/alerts/?days=abc").status_code == 400


LISTS = {
    "/api/v1/inventory/stores/": lambda n: [StoreFactory() for _ in range(n)],
    "/api/v1/inventory/batches/": lambda n: [BatchFactory() for _ in range(n)],
    "/api/v1/inventory/movements/": lambda n: [BatchFactory() for _ in range(n)],
    "/api/v1/inventory/alerts/": lambda n: [
        BatchFactory(expiry_date=timezone.localdate(), store=StockLevelRuleFactory().store) for _ in range(n)
    ],
}


@pytest.mark.parametrize("url", list(LISTS))
def test_list_query_counts_do_not_grow_with_the_rows(api_as, url):
    client = api_as(PHARMACIST)

    def count(n):
        LISTS[url](n)
        client.get(url)  # warm caches (permissions)
        with query_counter() as queries:
            assert client.get(url).status_code == 200
        return len(queries)

    assert count(3) == count(27)


def test_a_store_saved_through_the_api_names_the_acting_user_and_an_unchanged_save_adds_no_history(api_as):
    store = StoreFactory(name="Main Pharmacy")
    client = api_as(PHARMACIST)
    url = f"/api/v1/inventory/stores/{store.pk}/"

    assert client.patch(url, {"name": "Main Pharmacy"}).status_code == 200
    assert store.history.count() == 1  # nothing changed: no save, no history row
    assert client.patch(url, {"name": "Central Pharmacy"}).status_code == 200

    assert store.history.count() == 2
    assert store.history.first().history_user == client.user
    assert store.history.first().name == "Central Pharmacy"
