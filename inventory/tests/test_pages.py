"""Pharmacist pages: access per role, dispensing through the page, receiving, adjusting, transferring and
writing off stock, the alerts dashboard, and the query counts of the lists."""

import datetime
import re
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from clinical.choices import PrescriptionStatus
from clinical.models import Prescription
from conftest import query_count
from inventory.choices import StockMovementKind, StoreKind
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
from staff.choices import StaffRole
from staff.tests.factories import HospitalFactory, StaffMemberFactory

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
ROLES = ["Administrator", "Doctor", "Nurse", "Receptionist", "Billing Clerk", "Pharmacist", "Lab Technician", "Patient"]


def days(n):
    return TODAY + datetime.timedelta(days=n)


def on_hand(batch):
    return Batch.objects.get(pk=batch.pk).quantity_on_hand


def make_rx(quantity=10, **kwargs):
    """An active prescription and the pharmacy of the hospital of its visit."""
    prescription = PrescriptionFactory(quantity=quantity, **kwargs)
    store = StoreFactory(hospital=prescription.record.appointment.hospital)
    return prescription, store


def stock(prescription, store, quantity, expiry_in_days, **kwargs):
    return BatchFactory(
        item=prescription.medication, store=store, quantity=quantity, expiry_date=days(expiry_in_days), **kwargs
    )


@pytest.fixture
def pharmacist(make_user, client):
    user = make_user("Pharmacist")
    client.force_login(user)
    return user


# --- access -------------------------------------------------------------------------------------------------------

ALLOWED = {
    "dashboard": {"Administrator", "Pharmacist"},
    "queue": {"Pharmacist"},
    "dispense": {"Pharmacist"},
    "stock": {"Administrator", "Doctor", "Nurse", "Pharmacist"},
    "receive": {"Pharmacist"},
    "write_off": {"Pharmacist"},
    "batch": {"Administrator", "Pharmacist"},
}


def _url(page):
    if page == "dispense":
        prescription, store = make_rx()
        return reverse("inventory:dispense", args=[prescription.pk])
    if page == "batch":
        return reverse("inventory:batch", args=[BatchFactory().pk])
    return reverse(f"inventory:{page}")


@pytest.mark.parametrize("page", sorted(ALLOWED))
@pytest.mark.parametrize("role", ROLES)
def test_each_page_is_open_to_the_roles_the_role_table_allows_and_refused_to_the_others(client, make_user, page, role):
    client.force_login(make_user(role))

    response = client.get(_url(page))

    assert response.status_code == (200 if role in ALLOWED[page] else 403)


@pytest.mark.parametrize("page", sorted(ALLOWED))
def test_anonymous_users_are_sent_to_the_login_page(client, page):
    response = client.get(_url(page))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("action", ["adjust", "transfer"])
@pytest.mark.parametrize("role", ["Administrator", "Doctor", "Nurse"])
def test_viewers_of_stock_cannot_move_it(client, make_user, action, role):
    batch = BatchFactory(quantity=20)
    client.force_login(make_user(role))

    response = client.post(
        reverse(f"inventory:{action}", args=[batch.pk]),
        {"quantity": "-2", "reason": "Broken", "to_store": StoreFactory().pk},
    )

    assert response.status_code == 403
    assert on_hand(batch) == 20


def test_the_pharmacist_starts_on_the_alerts_dashboard_with_pharmacy_links(client, pharmacist):
    response = client.get(reverse("home"))
    assert response["Location"] == reverse("inventory:dashboard")

    page = client.get(reverse("inventory:dashboard")).content.decode()
    for name in ("queue", "stock", "receive"):
        assert reverse(f"inventory:{name}") in page


# --- dispensing -------------------------------------------------------------------------------------------------


def _posted_units(response):
    """The dispense form's prefilled values, as the browser would post them."""
    form = response.context["form"]
    data = {"store": form.initial["store"]}
    for _batch, field in form.rows():
        data[field.html_name] = field.initial
    return data


