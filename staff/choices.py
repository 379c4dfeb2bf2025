from django.db import models


class StaffRole(models.TextChoices):
    ADMINISTRATOR = "administrator", "Administrator"
    DOCTOR = "doctor", "Doctor"
    NURSE = "nurse", "Nurse"
    RECEPTIONIST = "receptionist", "Receptionist"
    BILLING_CLERK = "billing_clerk", "Billing clerk"
    PHARMACIST = "pharmacist", "Pharmacist"
    LAB_TECHNICIAN = "lab_technician", "Lab technician"


# The Django group (hms.roles) that goes with each staff role.
ROLE_GROUPS = {
    StaffRole.ADMINISTRATOR: "Administrator",
    StaffRole.DOCTOR: "Doctor",
    StaffRole.NURSE: "Nurse",
    StaffRole.RECEPTIONIST: "Receptionist",
    StaffRole.BILLING_CLERK: "Billing Clerk",
    StaffRole.PHARMACIST: "Pharmacist",
    StaffRole.LAB_TECHNICIAN: "Lab Technician",
}

US_TIMEZONES = [
    ("America/New_York", "Eastern (New York)"),
    ("America/Detroit", "Eastern (Detroit)"),
    ("America/Indiana/Indianapolis", "Eastern (Indianapolis)"),
    ("America/Chicago", "Central (Chicago)"),
    ("America/Denver", "Mountain (Denver)"),
    ("America/Phoenix", "Mountain, no DST (Phoenix)"),
    ("America/Los_Angeles", "Pacific (Los Angeles)"),
    ("America/Anchorage", "Alaska (Anchorage)"),
    ("Pacific/Honolulu", "Hawaii (Honolulu)"),
]
