from decimal import Decimal

import factory

from catalog.choices import ItemKind
from catalog.models import Item


class MedicationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Item
        django_get_or_create = ("code",)

    kind = ItemKind.MEDICATION
    code = factory.Sequence(lambda n: f"MED-{n:05d}")
    name = factory.Iterator(["Metformin", "Lisinopril", "Omeprazole", "Atorvastatin"])
    form = "tablet"
    strength = "500 mg"
    unit = "tablet"
    category = factory.Iterator(["Biguanides", "ACE inhibitors", "Proton pump inhibitors", "Statins"])
    unit_price = Decimal("0.25")


class SupplyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Item
        django_get_or_create = ("code",)

    kind = ItemKind.SUPPLY
    code = factory.Sequence(lambda n: f"SUP-{n:05d}")
    name = "Nitrile gloves, medium"
    unit = "box"
    category = "Gloves"
    unit_price = Decimal("8.50")


class EquipmentItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Item
        django_get_or_create = ("code",)

    kind = ItemKind.EQUIPMENT
    code = factory.Sequence(lambda n: f"EQI-{n:05d}")
    name = "Portable ultrasound"
    unit = "unit"
    category = "Imaging"
    unit_price = Decimal("0")
