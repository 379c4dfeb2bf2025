"""Who may write clinical content. clinical.services calls these, so the API, the pages and the admin refuse alike.

Clinical content is authored only by the clinician; administrators (superusers included) see it, they do not
write it:
- a medical record and what hangs off it (notes, diagnoses, procedures, prescriptions, lab orders, signing and
  amending) is written only by the doctor of its appointment;
- a lab result is acknowledged only by the doctor who ordered it (the doctor of the order's record);
- vitals and lab work (collection, results) are written by the roles the role table (hms/roles.py) gives
  ``clinical.add_vitals`` / ``clinical.add_labresult``, and a saved result is corrected by those it gives
  ``clinical.change_labresult``: a superuser's blanket pass on every permission does not count here.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied

from clinical.models import LabResult
from hms.permissions import granted_by_role
from hms.typing import AnyUser
from scheduling.models import Appointment

__all__ = [
    "granted_by_role",
    "ensure_record_author",
    "ensure_may_record_vitals",
    "ensure_may_enter_lab_results",
    "ensure_may_correct_lab_results",
    "ensure_may_acknowledge_result",
    "ensure_may_record_result_calls",
]


def is_record_author(*, appointment: Appointment, user: AnyUser | None) -> bool:
    profile = getattr(user, "staff_profile", None) if user and user.is_authenticated else None
    return profile is not None and profile.pk == appointment.doctor_id and user.is_active


def ensure_record_author(*, appointment: Appointment, acting_user: AnyUser | None) -> None:
    """Only the appointment's doctor writes its medical record (and signs or amends it)."""
    if not is_record_author(appointment=appointment, user=acting_user):
        raise PermissionDenied(
            f"Only the doctor of this appointment may write its medical record ({appointment.doctor})."
        )


def ensure_may_record_vitals(*, acting_user: AnyUser | None) -> None:
    if not granted_by_role(acting_user, "clinical.add_vitals"):
        raise PermissionDenied("Vitals are recorded by the clinical staff whose role allows it.")


def ensure_may_enter_lab_results(*, acting_user: AnyUser | None) -> None:
    if not granted_by_role(acting_user, "clinical.add_labresult"):
        raise PermissionDenied("Lab samples and results are entered by the laboratory staff whose role allows it.")


def ensure_may_correct_lab_results(*, acting_user: AnyUser | None) -> None:
    """A saved result is corrected by the roles the role table gives ``clinical.change_labresult`` (the lab)."""
    if not granted_by_role(acting_user, "clinical.change_labresult"):
        raise PermissionDenied("Lab results are corrected by the laboratory staff whose role allows it.")


def is_ordering_doctor(*, result: LabResult, user: AnyUser | None) -> bool:
    profile = getattr(user, "staff_profile", None) if user and user.is_authenticated else None
    return profile is not None and profile.pk == result.doctor_id and user.is_active


def ensure_may_acknowledge_result(*, result: LabResult, acting_user: AnyUser | None) -> None:
    """Only the doctor who ordered the test acknowledges its result (the results inbox is theirs)."""
    if not is_ordering_doctor(result=result, user=acting_user):
        raise PermissionDenied(f"Only the doctor who ordered this test acknowledges its result ({result.doctor}).")


def ensure_may_record_result_calls(*, acting_user: AnyUser | None) -> None:
    """Critical results are phoned through by the roles the role table gives ``clinical.add_criticalresultcall``."""
    if not granted_by_role(acting_user, "clinical.add_criticalresultcall"):
        raise PermissionDenied("Calls of critical results are recorded by the laboratory staff whose role allows it.")
