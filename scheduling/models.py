"""Doctors' availability and time off, rooms and equipment, and appointments.

Every change goes through scheduling.services; the rules that need other rows (free slots,
double booking) are checked there under row locks. The model's clean() holds the rules a
single row (or a doctor's own windows) can check.
"""

from datetime import datetime, timedelta
from typing import NamedTuple

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from simple_history.models import HistoricalRecords

from catalog.choices import ItemKind
from hms.exceptions import Conflict
from hms.validators import SCHEDULE, check_dates
from scheduling.choices import (
    ACTIVE_APPOINTMENT_STATUSES,
    UNBOOKABLE_EQUIPMENT_STATUSES,
    AppointmentKind,
    AppointmentStatus,
    EquipmentStatus,
    RoomKind,
    Weekday,
)
from staff.choices import StaffRole

MIN_SLOT_MINUTES = 5
MAX_SLOT_MINUTES = 480
# An appointment takes one slot: at most MAX_SLOT_MINUTES of wall clock, an hour more in real time when the
# clocks fall back during it. Reads of what overlaps a window rely on it to bound ``start`` from below.
MAX_APPOINTMENT_MINUTES = MAX_SLOT_MINUTES + 60


def local_label(moment, tz):
    """'Mon 11/30/2026 at 9:00 AM EST': a moment as a receptionist reads it, in the hospital's time zone."""
    local = moment.astimezone(tz)
    hour = local.strftime("%I").lstrip("0")
    return f"{local:%a %m/%d/%Y} at {hour}:{local:%M %p %Z}"


def _time_label(value):
    return f"{value.strftime('%I').lstrip('0')}:{value:%M %p}"


class Room(models.Model):
    hospital = models.ForeignKey("staff.Hospital", on_delete=models.PROTECT, related_name="rooms")
    name = models.CharField(max_length=100)
    kind = models.CharField(max_length=20, choices=RoomKind.choices, default=RoomKind.EXAM)
    is_active = models.BooleanField("active", default=True, help_text="Rooms are deactivated, never deleted.")

    history = HistoricalRecords()

    class Meta:
        ordering = ["hospital_id", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["hospital", "name"],
                name="room_name_unique_per_hospital",
                violation_error_message="This hospital already has a room with this name.",
            ),
        ]

    def __str__(self):
        return f"{self.name} · {self.get_kind_display()}"


class EquipmentQuerySet(models.QuerySet):
    def bookable(self):
        return self.exclude(status__in=UNBOOKABLE_EQUIPMENT_STATUSES)


class Equipment(models.Model):
    """A piece of equipment that appointments can reserve (an ultrasound, an ECG cart...).

    Its tables keep the names they had when equipment lived in inventory (``inventory_equipment``,
    ``inventory_historicalequipment``): the move to scheduling changed no data.
    """

    hospital = models.ForeignKey("staff.Hospital", on_delete=models.PROTECT, related_name="equipment")
    item = models.ForeignKey(
        "catalog.Item",
        on_delete=models.PROTECT,
        related_name="equipment",
        null=True,
        blank=True,
        limit_choices_to={"kind": ItemKind.EQUIPMENT},
        help_text="The catalog item this device is an instance of (optional).",
    )
    name = models.CharField(max_length=200)
    asset_tag = models.CharField(max_length=50, unique=True, help_text="The tag stuck on the device.")
    status = models.CharField(
        max_length=20, choices=EquipmentStatus.choices, default=EquipmentStatus.AVAILABLE, db_index=True
    )

    history = HistoricalRecords(table_name="inventory_historicalequipment")
    objects = EquipmentQuerySet.as_manager()

    class Meta:
        db_table = "inventory_equipment"
        ordering = ["hospital__name", "name", "asset_tag"]
        verbose_name_plural = "equipment"

    def __str__(self):
        return f"{self.name} ({self.asset_tag})"

    @property
    def is_bookable(self):
        return self.status not in UNBOOKABLE_EQUIPMENT_STATUSES

    def clean(self):
        if self.item_id and self.item.kind != ItemKind.EQUIPMENT:
            raise ValidationError({"item": "Link equipment to a catalog item of kind equipment."})


class AvailabilityQuerySet(models.QuerySet):
    def valid_between(self, date_from, date_to):
        """Windows valid on at least one day of date_from..date_to (inclusive)."""
        return self.filter(valid_from__lte=date_to).filter(
            models.Q(valid_to__isnull=True) | models.Q(valid_to__gte=date_from)
        )


