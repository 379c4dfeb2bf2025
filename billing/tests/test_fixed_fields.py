"""What names a price (hospital, kind, code) cannot change: billing.services refuses it (API and admin alike)."""

import pytest
from django.core.exceptions import ValidationError

from billing import services
from billing.tests.factories import PriceListEntryFactory

pytestmark = pytest.mark.django_db


def test_the_service_refuses_a_new_code_for_a_price(make_user):
    entry = PriceListEntryFactory(code="93000")

    with pytest.raises(ValidationError) as refused:
        services.price_list_entry_update(entry=entry, acting_user=make_user("Administrator"), code="93010")

    assert "code" in refused.value.message_dict
    entry.refresh_from_db()
    assert entry.code == "93000"


def test_the_same_code_passes_and_the_price_changes(make_user):
    entry = PriceListEntryFactory(code="93000")

    services.price_list_entry_update(
        entry=entry, acting_user=make_user("Administrator"), code="93000", hospital=entry.hospital, unit_price="95.00"
    )

    entry.refresh_from_db()
    assert str(entry.unit_price) == "95.00"


def test_the_api_answers_a_new_code_with_a_field_error(api_as):
    entry = PriceListEntryFactory(code="93000")

    response = api_as("Administrator").patch(f"/api/v1/price-list/{entry.pk}/", {"code": "93010"})

    assert response.status_code == 400
    assert response.json()["code"] == ["Hospital, kind and code cannot change; add a new entry instead."]