def test_the_dispense_page_prefills_fefo_and_dispensing_it_completes_the_prescription(
    client, pharmacist, dispensed_signals
):
    prescription, store = make_rx(quantity=10, medication=MedicationFactory(unit_price=Decimal("0.40")))
    later = stock(prescription, store, 20, 200)
    sooner = stock(prescription, store, 6, 40)
    url = reverse("inventory:dispense", args=[prescription.pk])

    page = client.get(url)
    data = _posted_units(page)
    assert data == {"store": store.pk, f"units_{sooner.pk}": 6, f"units_{later.pk}": 4}

    response = client.post(url, data, follow=True)

    assert response.redirect_chain[-1][0] == reverse("inventory:queue")
    assert "the prescription is complete" in response.content.decode()
    assert (on_hand(sooner), on_hand(later)) == (0, 16)
    prescription.refresh_from_db()
    assert prescription.status == PrescriptionStatus.DISPENSED
    assert prescription.history.first().history_user == pharmacist
    movements = StockMovement.objects.filter(prescription=prescription)
    assert sorted((m.batch_id, m.quantity) for m in movements) == sorted([(sooner.pk, -6), (later.pk, -4)])
    assert {m.created_by for m in movements} == {pharmacist}
    assert dispensed_signals == [(prescription.pk, [(sooner.pk, 6), (later.pk, 4)], pharmacist)]
    assert_ledger_balanced()


def test_a_partial_dispense_keeps_the_prescription_in_the_queue_with_what_is_left(client, pharmacist):
    prescription, store = make_rx(quantity=10)
    batch = stock(prescription, store, 20, 100)
    url = reverse("inventory:dispense", args=[prescription.pk])

    response = client.post(url, {"store": store.pk, f"units_{batch.pk}": 4}, follow=True)

    assert "6 still to dispense" in response.content.decode()
    prescription.refresh_from_db()
    assert prescription.status == PrescriptionStatus.ACTIVE
    assert on_hand(batch) == 16
    assert response.context["ctx"].remaining == 6
    queue = client.get(reverse("inventory:queue"), {"hospital": store.hospital_id})
    row = queue.context["page"].object_list[0]
    assert (row.pk, row.dispensed_units, row.remaining_units) == (prescription.pk, 4, 6)
    assert_ledger_balanced()


def test_dispensing_more_than_prescribed_is_refused_and_nothing_is_saved(client, pharmacist, dispensed_signals):
    prescription, store = make_rx(quantity=10)
    batch = stock(prescription, store, 20, 100)
    movements_before = StockMovement.objects.count()

    response = client.post(
        reverse("inventory:dispense", args=[prescription.pk]), {"store": store.pk, f"units_{batch.pk}": 11}
    )

    assert response.status_code == 409
    assert "Not dispensed" in response.content.decode()
    assert "at most 10" in response.content.decode()
    assert on_hand(batch) == 20
    assert StockMovement.objects.count() == movements_before
    assert dispensed_signals == []
    assert Prescription.objects.get(pk=prescription.pk).status == PrescriptionStatus.ACTIVE
    assert_ledger_balanced()


def test_dispensing_more_than_a_batch_holds_is_refused_and_nothing_is_saved(client, pharmacist):
    prescription, store = make_rx(quantity=10)
    small = stock(prescription, store, 3, 50)

    response = client.post(
        reverse("inventory:dispense", args=[prescription.pk]), {"store": store.pk, f"units_{small.pk}": 5}
    )

    assert response.status_code == 409
    assert on_hand(small) == 3
    assert not StockMovement.objects.filter(prescription=prescription).exists()


def test_the_patients_allergies_are_shown_and_those_matching_the_drug_highlighted(client, pharmacist):
    drug = MedicationFactory(name="Amoxicillin", category="Penicillins")
    prescription, store = make_rx(medication=drug)
    patient = prescription.record.patient
    AllergyFactory(patient=patient, substance="Penicillin", reaction="Anaphylaxis")
    AllergyFactory(patient=patient, substance="Latex")

    response = client.get(reverse("inventory:dispense", args=[prescription.pk]))

    html = response.content.decode()
    assert "Allergy warning" in html
    assert "allergy-alert" in html
    assert [(a.substance, matches) for a, matches in response.context["allergies"]] == [
        ("Latex", False),
        ("Penicillin", True),
    ]
    assert len(re.findall(r'<tr class="allergy-match">\s*<td><strong>Penicillin</strong>', html)) == 1
    assert "Latex" in html