class Availability(models.Model):
    """A weekly window in which a doctor sees patients, cut into slots of ``slot_minutes``.

    Times are wall-clock times in the hospital's time zone: 09:00 stays 09:00 across DST changes.
    """

    doctor = models.ForeignKey(
        "staff.StaffMember",
        on_delete=models.PROTECT,
        related_name="availability",
        limit_choices_to={"role": StaffRole.DOCTOR},
    )
    hospital = models.ForeignKey("staff.Hospital", on_delete=models.PROTECT, related_name="availability")
    weekday = models.PositiveSmallIntegerField(choices=Weekday.choices)
    start_time = models.TimeField(help_text="Local time at the hospital.")
    end_time = models.TimeField(help_text="Local time at the hospital.")
    slot_minutes = models.PositiveSmallIntegerField(
        "slot length (minutes)",
        default=30,
        validators=[MinValueValidator(MIN_SLOT_MINUTES), MaxValueValidator(MAX_SLOT_MINUTES)],
    )
    valid_from = models.DateField()
    valid_to = models.DateField(null=True, blank=True, help_text="Last day of the window; empty means open-ended.")

    history = HistoricalRecords()
    objects = AvailabilityQuerySet.as_manager()

    class Meta:
        ordering = ["doctor_id", "weekday", "start_time", "valid_from"]
        verbose_name = "availability window"
        verbose_name_plural = "availability windows"
        indexes = [models.Index(fields=["doctor", "weekday"], name="availability_doctor_day_idx")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end_time__gt=models.F("start_time")),
                name="availability_ends_after_start",
                violation_error_message="The window must end after it starts.",
            ),
            models.CheckConstraint(
                condition=models.Q(slot_minutes__gte=MIN_SLOT_MINUTES) & models.Q(slot_minutes__lte=MAX_SLOT_MINUTES),
                name="availability_slot_length_range",
                violation_error_message=f"Slots last {MIN_SLOT_MINUTES} to {MAX_SLOT_MINUTES} minutes.",
            ),
            models.CheckConstraint(
                condition=models.Q(weekday__gte=0) & models.Q(weekday__lte=6),
                name="availability_weekday_range",
                violation_error_message="Choose a day of the week.",
            ),
            models.CheckConstraint(
                condition=models.Q(valid_to__isnull=True) | models.Q(valid_to__gte=models.F("valid_from")),
                name="availability_valid_range",
                violation_error_message="The window must end on or after the day it starts.",
            ),
        ]

    def __str__(self):
        return (
            f"{self.get_weekday_display()} {_time_label(self.start_time)}–{_time_label(self.end_time)} "
            f"({self.slot_minutes} min)"
        )

    def is_valid_on(self, day):
        return self.valid_from <= day and (self.valid_to is None or day <= self.valid_to)

    def overlapping_windows(self):
        """The doctor's other windows on the same weekday whose hours and validity overlap this one."""
        qs = Availability.objects.filter(
            doctor_id=self.doctor_id,
            weekday=self.weekday,
            start_time__lt=self.end_time,
            end_time__gt=self.start_time,
        ).filter(models.Q(valid_to__isnull=True) | models.Q(valid_to__gte=self.valid_from))
        if self.valid_to is not None:
            qs = qs.filter(valid_from__lte=self.valid_to)
        if self.pk:
            qs = qs.exclude(pk=self.pk)
        return qs

    def clean(self):
        check_dates(self, {"valid_from": SCHEDULE, "valid_to": SCHEDULE})
        errors = {}
        if self.doctor_id and self.doctor.role != StaffRole.DOCTOR:
            errors["doctor"] = f"{self.doctor.full_name} is not a doctor; only doctors have availability."
        if self.start_time and self.end_time:
            if self.end_time <= self.start_time:
                errors["end_time"] = "The window must end after it starts."
            elif self.slot_minutes:
                length = datetime.combine(datetime.min, self.end_time) - datetime.combine(datetime.min, self.start_time)
                if length < timedelta(minutes=self.slot_minutes):
                    errors["slot_minutes"] = "The window is shorter than one slot."
        if self.valid_from and self.valid_to and self.valid_to < self.valid_from:
            errors["valid_to"] = "The window must end on or after the day it starts."
        if errors:
            raise ValidationError(errors)
        if self.doctor_id and self.weekday is not None and self.start_time and self.end_time and self.valid_from:
            clash = self.overlapping_windows().first()
            if clash:
                until = f"until {clash.valid_to:%m/%d/%Y}" if clash.valid_to else "with no end date"
                raise ValidationError(
                    f"This window overlaps another window of {self.doctor}: {clash} "
                    f"from {clash.valid_from:%m/%d/%Y} {until}. Change the hours or the dates."
                )


