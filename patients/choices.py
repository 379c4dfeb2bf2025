from django.db import models


class PatientSex(models.TextChoices):
    FEMALE = "female", "Female"
    MALE = "male", "Male"
    OTHER = "other", "Other"
    UNKNOWN = "unknown", "Unknown"


class AllergySeverity(models.TextChoices):
    MILD = "mild", "Mild"
    MODERATE = "moderate", "Moderate"
    SEVERE = "severe", "Severe"
    LIFE_THREATENING = "life_threatening", "Life-threatening"


class MedicalHistoryStatus(models.TextChoices):
    ACTIVE = "active", "Active"
    CHRONIC = "chronic", "Chronic"
    IN_REMISSION = "in_remission", "In remission"
    RESOLVED = "resolved", "Resolved"


class EmergencyContactRelation(models.TextChoices):
    SPOUSE = "spouse", "Spouse or partner"
    PARENT = "parent", "Parent"
    CHILD = "child", "Child"
    SIBLING = "sibling", "Sibling"
    GUARDIAN = "guardian", "Guardian"
    FRIEND = "friend", "Friend"
    OTHER = "other", "Other"


class ConsentKind(models.TextChoices):
    SHARING = "sharing", "Sharing with outside providers"
    RESEARCH = "research", "Research"
    SMS_REMINDERS = "sms_reminders", "SMS reminders"
    EMAIL_REMINDERS = "email_reminders", "Email reminders"


class BreakGlassOutcome(models.TextChoices):
    APPROPRIATE = "appropriate", "Appropriate"
    INAPPROPRIATE = "inappropriate", "Inappropriate (followed up)"
