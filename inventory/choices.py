from django.db import models


class StoreKind(models.TextChoices):
    PHARMACY = "pharmacy", "Pharmacy"
    SUPPLY_ROOM = "supply_room", "Supply room"


class StockMovementKind(models.TextChoices):
    RECEIPT = "receipt", "Receipt"
    DISPENSE = "dispense", "Dispense"
    TRANSFER_OUT = "transfer_out", "Transfer out"
    TRANSFER_IN = "transfer_in", "Transfer in"
    ADJUSTMENT = "adjustment", "Adjustment"
    EXPIRY_WRITEOFF = "expiry_writeoff", "Expiry write-off"
    RETURN = "return", "Return"


# The sign a movement's quantity must have, by kind (an adjustment may go either way, never 0).
INCOMING_MOVEMENTS = (StockMovementKind.RECEIPT, StockMovementKind.TRANSFER_IN, StockMovementKind.RETURN)
OUTGOING_MOVEMENTS = (StockMovementKind.DISPENSE, StockMovementKind.TRANSFER_OUT, StockMovementKind.EXPIRY_WRITEOFF)


class AlertKind(models.TextChoices):
    LOW_STOCK = "low_stock", "Low stock"
    EXPIRED = "expired", "Expired"
    EXPIRING = "expiring", "Expiring soon"