class TimeOffQuerySet(models.QuerySet):
    def active(self):
        return self.filter(is_cancelled=False)

    def overlapping(self, start, end):
        return self.filter(start__lt=end, end__gt=start)


class TimeOff(models.Model):
    """A period a doctor does not see patients (leave, conference, ...): it removes slots."""

    doctor = models.ForeignKey(
        "staff.StaffMember",
        on_delete=models.PROTECT,
        related_name="time_off",
        limit_choices_to={"role": StaffRole.DOCTOR},
    )
    start = models.DateTimeField()
    end = models.DateTimeField()
    reason = models.CharField(max_length=200)
    is_cancelled = models.BooleanField(
        "withdrawn", default=False, help_text="Withdrawn time off frees its slots again; history keeps it."
    )

    history = HistoricalRecords()
    objects = TimeOffQuerySet.as_manager()

    class Meta:
        ordering = ["doctor_id", "start"]
        verbose_name = "time off"
        verbose_name_plural = "time off"
        indexes = [models.Index(fields=["doctor", "start"], name="timeoff_doctor_start_idx")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end__gt=models.F("start")),
                name="timeoff_ends_after_start",
                violation_error_message="The time off must end after it starts.",
            ),
        ]

    def __str__(self):
        return f"{self.reason}: {self.start:%m/%d/%Y %H:%M} – {self.end:%m/%d/%Y %H:%M}"

    def clean(self):
        check_dates(self, {"start": SCHEDULE, "end": SCHEDULE})
        if self.doctor_id and self.doctor.role != StaffRole.DOCTOR:
            raise ValidationError({"doctor": f"{self.doctor.full_name} is not a doctor."})
        if self.start and self.end and not self.is_cancelled:
            if self.end <= self.start:
                raise ValidationError({"end": "The time off must end after it starts."})
            if self.doctor_id:
                booked = Appointment.objects.active().filter(doctor_id=self.doctor_id).overlapping(self.start, self.end)
                count = booked.count()
                if count:
                    first = booked.select_related("hospital").order_by("start").first()
                    when = local_label(first.start, first.hospital.tzinfo)
                    raise ValidationError(
                        f"{self.doctor} has {count} appointment{'s' if count > 1 else ''} during this time off "
                        f"(the first {when}). Reschedule or cancel "
                        f"{'them' if count > 1 else 'it'} first."
                    )


class Transition(NamedTuple):
    sources: tuple
    target: str
    stamp: str
    verb: str


S = AppointmentStatus
TRANSITIONS = {
    "check_in": Transition((S.SCHEDULED,), S.CHECKED_IN, "checked_in_at", "checked in"),
    "start": Transition((S.CHECKED_IN,), S.IN_PROGRESS, "started_at", "started"),
    "complete": Transition((S.IN_PROGRESS,), S.COMPLETED, "completed_at", "completed"),
    "cancel": Transition((S.SCHEDULED,), S.CANCELLED, "cancelled_at", "cancelled"),
    "no_show": Transition((S.SCHEDULED, S.CHECKED_IN), S.NO_SHOW, "no_show_at", "marked as a no-show"),
    "reschedule": Transition((S.SCHEDULED,), None, None, "rescheduled"),
}
STATUS_PHRASES = {
    S.SCHEDULED: "scheduled",
    S.CHECKED_IN: "checked-in",
    S.IN_PROGRESS: "in-progress",
    S.COMPLETED: "completed",
    S.CANCELLED: "cancelled",
    S.NO_SHOW: "no-show",
}
TRANSITION_HINTS = {
    ("start", S.SCHEDULED): "Check the patient in first.",
    ("complete", S.SCHEDULED): "Check the patient in and start the visit first.",
    ("complete", S.CHECKED_IN): "Start the visit first.",
}


