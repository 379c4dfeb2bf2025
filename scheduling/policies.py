"""Who may act on appointments, availability and time off. scheduling.services calls these, so the API, the
pages and the admin refuse alike (the role table, hms/roles.py, says which roles reach an action at all).

- A portal patient acts only on their own appointments: another patient's answers 404 (DomainNotFound), as if
  it did not exist. Of the status actions a patient may cancel and reschedule (``PATIENT_ACTIONS``); check-in,
  start, complete and no-show are the hospital's (403, PermissionDenied).
- A portal patient books for themselves only (another patient: 404) and never assigns a room or equipment: the
  hospital does (403).
- A doctor maintains only their own availability and time off; an administrator (or a superuser) anyone's
  (403 otherwise).
- A visit is started and completed by the appointment's own doctor or an administrator (403 otherwise); the
  pages ask ``may_run_visit`` to show the buttons.

Refusals because of the appointment's state (409) are the transition table's (scheduling.models.TRANSITIONS).
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied

from hms.exceptions import DomainNotFound
from hms.roles import is_administrator
from hms.typing import AnyUser
from patients.models import Patient
from patients.selectors import is_portal_patient
from scheduling.models import Appointment, Equipment, Room
from staff.choices import StaffRole
from staff.models import StaffMember
from staff.selectors import staff_member_of

# What a portal patient may do to their own appointments; the other actions are the hospital's.
PATIENT_ACTIONS = frozenset({"cancel", "reschedule"})


def own_doctor(user: AnyUser | None) -> StaffMember | None:
    """The user's own StaffMember row if they are a doctor, else None."""
    if user is None or not user.is_authenticated:
        return None
    member = staff_member_of(user)
    return member if member is not None and member.role == StaffRole.DOCTOR else None


def _is_patients_own(user: AnyUser, patient: Patient) -> bool:
    return patient.user_id is not None and patient.user_id == user.pk


def ensure_may_act_on_appointment(*, appointment: Appointment, action: str, acting_user: AnyUser | None) -> None:
    """A portal patient acts on their own appointment (else 404) and only cancels or reschedules it (else 403)."""
    if acting_user is None or not is_portal_patient(acting_user):
        return
    if not _is_patients_own(acting_user, appointment.patient):
        raise DomainNotFound("No such appointment.")
    if action not in PATIENT_ACTIONS:
        raise PermissionDenied("Patients can cancel or reschedule their appointments; the hospital does the rest.")


def ensure_may_book(
    *, patient: Patient, room: Room | None, equipment: Equipment | None, acting_user: AnyUser | None
) -> None:
    """A portal patient books for themselves (else 404), without a room or equipment (else 403)."""
    if acting_user is None or not is_portal_patient(acting_user):
        return
    if not _is_patients_own(acting_user, patient):
        raise DomainNotFound("No such patient, or not one you may book for.")
    if room is not None or equipment is not None:
        raise PermissionDenied("Rooms and equipment are assigned by the hospital.")


def may_manage_schedule(*, user: AnyUser | None, doctor: StaffMember) -> bool:
    if is_administrator(user):
        return True
    own = own_doctor(user)
    return own is not None and own.pk == doctor.pk


def ensure_may_manage_schedule(*, doctor: StaffMember, acting_user: AnyUser | None, noun: str) -> None:
    """A doctor changes only their own availability and time off; an administrator anyone's (403)."""
    if not may_manage_schedule(user=acting_user, doctor=doctor):
        raise PermissionDenied(f"You can change only your own {noun}.")


def may_run_visit(*, user: AnyUser | None, appointment: Appointment) -> bool:
    """Start and complete a visit: the appointment's own doctor, or an administrator."""
    if is_administrator(user):
        return True
    own = own_doctor(user)
    return own is not None and own.pk == appointment.doctor_id


def ensure_may_run_visit(*, appointment: Appointment, acting_user: AnyUser | None) -> None:
    """Start and complete a visit: the appointment's own doctor, or an administrator (403)."""
    if acting_user is None or not may_run_visit(user=acting_user, appointment=appointment):
        raise PermissionDenied(
            f"A visit is started and completed by the doctor of the appointment ({appointment.doctor}) "
            "or an administrator."
        )
