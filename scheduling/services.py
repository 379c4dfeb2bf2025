"""Every change to schedules and appointments. Admin, pages, API and commands call these.

Who may act is scheduling.policies (called first in each function): a portal patient acts on their own
appointments only (404 otherwise) and only cancels, reschedules or books them (403 otherwise), without rooms or
equipment; a visit is started and completed by its own doctor or an administrator; a doctor maintains their own
availability and time off, an administrator anyone's.

A patient is checked in on the appointment's own day only (the hospital's time zone), and a visit starts only
once the patient is checked in: a visit cannot be run through the day before it is due.

No double booking, even under concurrency: a booking (or rescheduling) first locks the rows
of everyone it books, always in the same order - the doctor's StaffMember row, the patient
row, the room row, the equipment row - and only then checks for overlaps and inserts. Two
bookings that share a doctor, patient, room or equipment therefore run one after the other,
and the second sees the first's appointment (MariaDB runs at READ COMMITTED, so each query
sees what was committed before it). Locking rows that may not exist yet (the appointment)
would lock nothing at READ COMMITTED, hence the parent rows. Status changes lock only the
appointment row, after any parent rows, so the lock order never inverts.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from datetime import datetime, tzinfo
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from hms.audit import apply_changes, audited_save
from hms.exceptions import Conflict
from hms.typing import ModelT, User
from patients.models import Patient
from scheduling import policies, rollups
from scheduling.choices import AppointmentKind, AppointmentStatus
from scheduling.hooks import run_completion_checks
from scheduling.models import TRANSITIONS, Appointment, Availability, Equipment, Room, TimeOff, local_label
from scheduling.selectors import Slot, doctor_slot_at
from scheduling.signals import appointment_completed
from staff.choices import StaffRole
from staff.models import Hospital, StaffMember

DEFAULT_TELEMEDICINE_BASE_URL = "https://telehealth.hms.example/join/"

AVAILABILITY_FIELDS = {"hospital", "weekday", "start_time", "end_time", "slot_minutes", "valid_from", "valid_to"}
TIME_OFF_FIELDS = {"start", "end", "reason"}
ROOM_FIELDS = {"hospital", "name", "kind", "is_active"}


def telemedicine_link() -> str:
    """A fresh, unguessable https join link under settings.TELEMEDICINE_BASE_URL."""
    base = getattr(settings, "TELEMEDICINE_BASE_URL", DEFAULT_TELEMEDICINE_BASE_URL)
    return f"{base.rstrip('/')}/{secrets.token_urlsafe(24)}"


# --- booking ----------------------------------------------------------------------------------


def _lock(model: type[ModelT], pk: int) -> ModelT:
    # A bare SELECT ... FOR UPDATE: with select_related MariaDB would lock the joined rows too.
    return model.objects.select_for_update().get(pk=pk)


def _lock_parties(
    *, doctor_id: int, patient_id: int, room_id: int | None = None, equipment_id: int | None = None
) -> tuple[StaffMember, Patient, Room | None, Equipment | None]:
    """Lock doctor, patient, room, equipment rows, in this fixed order (no deadlocks)."""
    doctor = _lock(StaffMember, doctor_id)
    patient = _lock(Patient, patient_id)
    room = _lock(Room, room_id) if room_id else None
    equipment = _lock(Equipment, equipment_id) if equipment_id else None
    return doctor, patient, room, equipment


def _require_aware(start: datetime | None) -> None:
    if start is None:
        raise ValidationError({"start": "Choose when the appointment starts."})
    if timezone.is_naive(start):
        raise ValidationError({"start": "Give the start time with its time zone."})


def _check_parties(
    *, doctor: StaffMember, patient: Patient, room: Room | None, equipment: Equipment | None, kind: str
) -> None:
    if kind not in AppointmentKind.values:
        raise ValidationError({"kind": f"Choose one of: {', '.join(AppointmentKind.values)}."})
    if doctor.role != StaffRole.DOCTOR:
        raise ValidationError({"doctor": f"{doctor.full_name} is not a doctor."})
    if kind == AppointmentKind.TELEMEDICINE and room is not None:
        raise ValidationError({"room": "A telemedicine visit has a join link, not a room."})
    if not doctor.is_active:
        raise Conflict(f"{doctor} no longer sees patients (inactive). Choose another doctor.", code="doctor_inactive")
    if not patient.is_active:
        raise Conflict(
            f"Patient {patient.full_name} (MRN {patient.mrn}) is inactive. Reactivate the patient before booking.",
            code="patient_inactive",
        )
    if room is not None and not room.is_active:
        raise Conflict(f"Room {room.name} is out of service. Choose another room.", code="room_inactive")
    if equipment is not None and not equipment.is_bookable:
        raise Conflict(
            f"{equipment} is {equipment.get_status_display().lower()} and cannot be booked.",
            code="equipment_unavailable",
        )


def _bookable_slot(*, doctor: StaffMember, start: datetime, now: datetime) -> Slot:
    """The doctor's slot starting at ``start``, or a Conflict saying why it cannot be booked."""
    tz = doctor.hospital.tzinfo
    if start < now:
        raise Conflict(f"{local_label(start, tz)} is in the past. Choose a time from now on.", code="in_the_past")
    slot = doctor_slot_at(doctor=doctor, start=start)
    if slot is None:
        raise Conflict(
            f"{doctor} does not see patients at {local_label(start, tz)}: the time is outside their "
            "availability or not at the start of a slot. Choose one of the free slots.",
            code="outside_availability",
        )
    tz = slot.tzinfo
    away = TimeOff.objects.active().filter(doctor=doctor).overlapping(slot.start, slot.end).order_by("start").first()
    if away is not None:
        raise Conflict(
            f"{doctor} is away from {local_label(away.start, tz)} to {local_label(away.end, tz)}. "
            "Choose another time or another doctor.",
            code="time_off",
        )
    return slot


