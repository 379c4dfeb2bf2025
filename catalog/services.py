"""Changes to the item master. Admin and API call these; items are deactivated, never deleted."""

from __future__ import annotations

from django.db import transaction

from catalog.models import Item
from hms.audit import audited_save
from hms.typing import User


@transaction.atomic
def item_save(*, instance: Item, acting_user: User) -> Item:
    """Create or change a catalog item; items are deactivated, never deleted."""
    return audited_save(instance, acting_user=acting_user)
