from django.db import models


class BillLineKind(models.TextChoices):
    CONSULTATION = "consultation", "Consultation"
    PROCEDURE = "procedure", "Procedure"
    LAB = "lab", "Lab test"
    MEDICATION = "medication", "Medication"
    SUPPLY = "supply", "Supply"
    ADJUSTMENT = "adjustment", "Adjustment"


class BillStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    ISSUED = "issued", "Issued"
    PARTIALLY_PAID = "partially_paid", "Partially paid"
    PAID = "paid", "Paid"
    VOID = "void", "Void"


# Bills that a payment, refund or claim may touch (issued and not void).
OPEN_BILL_STATUSES = (BillStatus.ISSUED, BillStatus.PARTIALLY_PAID, BillStatus.PAID)


class PaymentMethod(models.TextChoices):
    CASH = "cash", "Cash"
    CARD = "card", "Card"
    INSURANCE = "insurance", "Insurance"
    BANK_TRANSFER = "bank_transfer", "Bank transfer"


class ClaimStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    SUBMITTED = "submitted", "Submitted"
    IN_REVIEW = "in_review", "In review"
    APPROVED = "approved", "Approved"
    PARTIALLY_APPROVED = "partially_approved", "Partially approved"
    DENIED = "denied", "Denied"
    PAID = "paid", "Paid"


# Claims whose approved amount replaces the policy estimate on the bill.
ADJUDICATED_CLAIM_STATUSES = (
    ClaimStatus.APPROVED,
    ClaimStatus.PARTIALLY_APPROVED,
    ClaimStatus.DENIED,
    ClaimStatus.PAID,
)


class ClaimDecision(models.TextChoices):
    """What an insurer may answer when adjudicating."""

    APPROVED = "approved", "Approved"
    PARTIALLY_APPROVED = "partially_approved", "Partially approved"
    DENIED = "denied", "Denied"
