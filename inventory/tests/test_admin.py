"""Back office: items show their batches, the ledger and batches are read only, nothing is deleted."""

import pytest
from django.urls import reverse

from inventory.models import Store
from inventory.tests.factories import BatchFactory, StoreFactory
from staff.tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client_(client):
    client.force_login(UserFactory(username="root", is_staff=True, is_superuser=True))
    return client


def test_an_item_page_lists_its_batches(admin_client_):
    batch = BatchFactory(lot_number="LOT-XYZ")
    page = admin_client_.get(reverse("admin:catalog_item_change", args=[batch.item_id]))
    assert page.status_code == 200
    assert b"LOT-XYZ" in page.content


def test_movements_and_batches_are_read_only_and_never_deleted(admin_client_):
    batch = BatchFactory()
    movement = batch.movements.get()
    for name, pk in [("stockmovement", movement.pk), ("batch", batch.pk)]:
        assert admin_client_.get(reverse(f"admin:inventory_{name}_add")).status_code == 403
        assert admin_client_.get(reverse(f"admin:inventory_{name}_delete", args=[pk])).status_code == 403
        change = admin_client_.get(reverse(f"admin:inventory_{name}_change", args=[pk]))
        assert change.status_code == 200 and b'name="_save"' not in change.content


def test_stores_are_saved_through_the_services_and_audited(admin_client_):
    store = StoreFactory()
    response = admin_client_.post(
        reverse("admin:inventory_store_change", args=[store.pk]),
        {"hospital": store.hospital_id, "name": "Central Pharmacy", "code": store.code, "kind": "pharmacy",
         "is_active": "on"},
    )
    assert response.status_code == 302
    assert Store.objects.get(pk=store.pk).name == "Central Pharmacy"
    assert store.history.first().history_user.username == "root"


def test_the_ledger_keeps_no_old_versions_and_its_history_page_still_opens(admin_client_):
    movement = BatchFactory().movements.get()

    history = admin_client_.get(reverse("admin:inventory_stockmovement_history", args=[movement.pk]))
    old_version = admin_client_.get(reverse("admin:inventory_stockmovement_simple_history", args=[movement.pk, 1]))

    assert history.status_code == 200
    assert old_version.status_code == 404
