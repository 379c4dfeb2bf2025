"""Reads of the item master (the API applies catalog.filters.ItemFilterSet on top)."""

from __future__ import annotations

from django.db.models import QuerySet

from catalog.models import Item


def item_list() -> QuerySet[Item]:
    """Every catalog item, active or not, in the catalog's order (name, strength, code)."""
    return Item.objects.all()