def test_without_a_matching_allergy_no_warning_is_shown(client, pharmacist):
    prescription, store = make_rx(medication=MedicationFactory(name="Metformin", category="Biguanides"))
    AllergyFactory(patient=prescription.record.patient, substance="Latex")

    html = client.get(reverse("inventory:dispense", args=[prescription.pk])).content.decode()

    assert "Allergy warning" not in html
    assert "Latex" in html


def test_an_expired_batch_is_never_offered_nor_dispensed(client, pharmacist):
    prescription, store = make_rx(quantity=10)
    expired = stock(prescription, store, 50, -1, lot_number="OLD-LOT")
    fresh = stock(prescription, store, 4, 30, lot_number="NEW-LOT")
    url = reverse("inventory:dispense", args=[prescription.pk])

    response = client.get(url)

    html = response.content.decode()
    assert "OLD-LOT" not in html
    assert "NEW-LOT" in html
    assert [batch.pk for batch, _ in response.context["rows"]] == [fresh.pk]
    assert response.context["ctx"].shortfall == 6  # the expired units do not count

    refused = client.post(url, {"store": store.pk, f"units_{expired.pk}": 5})

    assert refused.status_code == 400
    assert on_hand(expired) == 50
    assert not StockMovement.objects.filter(prescription=prescription).exists()


def test_a_dispensed_prescription_offers_nothing_to_dispense(client, pharmacist):
    prescription, store = make_rx()
    Prescription.objects.filter(pk=prescription.pk).update(status=PrescriptionStatus.DISPENSED)
    stock(prescription, store, 20, 100)

    response = client.get(reverse("inventory:dispense", args=[prescription.pk]))

    assert response.status_code == 200
    assert "nothing to dispense" in response.content.decode()
    assert 'id="dispense-button"' not in response.content.decode()


# --- the queue --------------------------------------------------------------------------------------------------


def test_the_queue_shows_active_prescriptions_of_the_pharmacists_hospital_by_default(client, make_user):
    hospital = HospitalFactory()
    user = StaffMemberFactory(role=StaffRole.PHARMACIST, hospital=hospital).user
    client.force_login(user)
    here, _ = make_rx(record__appointment__doctor__hospital=hospital)
    elsewhere, _ = make_rx()
    done, _ = make_rx(record__appointment__doctor__hospital=hospital)
    Prescription.objects.filter(pk=done.pk).update(status=PrescriptionStatus.DISPENSED)

    response = client.get(reverse("inventory:queue"))

    assert [rx.pk for rx in response.context["page"]] == [here.pk]
    html = response.content.decode()
    patient = here.record.patient
    assert patient.mrn in html and patient.last_name in html and here.medication.name in html

    other = client.get(reverse("inventory:queue"), {"hospital": elsewhere.record.appointment.hospital_id})
    assert [rx.pk for rx in other.context["page"]] == [elsewhere.pk]


def test_the_queue_runs_the_same_number_of_queries_for_3_or_30_prescriptions(client, pharmacist):
    hospital = HospitalFactory()
    store = StoreFactory(hospital=hospital)

    def make(count):
        for _ in range(count):
            prescription = PrescriptionFactory(quantity=10, record__appointment__doctor__hospital=hospital)
            batch = BatchFactory(item=prescription.medication, store=store, quantity=5)
            StockMovement.objects.create(
                batch=batch,
                kind=StockMovementKind.DISPENSE,
                quantity=-1,
                prescription=prescription,
                created_by=pharmacist,
            )

    make(3)
    few = query_count(client, reverse("inventory:queue"), {"hospital": hospital.pk})
    make(27)
    many = query_count(client, reverse("inventory:queue"), {"hospital": hospital.pk})

    assert few == many


# --- stock --------------------------------------------------------------------------------------------------------