def _check_place(*, slot: Slot, room: Room | None, equipment: Equipment | None) -> None:
    hospital = slot.window.hospital
    if room is not None and room.hospital_id != hospital.pk:
        raise ValidationError({"room": f"Room {room.name} is not at {hospital.name}, where this visit takes place."})
    if equipment is not None and equipment.hospital_id != hospital.pk:
        raise ValidationError({"equipment": f"{equipment} is not at {hospital.name}, where this visit takes place."})


def _check_no_overlap(
    *,
    doctor: StaffMember,
    patient: Patient,
    room: Room | None,
    equipment: Equipment | None,
    start: datetime,
    end: datetime,
    tz: tzinfo,
    exclude_pk: int | None = None,
) -> None:
    """Refuse if an active appointment of the same doctor, patient, room or equipment overlaps start..end."""
    who = Q(doctor=doctor) | Q(patient=patient)
    if room is not None:
        who |= Q(room=room)
    if equipment is not None:
        who |= Q(equipment=equipment)
    clashes = Appointment.objects.active().overlapping(start, end).filter(who)
    if exclude_pk:
        clashes = clashes.exclude(pk=exclude_pk)
    clashes = list(clashes.order_by("start"))
    if not clashes:
        return

    def pick(test: Callable[[Appointment], bool]) -> Appointment | None:
        return next((a for a in clashes if test(a)), None)

    when = local_label(start, tz)
    if clash := pick(lambda a: a.doctor_id == doctor.pk):
        raise Conflict(
            f"{doctor} already has an appointment at {local_label(clash.start, tz)}; the slot {when} is taken. "
            "Choose another slot.",
            code="doctor_busy",
        )
    if clash := pick(lambda a: a.patient_id == patient.pk):
        overlap = "" if clash.start == start else f", which overlaps the slot {when}"
        raise Conflict(
            f"{patient.full_name} already has an appointment with {clash.doctor} at {local_label(clash.start, tz)}"
            f"{overlap}. Choose another time.",
            code="patient_busy",
        )
    if room is not None and (clash := pick(lambda a: a.room_id == room.pk)):
        raise Conflict(f"Room {room.name} is taken at {when}. Choose another room or time.", code="room_busy")
    raise Conflict(f"{equipment} is booked at {when}. Choose other equipment or another time.", code="equipment_busy")


