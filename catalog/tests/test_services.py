import pytest
from django.core.exceptions import ValidationError

from catalog import services
from catalog.models import Item
from catalog.tests.factories import MedicationFactory

pytestmark = pytest.mark.django_db


def test_item_changes_are_audited_with_the_acting_user(make_user):
    pharmacist = make_user("Pharmacist")
    item = services.item_save(instance=MedicationFactory.build(code="RX-NEW"), acting_user=pharmacist)
    item.unit_price = "1.25"
    services.item_save(instance=item, acting_user=pharmacist)
    assert [h.history_user for h in item.history.all()] == [pharmacist, pharmacist]


def test_a_negative_price_is_refused_and_nothing_is_saved(make_user):
    with pytest.raises(ValidationError, match="cannot be negative"):
        services.item_save(instance=MedicationFactory.build(code="RX-NEG", unit_price="-1"), acting_user=make_user())
    assert not Item.objects.filter(code="RX-NEG").exists()


def test_the_item_master_keeps_the_tables_it_had_in_inventory():
    """The move from inventory changed no data: same tables, so old rows and their history are the catalog's."""
    assert Item._meta.db_table == "inventory_item"
    assert Item.history.model._meta.db_table == "inventory_historicalitem"