def test_stock_lists_batches_with_expiry_badges_and_filters_by_store_item_and_search(client, pharmacist):
    store = StoreFactory(name="Main Pharmacy")
    other = StoreFactory(name="Ward 3 supply room", kind=StoreKind.SUPPLY_ROOM)
    drug = MedicationFactory(name="Amoxicillin")
    expired = BatchFactory(item=drug, store=store, quantity=5, expiry_date=days(-2), lot_number="EXP-1")
    soon = BatchFactory(item=drug, store=store, quantity=8, expiry_date=days(10), lot_number="SOON-1")
    later = BatchFactory(store=other, quantity=9, expiry_date=days(300), lot_number="LATE-1")
    BatchFactory(store=store, quantity=0, lot_number="EMPTY-1")

    response = client.get(reverse("inventory:stock"))
    html = response.content.decode()
    assert [b.pk for b in response.context["page"]] == [expired.pk, soon.pk, later.pk]
    assert "Expired</span>" in html and "Expires in 10 days" in html

    by_store = client.get(reverse("inventory:stock"), {"store": other.pk})
    assert [b.pk for b in by_store.context["page"]] == [later.pk]
    by_item = client.get(reverse("inventory:stock"), {"item": drug.pk})
    assert [b.pk for b in by_item.context["page"]] == [expired.pk, soon.pk]
    by_text = client.get(reverse("inventory:stock"), {"q": "soon"})
    assert [b.pk for b in by_text.context["page"]] == [soon.pk]
    with_empty = client.get(reverse("inventory:stock"), {"include_empty": "on"})
    assert with_empty.context["page"].paginator.count == 4


def test_stock_runs_the_same_number_of_queries_for_3_or_30_batches(client, pharmacist):
    store = StoreFactory()
    BatchFactory.create_batch(3, store=store)
    few = query_count(client, reverse("inventory:stock"), {"store": store.pk})
    BatchFactory.create_batch(27, store=store)
    many = query_count(client, reverse("inventory:stock"), {"store": store.pk})

    assert few == many


def test_a_batch_ledger_runs_the_same_number_of_queries_for_3_or_30_movements(client, pharmacist):
    batch = BatchFactory(quantity=100)

    def adjust(count):
        for i in range(count):
            StockMovement.objects.create(
                batch=batch, kind=StockMovementKind.ADJUSTMENT, quantity=-1, note=f"Count {i}", created_by=pharmacist
            )

    adjust(2)
    few = query_count(client, reverse("inventory:batch", args=[batch.pk]))
    adjust(27)
    many = query_count(client, reverse("inventory:batch", args=[batch.pk]))

    assert few == many


# --- receive, adjust, transfer, write off -----------------------------------------------------------------------


def test_receiving_goods_creates_a_batch_and_its_receipt_by_the_pharmacist(client, pharmacist):
    store = StoreFactory()
    drug = MedicationFactory()

    response = client.post(
        reverse("inventory:receive"),
        {
            "store": store.pk,
            "item": drug.pk,
            "lot_number": "A123",
            "expiry_date": days(400).isoformat(),
            "quantity": 100,
            "unit_cost": "0.12",
            "supplier": "Cardinal Health",
            "note": "PO 7781",
        },
    )

    batch = Batch.objects.get(store=store, item=drug, lot_number="A123")
    assert response.status_code == 302
    assert response["Location"] == reverse("inventory:batch", args=[batch.pk])
    assert (batch.quantity_on_hand, batch.unit_cost, batch.expiry_date) == (100, Decimal("0.12"), days(400))
    receipt = batch.movements.get()
    assert (receipt.kind, receipt.quantity, receipt.created_by) == (StockMovementKind.RECEIPT, 100, pharmacist)
    assert batch.history.first().history_user == pharmacist


def test_receiving_an_already_expired_lot_is_refused_and_nothing_is_saved(client, pharmacist):
    store = StoreFactory()

    response = client.post(
        reverse("inventory:receive"),
        {
            "store": store.pk,
            "item": MedicationFactory().pk,
            "lot_number": "OLD",
            "expiry_date": days(-1).isoformat(),
            "quantity": 10,
            "unit_cost": "0",
        },
    )

    assert response.status_code == 400
    assert "already expired" in response.content.decode()
    assert not Batch.objects.exists()


def test_adjusting_a_batch_records_the_reason_in_its_ledger(client, pharmacist):
    batch = BatchFactory(quantity=20)

    response = client.post(reverse("inventory:adjust", args=[batch.pk]), {"quantity": "-2", "reason": "Broken vials"})

    assert response.status_code == 302
    assert on_hand(batch) == 18
    adjustment = batch.movements.get(kind=StockMovementKind.ADJUSTMENT)
    assert (adjustment.quantity, adjustment.note, adjustment.created_by) == (-2, "Broken vials", pharmacist)
    ledger = client.get(reverse("inventory:batch", args=[batch.pk])).content.decode()
    assert "Broken vials" in ledger
    assert_ledger_balanced()