@transaction.atomic
def appointment_book(
    *,
    acting_user: User | None,
    patient: Patient,
    doctor: StaffMember,
    start: datetime,
    reason: str,
    kind: str = AppointmentKind.IN_PERSON,
    room: Room | None = None,
    equipment: Equipment | None = None,
    now: datetime | None = None,
) -> Appointment:
    """Book a free slot. The end comes from the slot length of the doctor's availability window.

    Refused (nothing saved): outside availability or not on a slot boundary, during time off,
    in the past, inactive doctor or patient, out-of-service room or equipment, or overlapping an
    active appointment of the same doctor, patient, room or equipment.
    """
    now = now or timezone.now()
    policies.ensure_may_book(patient=patient, room=room, equipment=equipment, acting_user=acting_user)
    _require_aware(start)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "Give the reason for the visit."})
    doctor, patient, room, equipment = _lock_parties(
        doctor_id=doctor.pk,
        patient_id=patient.pk,
        room_id=room.pk if room else None,
        equipment_id=equipment.pk if equipment else None,
    )
    _check_parties(doctor=doctor, patient=patient, room=room, equipment=equipment, kind=kind)
    slot = _bookable_slot(doctor=doctor, start=start, now=now)
    _check_place(slot=slot, room=room, equipment=equipment)
    _check_no_overlap(
        doctor=doctor, patient=patient, room=room, equipment=equipment, start=slot.start, end=slot.end, tz=slot.tzinfo
    )
    appointment = Appointment(
        patient=patient,
        doctor=doctor,
        hospital=slot.window.hospital,
        start=slot.start,
        end=slot.end,
        kind=kind,
        reason=reason,
        room=room,
        equipment=equipment,
        booked_by=acting_user,
        booked_at=now,
    )
    if kind == AppointmentKind.TELEMEDICINE:
        appointment.telemedicine_url = telemedicine_link()
    audited_save(appointment, acting_user=acting_user)
    rollups.appointment_moved(None, rollups.appointment_key(appointment))  # roll-up (issue 11)
    return appointment


@transaction.atomic
def appointment_reschedule(
    *, appointment: Appointment, start: datetime, acting_user: User | None, now: datetime | None = None
) -> Appointment:
    """Move a scheduled appointment to another free slot of the same doctor. Same row; history keeps the old time."""
    now = now or timezone.now()
    _require_aware(start)
    current = Appointment.objects.get(pk=appointment.pk)
    policies.ensure_may_act_on_appointment(appointment=current, action="reschedule", acting_user=acting_user)
    doctor, patient, room, equipment = _lock_parties(
        doctor_id=current.doctor_id,
        patient_id=current.patient_id,
        room_id=current.room_id,
        equipment_id=current.equipment_id,
    )
    appointment = _lock(Appointment, appointment.pk)
    appointment.ensure_can("reschedule")
    rollup_before = rollups.appointment_key(appointment)  # roll-up (issue 11)
    if appointment.start == start:
        raise Conflict("The appointment is already at this time.", code="same_time")
    _check_parties(doctor=doctor, patient=patient, room=room, equipment=equipment, kind=appointment.kind)
    slot = _bookable_slot(doctor=doctor, start=start, now=now)
    _check_place(slot=slot, room=room, equipment=equipment)
    _check_no_overlap(
        doctor=doctor,
        patient=patient,
        room=room,
        equipment=equipment,
        start=slot.start,
        end=slot.end,
        tz=slot.tzinfo,
        exclude_pk=appointment.pk,
    )
    appointment.start, appointment.end, appointment.hospital = slot.start, slot.end, slot.window.hospital
    appointment.reminder_sent_at = None  # a new time deserves a new reminder
    audited_save(appointment, acting_user=acting_user)
    rollups.appointment_moved(rollup_before, rollups.appointment_key(appointment))  # roll-up (issue 11)
    return appointment


# --- status changes ---------------------------------------------------------------------------


def _locked_for(appointment: Appointment, action: str, *, acting_user: User | None) -> Appointment:
    """The appointment under its row lock, once the acting user may take ``action`` on it (scheduling.policies:
    403/404) and its state allows it (the transition table: 409)."""
    locked = _lock(Appointment, appointment.pk)
    policies.ensure_may_act_on_appointment(appointment=locked, action=action, acting_user=acting_user)
    locked.ensure_can(action)
    return locked


def _transition(
    appointment: Appointment, action: str, *, acting_user: User | None, now: datetime | None = None, **changes: Any
) -> Appointment:
    appointment = _locked_for(appointment, action, acting_user=acting_user)
    rollup_before = rollups.appointment_key(appointment)  # roll-up (issue 11)
    transition = TRANSITIONS[action]
    appointment.status = transition.target
    setattr(appointment, transition.stamp, now or timezone.now())
    for field, value in changes.items():
        setattr(appointment, field, value)
    audited_save(appointment, acting_user=acting_user)
    rollups.appointment_moved(rollup_before, rollups.appointment_key(appointment))  # roll-up (issue 11)
    return appointment


