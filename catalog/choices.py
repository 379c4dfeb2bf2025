from django.db import models


class ItemKind(models.TextChoices):
    MEDICATION = "medication", "Medication"
    SUPPLY = "supply", "Supply"
    EQUIPMENT = "equipment", "Equipment"
