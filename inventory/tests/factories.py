import datetime
from decimal import Decimal

import factory
from django.utils import timezone

from catalog.tests.factories import MedicationFactory, SupplyFactory
from clinical.tests.factories import PrescriptionFactory
from inventory.choices import StockMovementKind, StoreKind
from inventory.models import Batch, StockLevelRule, StockMovement, Store
from scheduling.tests.factories import EquipmentFactory
from staff.tests.factories import HospitalFactory, UserFactory

__all__ = [
    "BatchFactory", "EquipmentFactory", "MedicationFactory", "PrescriptionFactory", "StockLevelRuleFactory",
    "StoreFactory", "SupplyFactory",
]


class StoreFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Store

    hospital = factory.SubFactory(HospitalFactory)
    name = "Main Pharmacy"
    code = factory.Sequence(lambda n: f"PH{n}")
    kind = StoreKind.PHARMACY


class StockLevelRuleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = StockLevelRule

    item = factory.SubFactory(MedicationFactory)
    store = factory.SubFactory(StoreFactory)
    reorder_level = 10
    reorder_quantity = 100


class BatchFactory(factory.django.DjangoModelFactory):
    """A batch of ``quantity`` units with its receipt movement, so its ledger matches.
    BatchFactory(receipt=user) records who received it (default: a new user)."""

    class Meta:
        model = Batch
        skip_postgeneration_save = True

    class Params:
        quantity = 20

    item = factory.SubFactory(MedicationFactory)
    store = factory.SubFactory(StoreFactory)
    lot_number = factory.Sequence(lambda n: f"LOT{n:05d}")
    expiry_date = factory.LazyFunction(lambda: timezone.localdate() + datetime.timedelta(days=365))
    unit_cost = Decimal("0.10")
    supplier = "McKesson"
    quantity_on_hand = factory.SelfAttribute("quantity")

    @factory.post_generation
    def receipt(self, create, extracted, **kwargs):
        if create and self.quantity_on_hand:
            StockMovement.objects.create(
                batch=self, kind=StockMovementKind.RECEIPT, quantity=self.quantity_on_hand,
                created_by=extracted or UserFactory(),
            )
