from django.db import models


class TreatmentOutcome(models.TextChoices):
    RESOLVED = "resolved", "Resolved"
    IMPROVED = "improved", "Improved"
    UNCHANGED = "unchanged", "Unchanged"
    WORSENED = "worsened", "Worsened"


class PrescriptionStatus(models.TextChoices):
    ACTIVE = "active", "Active"
    DISPENSED = "dispensed", "Dispensed"
    CANCELLED = "cancelled", "Cancelled"


class PrescriptionRoute(models.TextChoices):
    ORAL = "oral", "Oral"
    SUBLINGUAL = "sublingual", "Sublingual"
    TOPICAL = "topical", "Topical"
    INHALED = "inhaled", "Inhaled"
    INTRAVENOUS = "iv", "Intravenous"
    INTRAMUSCULAR = "im", "Intramuscular"
    SUBCUTANEOUS = "sc", "Subcutaneous"
    RECTAL = "rectal", "Rectal"
    OPHTHALMIC = "ophthalmic", "Ophthalmic"
    OTIC = "otic", "Otic"
    NASAL = "nasal", "Nasal"


class LabOrderStatus(models.TextChoices):
    ORDERED = "ordered", "Ordered"
    COLLECTED = "collected", "Collected"
    RESULTED = "resulted", "Resulted"


class LabResultFlag(models.TextChoices):
    LOW = "low", "Low"
    NORMAL = "normal", "Normal"
    HIGH = "high", "High"
    CRITICAL = "critical", "Critical"


# Appointments a medical record can be opened for: the patient is here (checked in, in progress), or the
# visit is over and the doctor documents it late (completed).
RECORDABLE_APPOINTMENT_STATUSES = ("checked_in", "in_progress", "completed")
