"""The item master's API, at /api/v1/inventory/items/ as before the move: who may do what, deactivation instead
of deletion, history with the acting user, filters, query counts."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from catalog.models import Item
from catalog.tests.factories import MedicationFactory, SupplyFactory

pytestmark = pytest.mark.django_db

URL = "/api/v1/inventory/items/"
ROLES = ["Administrator", "Doctor", "Nurse", "Receptionist", "Billing Clerk", "Pharmacist", "Lab Technician", "Patient"]
MAY_READ = {"Administrator", "Doctor", "Nurse", "Pharmacist"}
MAY_WRITE = {"Administrator", "Pharmacist"}


@pytest.mark.parametrize("role", ROLES)
def test_who_may_list_and_create_items(api_as, role):
    MedicationFactory()
    client = api_as(role)

    listed = client.get(URL)
    created = client.post(
        URL, {"kind": "supply", "code": f"SUP-{client.user.pk}", "name": "Gauze", "unit": "pack", "unit_price": "2"}
    )

    assert listed.status_code == (200 if role in MAY_READ else 403)
    assert created.status_code == (201 if role in MAY_WRITE else 403), created.content
    assert Item.objects.filter(code=f"SUP-{client.user.pk}").exists() is (role in MAY_WRITE)


def test_anonymous_requests_are_refused(api_client):
    assert api_client.get(URL).status_code in (401, 403)


def test_a_catalog_item_is_deactivated_not_deleted_and_the_change_is_audited(api_as):
    item = MedicationFactory(unit_price=Decimal("1.00"))
    client = api_as("Administrator")

    assert client.delete(f"{URL}{item.pk}/").status_code in (403, 405)
    response = client.patch(f"{URL}{item.pk}/", {"is_active": False})

    assert response.status_code == 200
    item.refresh_from_db()
    assert item.is_active is False
    assert item.history.first().history_user == client.user


def test_a_negative_price_answers_400_and_nothing_changes(api_as):
    item = MedicationFactory(unit_price=Decimal("1.00"))
    response = api_as("Pharmacist").patch(f"{URL}{item.pk}/", {"unit_price": "-1"})
    assert response.status_code == 400
    assert Item.objects.get(pk=item.pk).unit_price == Decimal("1.00")


def test_items_filter_by_kind_and_search_by_code_or_name(api_as):
    drug = MedicationFactory(name="Metformin")
    gloves = SupplyFactory(name="Nitrile gloves")
    client = api_as("Pharmacist")

    supplies = client.get(URL, {"kind": "supply"}).json()["results"]
    found = client.get(URL, {"q": "metfor"}).json()["results"]

    assert [row["id"] for row in supplies] == [gloves.pk]
    assert [row["id"] for row in found] == [drug.pk]


def test_the_list_query_count_does_not_grow_with_the_rows(api_as):
    client = api_as("Pharmacist")

    def count(n):
        for _ in range(n):
            MedicationFactory()
        client.get(URL)  # warm caches (permissions)
        with CaptureQueriesContext(connection) as queries:
            assert client.get(URL).status_code == 200
        return len(queries)

    assert count(3) == count(27)
