"""Equipment (moved here from inventory: scheduling owns what visits reserve), at /api/v1/inventory/equipment/
as before: who may do what, status changes saved through scheduling.services and audited, never deleted."""

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from catalog.tests.factories import EquipmentItemFactory, MedicationFactory
from scheduling import services
from scheduling.choices import EquipmentStatus
from scheduling.models import Equipment
from scheduling.tests.factories import EquipmentFactory
from staff.tests.factories import HospitalFactory, UserFactory

pytestmark = pytest.mark.django_db

URL = "/api/v1/inventory/equipment/"
ROLES = ["Administrator", "Doctor", "Nurse", "Receptionist", "Billing Clerk", "Pharmacist", "Lab Technician", "Patient"]
MAY_READ = {"Administrator", "Receptionist", "Pharmacist"}


@pytest.mark.parametrize("role", ROLES)
def test_who_may_list_equipment(api_as, role):
    EquipmentFactory()
    assert api_as(role).get(URL).status_code == (200 if role in MAY_READ else 403)


def test_equipment_status_changes_through_the_api_and_is_audited(api_as):
    equipment = EquipmentFactory()
    client = api_as("Administrator")

    response = client.patch(f"{URL}{equipment.pk}/", {"status": "maintenance"})

    assert response.status_code == 200
    equipment.refresh_from_db()
    assert equipment.status == EquipmentStatus.MAINTENANCE and not equipment.is_bookable
    assert equipment.history.first().history_user == client.user
    assert client.delete(f"{URL}{equipment.pk}/").status_code in (403, 405)
    assert Equipment.objects.filter(pk=equipment.pk).exists()


def test_equipment_links_only_to_a_catalog_item_of_kind_equipment():
    hospital = HospitalFactory()
    user = UserFactory()
    with pytest.raises(ValidationError, match="kind equipment"):
        services.equipment_save(
            instance=Equipment(hospital=hospital, item=MedicationFactory(), name="Pump", asset_tag="EQ-BAD"),
            acting_user=user,
        )
    device = services.equipment_save(
        instance=Equipment(hospital=hospital, item=EquipmentItemFactory(), name="Ultrasound", asset_tag="EQ-OK"),
        acting_user=user,
    )
    assert device.history.get().history_user == user
    assert not Equipment.objects.filter(asset_tag="EQ-BAD").exists()


def test_the_list_query_count_does_not_grow_with_the_rows(api_as):
    client = api_as("Pharmacist")

    def count(n):
        for _ in range(n):
            EquipmentFactory(item=EquipmentItemFactory())
        client.get(URL)  # warm caches (permissions)
        with CaptureQueriesContext(connection) as queries:
            assert client.get(URL).status_code == 200
        return len(queries)

    assert count(3) == count(27)


def test_the_admin_never_deletes_equipment(client):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    equipment = EquipmentFactory()
    assert client.get(reverse("admin:scheduling_equipment_delete", args=[equipment.pk])).status_code == 403
    assert client.get(reverse("admin:scheduling_equipment_change", args=[equipment.pk])).status_code == 200


def test_equipment_keeps_the_tables_it_had_in_inventory():
    assert Equipment._meta.db_table == "inventory_equipment"
    assert Equipment.history.model._meta.db_table == "inventory_historicalequipment"
