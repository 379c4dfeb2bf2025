"""Who may move stock and dispense. inventory.services calls these, so the API, the pages, the admin and the demo
refuse alike.

A prescription is dispensed by the roles the role table (hms/roles.py) gives ``inventory.add_stockmovement``
(the pharmacy; a superuser too): dispensing writes stock movements. Who prescribes, and the allergy check, are
clinical's (clinical.policies, clinical.services.prescription_create).
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied

from hms.typing import AnyUser

DISPENSE_PERMISSION = "inventory.add_stockmovement"


def may_dispense(user: AnyUser | None) -> bool:
    return bool(user is not None and user.is_authenticated and user.is_active and user.has_perm(DISPENSE_PERMISSION))


def ensure_may_dispense(*, acting_user: AnyUser | None) -> None:
    if not may_dispense(acting_user):
        raise PermissionDenied("Prescriptions are dispensed by the pharmacy staff whose role allows it.")
