"""Back office for the item master: saved through catalog.services and audited, never deleted; an item's page
lists its batches (added by inventory's admin)."""

import pytest
from django.urls import reverse

from catalog.tests.factories import MedicationFactory
from staff.tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client_(client):
    client.force_login(UserFactory(username="root", is_staff=True, is_superuser=True))
    return client


def test_an_item_is_saved_through_the_service_audited_and_never_deleted(admin_client_):
    item = MedicationFactory(name="Metformin", code="MET-500")
    response = admin_client_.post(
        reverse("admin:catalog_item_change", args=[item.pk]),
        {"kind": "medication", "code": "MET-500", "name": "Metformin XR", "form": "tablet", "strength": "500 mg",
         "unit": "tablet", "category": "Biguanides", "unit_price": "0.30", "is_active": "on",
         "batches-TOTAL_FORMS": "0", "batches-INITIAL_FORMS": "0"},
    )

    assert response.status_code == 302, response.content.decode()[:2000]
    item.refresh_from_db()
    assert item.name == "Metformin XR"
    assert item.history.first().history_user.username == "root"
    assert admin_client_.get(reverse("admin:catalog_item_delete", args=[item.pk])).status_code == 403