def _article(phrase):
    return "An" if phrase[0] in "aeiou" else "A"


class AppointmentQuerySet(models.QuerySet):
    def active(self):
        """Appointments that hold their time: scheduled, checked in, in progress."""
        return self.filter(status__in=ACTIVE_APPOINTMENT_STATUSES)

    def overlapping(self, start, end):
        return self.filter(start__lt=end, end__gt=start)

    def upcoming(self, now=None):
        """Active appointments from now on, soonest first."""
        return self.active().filter(start__gte=now or timezone.now()).order_by("start")


class Appointment(models.Model):
    patient = models.ForeignKey("patients.Patient", on_delete=models.PROTECT, related_name="appointments")
    doctor = models.ForeignKey(
        "staff.StaffMember",
        on_delete=models.PROTECT,
        related_name="appointments",
        limit_choices_to={"role": StaffRole.DOCTOR},
    )
    hospital = models.ForeignKey(
        "staff.Hospital",
        on_delete=models.PROTECT,
        related_name="appointments",
        help_text="Where the visit takes place: the hospital of the doctor's availability window.",
    )
    start = models.DateTimeField()
    end = models.DateTimeField()
    kind = models.CharField(max_length=20, choices=AppointmentKind.choices, default=AppointmentKind.IN_PERSON)
    reason = models.CharField("reason for the visit", max_length=500)
    room = models.ForeignKey(Room, on_delete=models.PROTECT, related_name="appointments", null=True, blank=True)
    equipment = models.ForeignKey(
        Equipment, on_delete=models.PROTECT, related_name="appointments", null=True, blank=True
    )
    telemedicine_url = models.URLField("join link", max_length=300, blank=True, editable=False)
    status = models.CharField(
        max_length=20, choices=AppointmentStatus.choices, default=AppointmentStatus.SCHEDULED, editable=False
    )
    booked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True, editable=False
    )
    booked_at = models.DateTimeField(default=timezone.now, editable=False)
    checked_in_at = models.DateTimeField(null=True, blank=True, editable=False)
    started_at = models.DateTimeField(null=True, blank=True, editable=False)
    completed_at = models.DateTimeField(null=True, blank=True, editable=False)
    cancelled_at = models.DateTimeField(null=True, blank=True, editable=False)
    no_show_at = models.DateTimeField("no-show at", null=True, blank=True, editable=False)
    cancellation_reason = models.CharField(max_length=500, blank=True, editable=False)
    reminder_sent_at = models.DateTimeField(null=True, blank=True, editable=False)

    history = HistoricalRecords()
    objects = AppointmentQuerySet.as_manager()

    class Meta:
        ordering = ["start", "id"]
        indexes = [
            # Lists order by (start, id) and reports filter start by day: InnoDB ends the index with the id.
            models.Index(fields=["start"], name="appt_start_idx"),
            models.Index(fields=["doctor", "start"], name="appt_doctor_start_idx"),
            models.Index(fields=["patient", "start"], name="appt_patient_start_idx"),
            models.Index(fields=["room", "start"], name="appt_room_start_idx"),
            models.Index(fields=["equipment", "start"], name="appt_equipment_start_idx"),
            models.Index(fields=["hospital", "start"], name="appt_hospital_start_idx"),
            models.Index(fields=["status", "start"], name="appt_status_start_idx"),
            # The nurse's queue: a hospital's checked-in patients of today, in arrival order.
            models.Index(fields=["hospital", "status", "checked_in_at"], name="appt_hosp_status_checkin_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end__gt=models.F("start")),
                name="appointment_ends_after_start",
                violation_error_message="The appointment must end after it starts.",
            ),
            models.CheckConstraint(
                condition=models.Q(end__lte=models.F("start") + timedelta(minutes=MAX_APPOINTMENT_MINUTES)),
                name="appointment_max_duration",
                violation_error_message=f"An appointment lasts at most {MAX_APPOINTMENT_MINUTES // 60} hours.",
            ),
            models.CheckConstraint(
                condition=models.Q(kind=AppointmentKind.IN_PERSON) | models.Q(room__isnull=True),
                name="appointment_telemedicine_has_no_room",
                violation_error_message="A telemedicine visit has a join link, not a room.",
            ),
        ]

    def __str__(self):
        when = local_label(self.start, self.hospital.tzinfo) if self.hospital_id else f"{self.start:%m/%d/%Y %H:%M}"
        return f"{self.patient.full_name} with {self.doctor} on {when}"

    @property
    def is_active(self):
        return self.status in ACTIVE_APPOINTMENT_STATUSES

    @property
    def local_start(self):
        return self.start.astimezone(self.hospital.tzinfo)

    @property
    def local_end(self):
        return self.end.astimezone(self.hospital.tzinfo)

    def is_on_its_day(self, now=None):
        """Whether ``now`` (default: now) falls on the appointment's day in its hospital's time zone."""
        now = now or timezone.now()
        return now.astimezone(self.hospital.tzinfo).date() == self.local_start.date()

    def can(self, action):
        return self.status in TRANSITIONS[action].sources

    def ensure_can(self, action):
        """Raise Conflict, with a message a receptionist understands, if ``action`` is not allowed now."""
        transition = TRANSITIONS[action]
        if self.status in transition.sources:
            return
        if self.status == transition.target:
            raise Conflict(f"This appointment has already been {transition.verb}.", code="invalid_transition")
        phrase = STATUS_PHRASES[self.status]
        allowed = " or ".join(STATUS_PHRASES[s] for s in transition.sources)
        message = f"{_article(phrase)} {phrase} appointment cannot be {transition.verb}; only {allowed} ones can."
        hint = TRANSITION_HINTS.get((action, self.status))
        if hint:
            message = f"{message} {hint}"
        raise Conflict(message, code="invalid_transition", extra={"status": self.status})

    def clean(self):
        check_dates(self, {"start": SCHEDULE, "end": SCHEDULE})
        errors = {}
        if self.start and self.end and self.end <= self.start:
            errors["end"] = "The appointment must end after it starts."
        elif self.start and self.end and self.end - self.start > timedelta(minutes=MAX_APPOINTMENT_MINUTES):
            errors["end"] = f"An appointment lasts at most {MAX_APPOINTMENT_MINUTES // 60} hours."
        if self.doctor_id and self.doctor.role != StaffRole.DOCTOR:
            errors["doctor"] = f"{self.doctor.full_name} is not a doctor."
        if self.kind == AppointmentKind.TELEMEDICINE and self.room_id:
            errors["room"] = "A telemedicine visit has a join link, not a room."
        if self.room_id and self.hospital_id and self.room.hospital_id != self.hospital_id:
            errors["room"] = f"Room {self.room.name} is in another hospital."
        if self.equipment_id and self.hospital_id and self.equipment.hospital_id != self.hospital_id:
            errors["equipment"] = f"{self.equipment} is in another hospital."
        if errors:
            raise ValidationError(errors)