@transaction.atomic
def appointment_cancel(*, appointment: Appointment, reason: str, acting_user: User | None) -> Appointment:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "Give a reason for the cancellation."})
    return _transition(appointment, "cancel", acting_user=acting_user, cancellation_reason=reason)


def _ensure_appointment_day(appointment: Appointment, now: datetime) -> None:
    """Check-in happens on the appointment's own day, in its hospital's time zone; any other day is a 409."""
    if appointment.is_on_its_day(now):
        return
    tz = appointment.hospital.tzinfo
    tense = "is" if now < appointment.start else "was"
    raise Conflict(
        f"This appointment {tense} on {local_label(appointment.start, tz)}; a patient is checked in on the day "
        "of their appointment only.",
        code="not_appointment_day",
        extra={"appointment_day": appointment.local_start.date().isoformat()},
    )


@transaction.atomic
def appointment_check_in(
    *, appointment: Appointment, acting_user: User | None, now: datetime | None = None
) -> Appointment:
    """Check the patient in: a scheduled appointment, on its own day (the hospital's time zone)."""
    now = now or timezone.now()
    locked = _locked_for(appointment, "check_in", acting_user=acting_user)
    _ensure_appointment_day(locked, now)
    return _transition(locked, "check_in", acting_user=acting_user, now=now)


@transaction.atomic
def appointment_start(
    *, appointment: Appointment, acting_user: User | None, now: datetime | None = None
) -> Appointment:
    """Start the visit: only a checked-in patient's (and check-in happens on the appointment's day only), by the
    appointment's own doctor or an administrator."""
    locked = _lock(Appointment, appointment.pk)
    policies.ensure_may_act_on_appointment(appointment=locked, action="start", acting_user=acting_user)
    policies.ensure_may_run_visit(appointment=locked, acting_user=acting_user)
    return _transition(locked, "start", acting_user=acting_user, now=now)


@transaction.atomic
def appointment_complete(*, appointment: Appointment, acting_user: User | None) -> Appointment:
    """Complete the visit and send ``appointment_completed`` inside this transaction (billing creates the bill).

    The apps above scheduling may refuse it first (scheduling.hooks.completion_checks): clinical requires an
    open medical record with at least one diagnosis.
    """
    appointment = _lock(Appointment, appointment.pk)
    policies.ensure_may_act_on_appointment(appointment=appointment, action="complete", acting_user=acting_user)
    policies.ensure_may_run_visit(appointment=appointment, acting_user=acting_user)
    appointment.ensure_can("complete")
    run_completion_checks(appointment)
    appointment = _transition(appointment, "complete", acting_user=acting_user)
    appointment_completed.send(sender=Appointment, appointment=appointment, acting_user=acting_user)
    return appointment


@transaction.atomic
def appointment_mark_no_show(
    *, appointment: Appointment, acting_user: User | None, now: datetime | None = None
) -> Appointment:
    now = now or timezone.now()
    locked = _locked_for(appointment, "no_show", acting_user=acting_user)
    if locked.start > now:
        raise Conflict(
            "The appointment has not begun yet; a patient can be marked as a no-show only from "
            f"{local_label(locked.start, locked.hospital.tzinfo)}.",
            code="not_yet",
        )
    return _transition(locked, "no_show", acting_user=acting_user, now=now)


@transaction.atomic
def appointment_mark_reminded(
    *, appointment: Appointment, acting_user: User | None, now: datetime | None = None
) -> Appointment | None:
    """Mark a scheduled appointment's reminder as sent, once: under its row lock, with a history row.

    Returns the appointment, or None when it no longer needs one (reminded by another run, cancelled, moved to
    another state). ``acting_user`` is None when the reminders command runs (the system acts).
    """
    now = now or timezone.now()
    locked = _lock(Appointment, appointment.pk)  # the appointment row alone (a join would lock the patient too)
    if locked.status != AppointmentStatus.SCHEDULED or locked.reminder_sent_at is not None:
        return None
    locked.reminder_sent_at = now
    return audited_save(locked, acting_user=acting_user, validate=False)


