"""Who may change a patient's clinical facts. patients.services calls these, so the API, the pages and the
admin refuse alike.

Allergies and medical history are clinical facts: they are recorded and changed by the clinical roles that the
role table (hms/roles.py) gives ``patients.add_allergy`` / ``change_allergy`` (and the same for medical history).
Administrators and superusers see them; they do not write them (a superuser's pass on every permission does not
count here).
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied

from hms.permissions import granted_by_role
from hms.typing import User


def ensure_may_write_clinical_fact(*, acting_user: User, model: str, action: str) -> None:
    """``model`` is "allergy" or "medicalhistoryentry"; ``action`` is "add" or "change"."""
    if not granted_by_role(acting_user, f"patients.{action}_{model}"):
        noun = "Allergies" if model == "allergy" else "Medical history entries"
        raise PermissionDenied(f"{noun} are recorded by the clinical staff whose role allows it.")