class AppointmentDailyCount(models.Model):
    """Roll-up (issue 11): how many appointments start on each local day of their hospital, by status, kind and
    lead-time bucket. Read by the dashboard and the no-show model instead of scanning appointments.

    Kept up to date inside the scheduling services' transactions (``scheduling.rollups``) and rebuilt from the
    appointments by ``manage.py rebuild_appointment_rollup`` (``--check`` compares it with the raw counts).
    Never edited by hand. ``lead_bucket`` is the bucket of start - booked_at (``scheduling.rollups.LEAD_BUCKETS``).
    """

    day = models.DateField(help_text="The appointment's local day at its hospital.")
    hospital = models.ForeignKey("staff.Hospital", on_delete=models.PROTECT, related_name="+")
    status = models.CharField(max_length=20, choices=AppointmentStatus.choices)
    kind = models.CharField(max_length=20, choices=AppointmentKind.choices)
    lead_bucket = models.CharField("lead-time bucket", max_length=8)
    count = models.IntegerField(default=0, help_text="Never negative while the roll-up is consistent.")

    class Meta:
        ordering = ["day", "hospital_id", "status", "kind", "lead_bucket"]
        verbose_name = "appointment daily count"
        constraints = [
            models.UniqueConstraint(
                fields=["day", "hospital", "status", "kind", "lead_bucket"],
                name="appt_daily_count_unique_key",
                violation_error_message="The roll-up has one row per day, hospital, status, kind and lead bucket.",
            ),
        ]

    def __str__(self):
        return f"{self.day} {self.hospital_id} {self.status}/{self.kind}/{self.lead_bucket}: {self.count}"
