"""The shared API suite (hms.testing.api) declared for the item master (served at /api/v1/inventory/items/)."""

from catalog.choices import ItemKind
from catalog.models import Item
from catalog.tests.factories import SupplyFactory
from hms.testing.api import APISuite


class TestItemAPI(APISuite):
    url = "/api/v1/inventory/items/"
    model = Item
    factory = SupplyFactory

    def create_payload(self, user):
        return {"kind": ItemKind.SUPPLY, "code": "SUP-SUITE", "name": "Gauze", "unit": "box", "unit_price": "3.00"}

    def update_payload(self, row, user):
        return {"name": "Gauze pads"}