def test_adjusting_below_zero_or_without_a_reason_is_refused(client, pharmacist):
    batch = BatchFactory(quantity=20)

    below = client.post(reverse("inventory:adjust", args=[batch.pk]), {"quantity": "-30", "reason": "Count"})
    no_reason = client.post(reverse("inventory:adjust", args=[batch.pk]), {"quantity": "-1", "reason": ""})

    assert below.status_code == 409
    assert "Not adjusted" in below.content.decode()
    assert no_reason.status_code == 400
    assert on_hand(batch) == 20
    assert batch.movements.count() == 1


def test_transferring_moves_units_to_the_same_lot_in_another_store(client, pharmacist):
    batch = BatchFactory(quantity=20, lot_number="TR-1")
    ward = StoreFactory(hospital=batch.store.hospital, name="Ward 3", kind=StoreKind.SUPPLY_ROOM)

    response = client.post(reverse("inventory:transfer", args=[batch.pk]), {"to_store": ward.pk, "quantity": 5})

    target = Batch.objects.get(store=ward, lot_number="TR-1")
    assert response["Location"] == reverse("inventory:batch", args=[target.pk])
    assert (on_hand(batch), target.quantity_on_hand) == (15, 5)
    assert target.expiry_date == batch.expiry_date
    out = batch.movements.get(kind=StockMovementKind.TRANSFER_OUT)
    assert out.created_by == pharmacist and target.movements.get().transfer_of == out
    assert_ledger_balanced()


def test_transferring_more_than_on_hand_is_refused_and_nothing_is_saved(client, pharmacist):
    batch = BatchFactory(quantity=3)
    ward = StoreFactory()

    response = client.post(reverse("inventory:transfer", args=[batch.pk]), {"to_store": ward.pk, "quantity": 5})

    assert response.status_code == 409
    assert on_hand(batch) == 3
    assert not Batch.objects.filter(store=ward).exists()


def test_writing_off_expired_stock_empties_only_the_expired_batches_of_the_store(client, pharmacist):
    store = StoreFactory()
    expired = BatchFactory(store=store, quantity=7, expiry_date=days(-3), lot_number="GONE")
    fresh = BatchFactory(store=store, quantity=9, expiry_date=days(90))
    elsewhere = BatchFactory(quantity=4, expiry_date=days(-3))

    listing = client.get(reverse("inventory:write_off"), {"store": store.pk})
    assert [b.pk for b in listing.context["page"]] == [expired.pk]

    response = client.post(reverse("inventory:write_off"), {"store": store.pk}, follow=True)

    assert "Wrote off 7 expired unit(s) from 1 batch(es)" in response.content.decode()
    assert (on_hand(expired), on_hand(fresh), on_hand(elsewhere)) == (0, 9, 4)
    writeoff = expired.movements.get(kind=StockMovementKind.EXPIRY_WRITEOFF)
    assert (writeoff.quantity, writeoff.created_by) == (-7, pharmacist)
    assert_ledger_balanced()


# --- the dashboard ------------------------------------------------------------------------------------------------


def test_the_dashboard_counts_low_stock_expired_and_expiring_batches_of_the_hospital(client, make_user):
    hospital = HospitalFactory()
    client.force_login(StaffMemberFactory(role=StaffRole.PHARMACIST, hospital=hospital).user)
    store = StoreFactory(hospital=hospital)
    low = StockLevelRuleFactory(store=store, reorder_level=10)
    BatchFactory(item=low.item, store=store, quantity=4, expiry_date=days(300))
    BatchFactory(store=store, quantity=6, expiry_date=days(-1), lot_number="EXPIRED-1")
    BatchFactory(store=store, quantity=6, expiry_date=days(12), lot_number="SOON-1")
    BatchFactory(store=store, quantity=6, expiry_date=days(200), lot_number="FINE-1")
    BatchFactory(quantity=6, expiry_date=days(-1), lot_number="OTHER-HOSPITAL")

    response = client.get(reverse("inventory:dashboard"))

    assert response.context["counts"] == {"low_stock": 1, "expired": 1, "expiring": 1}
    html = response.content.decode()
    assert "EXPIRED-1" in html and "SOON-1" in html
    assert "FINE-1" not in html and "OTHER-HOSPITAL" not in html

    wider = client.get(reverse("inventory:dashboard"), {"hospital": "", "days": 365})
    assert wider.context["counts"]["expiring"] == 3  # SOON-1, FINE-1 and the low item's batch
    assert wider.context["counts"]["expired"] == 2


