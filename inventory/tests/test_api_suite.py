"""The shared API suite (hms.testing.api) declared for the inventory endpoints (stores, batches, the ledger).

Items (catalog) and equipment (scheduling) are declared in their own apps; their URLs stay under inventory/.
"""

import datetime

from django.utils import timezone

from catalog.tests.factories import MedicationFactory
from hms.testing.api import APISuite, MethodNotAllowed
from inventory.choices import StoreKind
from inventory.models import Batch, StockMovement, Store
from inventory.tests.factories import BatchFactory, StoreFactory
from staff.tests.factories import HospitalFactory

NO_PATIENT_DATA = "stock, not patient data"
LEDGER_ONLY = MethodNotAllowed("quantities change only through the ledger actions (transfer, adjust, return)")


class TestStoreAPI(APISuite):
    url = "/api/v1/inventory/stores/"
    model = Store
    factory = StoreFactory

    def create_payload(self, user):
        return {
            "hospital": HospitalFactory().pk,
            "name": "Ward 3 supplies",
            "code": "W3",
            "kind": StoreKind.SUPPLY_ROOM,
        }

    def update_payload(self, row, user):
        return {"name": "Ward 3 supply room"}


class TestBatchAPI(APISuite):
    url = "/api/v1/inventory/batches/"
    model = Batch
    factory = BatchFactory
    permissions = {"add": ["inventory.add_stockmovement"]}  # POST receives a delivery: a ledger row
    update = LEDGER_ONLY

    def create_payload(self, user):
        return {
            "store": StoreFactory().pk,
            "item": MedicationFactory().pk,
            "lot_number": "LOT-SUITE",
            "expiry_date": str(timezone.localdate() + datetime.timedelta(days=365)),
            "quantity": 30,
        }


class TestStockMovementAPI(APISuite):
    url = "/api/v1/inventory/movements/"
    model = StockMovement
    create = MethodNotAllowed("the ledger is written by the stock actions, never directly")
    update = MethodNotAllowed("the ledger is append-only")

    def make_row(self, user=None):
        return StockMovement.objects.get(batch=BatchFactory())  # its receipt


class TestAlertAPI(APISuite):
    url = "/api/v1/inventory/alerts/"
    permissions = {"view": ["inventory.view_batch"]}
    create = MethodNotAllowed("a report: alerts are computed from stock levels and expiry dates")
    update = MethodNotAllowed("a report: alerts are computed from stock levels and expiry dates")

    def make_row(self, user=None):
        return BatchFactory(expiry_date=timezone.localdate() + datetime.timedelta(days=5))

    def is_listed(self, results, row):
        return any(item["batch"] == row.pk and item["kind"] == "expiring" for item in results)