# --- availability, time off, rooms ------------------------------------------------------------


def _require_doctor(doctor: StaffMember) -> None:
    if doctor.role != StaffRole.DOCTOR:
        raise ValidationError({"doctor": f"{doctor.full_name} is not a doctor."})


def _locked_schedule_row(
    row: ModelT, *, acting_user: User, noun: str, data: dict[str, Any] | None = None, moved: str = ""
) -> ModelT:
    """A doctor's availability window or time off, locked (after the doctor's row) for a change by someone who may
    manage that doctor's schedule (scheduling.policies). It stays with its doctor: ``data`` naming another doctor
    is refused with ``moved`` (a ValidationError on ``doctor``); naming the same one, the name is dropped."""
    policies.ensure_may_manage_schedule(doctor=row.doctor, acting_user=acting_user, noun=noun)
    if data and "doctor" in data:
        if data["doctor"].pk != row.doctor_id:
            raise ValidationError({"doctor": moved})
        data.pop("doctor")
    _lock(StaffMember, row.doctor_id)
    return _lock(type(row), row.pk)


@transaction.atomic
def availability_create(
    *, acting_user: User, doctor: StaffMember, hospital: Hospital | None = None, **data: Any
) -> Availability:
    """Add a weekly window. Windows of one doctor may not overlap (checked under the doctor's row lock)."""
    policies.ensure_may_manage_schedule(doctor=doctor, acting_user=acting_user, noun="availability")
    doctor = _lock(StaffMember, doctor.pk)
    _require_doctor(doctor)
    window = Availability(doctor=doctor, hospital=hospital or doctor.hospital, **data)
    return audited_save(window, acting_user=acting_user)


@transaction.atomic
def availability_update(*, availability: Availability, acting_user: User, **data: Any) -> Availability:
    window = _locked_schedule_row(
        availability,
        acting_user=acting_user,
        noun="availability",
        data=data,
        moved="A window cannot move to another doctor; end it and add a new one.",
    )
    if apply_changes(window, data, allowed=AVAILABILITY_FIELDS):
        audited_save(window, acting_user=acting_user)
    return window


@transaction.atomic
def time_off_create(*, acting_user: User, doctor: StaffMember, **data: Any) -> TimeOff:
    """Add time off. Refused while the doctor has active appointments in it (checked under the doctor's lock)."""
    policies.ensure_may_manage_schedule(doctor=doctor, acting_user=acting_user, noun="time off")
    doctor = _lock(StaffMember, doctor.pk)
    _require_doctor(doctor)
    return audited_save(TimeOff(doctor=doctor, **data), acting_user=acting_user)


@transaction.atomic
def time_off_update(*, time_off: TimeOff, acting_user: User, **data: Any) -> TimeOff:
    time_off = _locked_schedule_row(
        time_off,
        acting_user=acting_user,
        noun="time off",
        data=data,
        moved="Time off cannot move to another doctor; add new time off instead.",
    )
    if time_off.is_cancelled:
        raise Conflict("This time off was withdrawn; add new time off instead.", code="withdrawn")
    if apply_changes(time_off, data, allowed=TIME_OFF_FIELDS):
        audited_save(time_off, acting_user=acting_user)
    return time_off


@transaction.atomic
def time_off_withdraw(*, time_off: TimeOff, acting_user: User) -> TimeOff:
    """Withdraw time off (a cancelled conference): its slots become bookable again. Kept in history."""
    time_off = _locked_schedule_row(time_off, acting_user=acting_user, noun="time off")
    if not time_off.is_cancelled:
        time_off.is_cancelled = True
        audited_save(time_off, acting_user=acting_user)
    return time_off


@transaction.atomic
def room_create(*, acting_user: User, **data: Any) -> Room:
    return audited_save(Room(**data), acting_user=acting_user)


@transaction.atomic
def room_update(*, room: Room, acting_user: User, **data: Any) -> Room:
    room = _lock(Room, room.pk)
    if apply_changes(room, data, allowed=ROOM_FIELDS):
        audited_save(room, acting_user=acting_user)
    return room


@transaction.atomic
def equipment_save(*, instance: Equipment, acting_user: User) -> Equipment:
    """Create or change a piece of equipment (status available / in use / maintenance / retired); retired,
    never deleted."""
    return audited_save(instance, acting_user=acting_user)