# --- in a real browser --------------------------------------------------------------------------------------------


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_pharmacist_dispenses_a_prescription_from_the_queue_and_sees_it_leave(browser_login, screenshot):
    from playwright.sync_api import expect

    hospital = HospitalFactory(name="Boston General", code="BOS")
    StaffMemberFactory(
        role=StaffRole.PHARMACIST,
        hospital=hospital,
        user__username="pharma",
        user__first_name="Rita",
        user__last_name="Patel",
    )
    pharmacy = StoreFactory(hospital=hospital, name="Main Pharmacy")
    amoxicillin = MedicationFactory(
        name="Amoxicillin", category="Penicillins", strength="500 mg", form="capsule", unit="capsule"
    )
    prescription = PrescriptionFactory(
        medication=amoxicillin,
        quantity=21,
        dose="500 mg",
        frequency="three times daily",
        duration_days=7,
        record__appointment__doctor__hospital=hospital,
        record__appointment__patient__first_name="Ada",
        record__appointment__patient__last_name="Lovelace",
        allergy_override_reason="Mild rash as a child; tolerated amoxicillin since.",
    )
    AllergyFactory(patient=prescription.record.patient, substance="Penicillin", reaction="Rash")
    AllergyFactory(patient=prescription.record.patient, substance="Latex", reaction="Itching")
    BatchFactory(item=amoxicillin, store=pharmacy, quantity=12, expiry_date=days(20), lot_number="AMX-0421")
    BatchFactory(item=amoxicillin, store=pharmacy, quantity=60, expiry_date=days(240), lot_number="AMX-0977")
    BatchFactory(item=amoxicillin, store=pharmacy, quantity=30, expiry_date=days(-5), lot_number="AMX-0102")
    waiting = PrescriptionFactory(
        quantity=30, record__appointment__doctor__hospital=hospital, record__appointment__patient__last_name="Hopper"
    )
    low = StockLevelRuleFactory(store=pharmacy, reorder_level=50, reorder_quantity=200, item=waiting.medication)
    BatchFactory(item=low.item, store=pharmacy, quantity=14, expiry_date=days(300), lot_number="MET-5521")

    page = browser_login("pharma")
    expect(page).to_have_url(re.compile(r"/inventory/$"))  # the pharmacist's start page
    expect(page.locator("#count-expired strong")).to_have_text("1")
    expect(page.locator("#count-low_stock strong")).to_have_text("1")
    screenshot("inventory_dashboard")

    page.get_by_role("link", name="Dispensing", exact=True).first.click()
    row = page.locator(f"#rx-{prescription.pk}")
    expect(row).to_contain_text("Lovelace")
    expect(page.locator(f"#rx-{waiting.pk}")).to_be_visible()
    row.get_by_role("link", name="Dispense").click()

    expect(page.locator("#allergies")).to_contain_text("Allergy warning")
    expect(page.locator("#batches")).not_to_contain_text("AMX-0102")  # expired: never offered
    expect(page.get_by_label("Units from lot AMX-0421")).to_have_value("12")  # FEFO prefilled
    expect(page.get_by_label("Units from lot AMX-0977")).to_have_value("9")
    screenshot("inventory_dispense")
    page.click("#dispense-button")

    expect(page).to_have_url(re.compile(r"/inventory/queue/$"))
    expect(page.locator(".message.success")).to_contain_text("the prescription is complete")
    expect(page.locator(f"#rx-{prescription.pk}")).to_have_count(0)
    expect(page.locator(f"#rx-{waiting.pk}")).to_be_visible()
    assert Prescription.objects.get(pk=prescription.pk).status == PrescriptionStatus.DISPENSED
