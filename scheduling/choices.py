from django.db import models


class AppointmentStatus(models.TextChoices):
    SCHEDULED = "scheduled", "Scheduled"
    CHECKED_IN = "checked_in", "Checked in"
    IN_PROGRESS = "in_progress", "In progress"
    COMPLETED = "completed", "Completed"
    CANCELLED = "cancelled", "Cancelled"
    NO_SHOW = "no_show", "No-show"


# Appointments that hold their time: they block the doctor, the patient, the room and the equipment.
ACTIVE_APPOINTMENT_STATUSES = (
    AppointmentStatus.SCHEDULED,
    AppointmentStatus.CHECKED_IN,
    AppointmentStatus.IN_PROGRESS,
)


class AppointmentKind(models.TextChoices):
    IN_PERSON = "in_person", "In person"
    TELEMEDICINE = "telemedicine", "Telemedicine"


class RoomKind(models.TextChoices):
    EXAM = "exam", "Exam room"
    CONSULTATION = "consultation", "Consultation room"
    OPERATING = "operating", "Operating room"
    IMAGING = "imaging", "Imaging room"
    THERAPY = "therapy", "Therapy room"


class Weekday(models.IntegerChoices):
    """Numbered like Python's date.weekday(): Monday is 0."""

    MONDAY = 0, "Monday"
    TUESDAY = 1, "Tuesday"
    WEDNESDAY = 2, "Wednesday"
    THURSDAY = 3, "Thursday"
    FRIDAY = 4, "Friday"
    SATURDAY = 5, "Saturday"
    SUNDAY = 6, "Sunday"


class EquipmentStatus(models.TextChoices):
    AVAILABLE = "available", "Available"
    IN_USE = "in_use", "In use"
    MAINTENANCE = "maintenance", "In maintenance"
    RETIRED = "retired", "Retired"


# Equipment in these states cannot be booked for an appointment.
UNBOOKABLE_EQUIPMENT_STATUSES = (EquipmentStatus.MAINTENANCE, EquipmentStatus.RETIRED)
