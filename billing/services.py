"""Every change to bills, payments, refunds, claims and price lists.

Each service is keyword-only, takes the ``acting_user`` (recorded on the history rows), runs in
one transaction and locks the bill row (``select_for_update``) before reading what it decides on.
After every change ``bill_recalculate`` rewrites the bill's stored totals and status.
Refusals: ``ValidationError`` (bad input, HTTP 400) or ``Conflict`` (the state forbids it, HTTP 409).
"""

from __future__ import annotations

import datetime
from collections.abc import Collection
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.utils import timezone

from billing import rollups
from billing.choices import (
    OPEN_BILL_STATUSES,
    BillLineKind,
    BillStatus,
    ClaimDecision,
    ClaimStatus,
    PaymentMethod,
)
from billing.models import ZERO, Bill, BillLine, Claim, MoneyDailyTotal, Payment, PriceListEntry, Refund, cents
from billing.policies import require_claim_access
from hms.audit import apply_changes, audited_save
from hms.exceptions import Conflict
from hms.sequences import next_value
from hms.typing import User
from patients.models import InsurancePolicy, Patient
from scheduling.models import Appointment
from staff.models import Hospital

# The code of a doctor's consultation on the bill (CPT 99213: office visit, established patient).
CONSULTATION_CODE = "99213"
PRICE_LIST_FIELDS = {"description", "unit_price", "active"}
# What names a price: it cannot change after creation (add a new entry instead).
PRICE_LIST_FIXED = dict.fromkeys(
    ("hospital", "kind", "code"), "Hospital, kind and code cannot change; add a new entry instead."
)


# --- helpers ----------------------------------------------------------------------------------------------------


def _lock_bill(bill: Bill) -> Bill:
    return Bill.objects.select_for_update().get(pk=bill.pk)


def _money(value: object, *, field: str = "amount") -> Decimal:
    try:
        amount = Decimal(str(value))
    except (InvalidOperation, TypeError, ValueError):
        raise ValidationError({field: "Enter an amount of money, e.g. 25.00."}) from None
    if not amount.is_finite():
        raise ValidationError({field: "Enter an amount of money, e.g. 25.00."})
    if amount != amount.quantize(Decimal("0.01")):
        raise ValidationError({field: "Use at most two decimal places (cents)."})
    return cents(amount)


def _local_date(moment: datetime.datetime, hospital: Hospital) -> datetime.date:
    return moment.astimezone(hospital.tzinfo).date()


def _new_bill(
    *,
    patient: Patient,
    hospital: Hospital,
    appointment: Appointment | None = None,
    service_date: datetime.date,
    acting_user: User | None,
) -> Bill:
    year = _local_date(timezone.now(), hospital).year
    number = f"{hospital.code}-{year}-{next_value(f'billing.bill.{hospital.code}.{year}'):06d}"
    bill = Bill(
        number=number,
        patient=patient,
        hospital=hospital,
        appointment=appointment,
        service_date=service_date,
        created_by=acting_user,
    )
    return audited_save(bill, acting_user=acting_user, validate=False)


def price_lookup(*, hospital: Hospital, kind: str, code: str) -> tuple[Decimal, str] | None:
    """(unit_price, description) from the hospital's active price list, then the chain's catalog; or None."""
    entry = PriceListEntry.objects.filter(hospital=hospital, kind=kind, code=code, active=True).first()
    if entry:
        return entry.unit_price, entry.description
    if kind == BillLineKind.PROCEDURE:
        from clinical.models import ProcedureCatalog

        item = ProcedureCatalog.objects.filter(code=code).first()
        return (item.price, item.description) if item else None
    if kind == BillLineKind.LAB:
        from clinical.models import LabTest

        test = LabTest.objects.filter(code=code).first()
        return (test.price, test.name) if test else None
    if kind in (BillLineKind.MEDICATION, BillLineKind.SUPPLY):
        from catalog.models import Item

        item = Item.objects.filter(code=code).first()
        return (item.unit_price, str(item)) if item else None
    return None


def _add_line(
    *,
    bill: Bill,
    kind: str,
    code: str,
    description: str,
    quantity: int,
    unit_price: Decimal,
    source: str = "",
    reason: str = "",
    acting_user: User | None,
) -> BillLine:
    line = BillLine(
        bill=bill,
        kind=kind,
        code=code or "",
        description=description,
        quantity=quantity,
        unit_price=unit_price,
        source=source or "",
        reason=reason or "",
        created_by=acting_user,
    )
    return audited_save(line, acting_user=acting_user)


def _primary_policy(bill: Bill) -> InsurancePolicy | None:
    from patients.models import InsurancePolicy

    return (
        InsurancePolicy.objects.valid_on(bill.service_date)
        .filter(patient_id=bill.patient_id, is_primary=True)
        .order_by("-valid_from", "-id")
        .first()
    )


def insurance_estimate(*, total: Decimal, policy: InsurancePolicy | None) -> Decimal:
    """The insurer's share by the policy: (total - copay) x coverage %, floored at 0, in cents."""
    if policy is None or total <= 0:
        return ZERO
    base = max(ZERO, total - policy.copay)
    return min(total, cents(base * policy.coverage_percent / Decimal(100)))


# --- bills ------------------------------------------------------------------------------------------------------


@transaction.atomic
def bill_recalculate(*, bill: Bill, acting_user: User | None) -> Bill:
    """Rewrite the bill's stored totals and payment status from its lines, payments, refunds and claim.

    The one place totals are computed (definitions in ``Bill``'s docstring). Saves (and writes a
    history row) only when something changed. Returns the locked, fresh bill.
    """
    bill = _lock_bill(bill)
    rollup_before = rollups.bill_snapshot(bill)  # roll-up (issue 11)
    total = cents(bill.lines.aggregate(s=Sum("amount"))["s"] or ZERO)
    paid = bill.payments.aggregate(s=Sum("amount"))["s"] or ZERO
    insurance_paid = bill.payments.filter(method=PaymentMethod.INSURANCE).aggregate(s=Sum("amount"))["s"] or ZERO
    refunded = bill.refunds.aggregate(s=Sum("amount"))["s"] or ZERO
    claim = Claim.objects.filter(bill=bill).select_related("policy").first()

    policy = claim.policy if claim else _primary_policy(bill)
    if claim and claim.is_adjudicated:
        covered = min(total, claim.approved_amount or ZERO)
    else:
        covered = insurance_estimate(total=total, policy=policy)

    changes = {
        "policy_id": policy.pk if policy else None,
        "total": total,
        "insurance_covered": covered,
        "patient_due": total - covered,
        "amount_paid": cents(paid - refunded),
        "insurance_paid": cents(insurance_paid),
        "balance": cents(total - (paid - refunded)),
    }
    if bill.status in OPEN_BILL_STATUSES:
        if changes["balance"] <= 0:
            changes["status"] = BillStatus.PAID
        elif changes["amount_paid"] > 0:
            changes["status"] = BillStatus.PARTIALLY_PAID
        else:
            changes["status"] = BillStatus.ISSUED
    if apply_changes(bill, changes, allowed=set(changes)):
        audited_save(bill, acting_user=acting_user, validate=False)
        rollups.bill_moved(rollup_before, rollups.bill_snapshot(bill))  # roll-up (issue 11)
    return bill


def _visit_charges(appointment: Appointment) -> list[tuple[str, str, str, int, Decimal, str]]:
    """[(kind, code, description, quantity, unit_price, source)] of a completed visit."""
    hospital = appointment.hospital
    doctor = appointment.doctor
    charges = []
    consult = price_lookup(hospital=hospital, kind=BillLineKind.CONSULTATION, code=CONSULTATION_CODE)
    fee = consult[0] if consult else doctor.consultation_fee
    if fee is not None:
        label = f"Consultation · {doctor}"
        charges.append(
            (BillLineKind.CONSULTATION, CONSULTATION_CODE, label, 1, fee, f"scheduling.appointment:{appointment.pk}")
        )
    record = getattr(appointment, "medical_record", None) if _has_record(appointment) else None
    if record is not None:
        for procedure in record.procedures.order_by("id"):
            listed = PriceListEntry.objects.filter(
                hospital=hospital, kind=BillLineKind.PROCEDURE, code=procedure.code, active=True
            ).first()
            charges.append(
                (
                    BillLineKind.PROCEDURE,
                    procedure.code,
                    listed.description if listed else procedure.description,
                    procedure.quantity,
                    listed.unit_price if listed else procedure.unit_price,
                    f"clinical.procedure:{procedure.pk}",
                )
            )
        for order in record.lab_orders.select_related("test").order_by("id"):
            priced = price_lookup(hospital=hospital, kind=BillLineKind.LAB, code=order.test.code)
            price, description = priced if priced else (order.test.price, order.test.name)
            charges.append((BillLineKind.LAB, order.test.code, description, 1, price, f"clinical.laborder:{order.pk}"))
    return charges


def _has_record(appointment: Appointment) -> bool:
    from clinical.models import MedicalRecord

    return MedicalRecord.objects.filter(appointment_id=appointment.pk).exists()


@transaction.atomic
def bill_create_for_appointment(*, appointment: Appointment, acting_user: User | None) -> Bill:
    """The draft bill of a completed visit: consultation, procedures and lab tests, priced by the hospital.

    Exactly one bill per appointment (a one-to-one link in the database): running it again, or two
    completions racing, returns the existing bill.
    """
    from scheduling.models import Appointment

    appointment = (
        Appointment.objects.select_for_update().select_related("hospital", "doctor__user").get(pk=appointment.pk)
    )
    existing = Bill.objects.select_for_update().filter(appointment_id=appointment.pk).first()
    if existing:
        return existing
    try:
        with transaction.atomic():
            bill = _new_bill(
                patient=appointment.patient,
                hospital=appointment.hospital,
                appointment=appointment,
                service_date=_local_date(appointment.start, appointment.hospital),
                acting_user=acting_user,
            )
    except IntegrityError:
        return Bill.objects.select_for_update().get(appointment_id=appointment.pk)
    for kind, code, description, quantity, unit_price, source in _visit_charges(appointment):
        _add_line(
            bill=bill,
            kind=kind,
            code=code,
            description=description,
            quantity=quantity,
            unit_price=unit_price,
            source=source,
            acting_user=acting_user,
        )
    return bill_recalculate(bill=bill, acting_user=acting_user)


@transaction.atomic
def bill_add_charge(
    *,
    patient: Patient,
    hospital: Hospital,
    kind: str,
    code: str,
    description: str,
    quantity: int | str,
    unit_price: Decimal | str | None = None,
    appointment: Appointment | None = None,
    source: str = "",
    acting_user: User | None,
) -> BillLine:
    """Add a charge (e.g. a dispensed medication) and return the new BillLine.

    It goes on the appointment's bill while that is a draft; otherwise on the patient's open draft
    pharmacy/misc bill at that hospital, or a new draft bill. ``unit_price=None`` takes the hospital's
    price list, then the catalog (procedure catalog, lab tests, inventory items); ``description`` may
    be empty to take it from there too.
    """
    from patients.models import Patient

    if kind not in BillLineKind.values or kind == BillLineKind.ADJUSTMENT:
        raise ValidationError({"kind": "Choose a kind of charge (adjustments go through bill_add_adjustment)."})
    try:
        quantity = int(quantity)
    except (TypeError, ValueError):
        raise ValidationError({"quantity": "Enter a whole number of units."}) from None
    if quantity < 1:
        raise ValidationError({"quantity": "The quantity must be at least 1."})
    if unit_price is None or not description:
        priced = price_lookup(hospital=hospital, kind=kind, code=code)
        if priced is None and unit_price is None:
            raise ValidationError({"unit_price": f"{code} has no price at {hospital.name}; enter the price."})
        if unit_price is None:
            unit_price = priced[0]
        if not description:
            description = priced[1] if priced else code
    unit_price = _money(unit_price, field="unit_price")
    if unit_price < 0:
        raise ValidationError({"unit_price": "The price cannot be negative."})

    # The patient's row lock serializes finding-or-creating their draft bills.
    Patient.objects.select_for_update().filter(pk=patient.pk).first()
    bill = None
    if appointment is not None:
        bill = Bill.objects.select_for_update().filter(appointment_id=appointment.pk, status=BillStatus.DRAFT).first()
    if bill is None:
        bill = (
            Bill.objects.select_for_update()
            .filter(patient_id=patient.pk, hospital_id=hospital.pk, appointment__isnull=True, status=BillStatus.DRAFT)
            .order_by("id")
            .first()
        )
    if bill is None:
        bill = _new_bill(
            patient=patient,
            hospital=hospital,
            service_date=_local_date(timezone.now(), hospital),
            acting_user=acting_user,
        )
    line = _add_line(
        bill=bill,
        kind=kind,
        code=code,
        description=description,
        quantity=quantity,
        unit_price=unit_price,
        source=source,
        acting_user=acting_user,
    )
    bill_recalculate(bill=bill, acting_user=acting_user)
    return line


@transaction.atomic
def bill_add_adjustment(
    *, bill: Bill, amount: Decimal | str, reason: str, acting_user: User, code: str = "ADJ", description: str = ""
) -> BillLine:
    """A correction line (negative: a discount or write-off; positive: a missed charge), with a reason.

    Allowed on draft and issued bills, never on void ones; the total may not drop below zero or
    below what has been paid (refund first).
    """
    bill = _lock_bill(bill)
    if bill.is_void:
        raise Conflict("A void bill cannot be adjusted.")
    amount = _money(amount)
    if amount == 0:
        raise ValidationError({"amount": "An adjustment of zero changes nothing."})
    if not (reason or "").strip():
        raise ValidationError({"reason": "Say why the bill is adjusted."})
    new_total = bill.total + amount
    if new_total < 0:
        raise ValidationError({"amount": f"The bill's total (${bill.total}) cannot drop below zero."})
    if new_total < bill.amount_paid:
        raise Conflict(f"${bill.amount_paid} has been paid on this bill; refund first to lower the total below it.")
    line = _add_line(
        bill=bill,
        kind=BillLineKind.ADJUSTMENT,
        code=code or "ADJ",
        description=description or ("Discount" if amount < 0 else "Additional charge"),
        quantity=1,
        unit_price=amount,
        reason=reason.strip(),
        acting_user=acting_user,
    )
    bill_recalculate(bill=bill, acting_user=acting_user)
    return line


@transaction.atomic
def bill_issue(*, bill: Bill, acting_user: User) -> Bill:
    """Draft -> issued: the lines are frozen from now on."""
    bill = _lock_bill(bill)
    if bill.status != BillStatus.DRAFT:
        raise Conflict(f"Only a draft bill can be issued; this one is {bill.get_status_display().lower()}.")
    if not bill.lines.exists():
        raise Conflict("A bill without lines cannot be issued.")
    rollup_before = rollups.bill_snapshot(bill)  # roll-up (issue 11)
    bill.status = BillStatus.ISSUED
    bill.issued_at = timezone.now()
    bill.issued_by = acting_user
    audited_save(bill, acting_user=acting_user, validate=False)
    rollups.bill_moved(rollup_before, rollups.bill_snapshot(bill))  # roll-up (issue 11)
    return bill_recalculate(bill=bill, acting_user=acting_user)


@transaction.atomic
def bill_void(*, bill: Bill, reason: str, acting_user: User) -> Bill:
    """Void a bill (it stays, with the reason). Refused while money is on it: refund first."""
    bill = _lock_bill(bill)
    if not (reason or "").strip():
        raise ValidationError({"reason": "Say why the bill is voided."})
    if bill.is_void:
        raise Conflict("This bill is already void.")
    if bill.amount_paid > 0:
        raise Conflict(f"${bill.amount_paid} has been paid on this bill; refund it before voiding.")
    claim = Claim.objects.filter(bill=bill).first()
    if claim and claim.status in (
        ClaimStatus.SUBMITTED,
        ClaimStatus.IN_REVIEW,
        ClaimStatus.APPROVED,
        ClaimStatus.PARTIALLY_APPROVED,
    ):
        raise Conflict(f"The insurance claim is {claim.get_status_display().lower()}; it must be settled first.")
    rollup_before = rollups.bill_snapshot(bill)  # roll-up (issue 11)
    bill.status = BillStatus.VOID
    bill.void_reason = reason.strip()
    bill.voided_at = timezone.now()
    bill.voided_by = acting_user
    audited_save(bill, acting_user=acting_user, validate=False)
    rollups.bill_moved(rollup_before, rollups.bill_snapshot(bill))  # roll-up (issue 11)
    rollups.bill_void_changed(bill, void=True)  # roll-up (issue 11)
    return bill


# --- payments and refunds ---------------------------------------------------------------------------------------


def _check_open_for_money(bill: Bill) -> None:
    if bill.status == BillStatus.DRAFT:
        raise Conflict("This bill is still a draft; issue it before taking payments.")
    if bill.is_void:
        raise Conflict("This bill is void; it takes no payments.")


@transaction.atomic
def payment_record(
    *,
    bill: Bill,
    amount: Decimal | str,
    method: str,
    acting_user: User,
    reference: str = "",
    received_at: datetime.datetime | None = None,
    idempotency_key: str | None = None,
) -> Payment:
    """Record a (partial) payment; returns the Payment.

    Refused: zero or negative amounts, more than the balance (400); draft or void bills (409).
    With an ``idempotency_key``, the same user repeating the request on the same bill gets the first
    payment back (its ``replayed`` attribute is True) instead of recording another one. Keys are the
    user's own: another user's key never returns (or blocks) their payment. Reusing a key with a
    different amount, method, reference or receipt time is refused (409, ``idempotency_mismatch``).
    """
    bill = _lock_bill(bill)
    key = (idempotency_key or "").strip() or None
    request = {"amount": amount, "method": method, "reference": reference or "", "received_at": received_at}
    if key is not None:
        if len(key) > 100:
            raise ValidationError({"idempotency_key": "Use an idempotency key of at most 100 characters."})
        earlier = _payment_with_key(bill, acting_user, key)
        if earlier is not None:
            return _replayed(earlier, **request)
    amount = _money(amount)
    if method not in PaymentMethod.values:
        raise ValidationError({"method": f"Choose a payment method: {', '.join(PaymentMethod.values)}."})
    if amount <= 0:
        raise ValidationError({"amount": "A payment must be more than zero."})
    _check_open_for_money(bill)
    if amount > bill.balance:
        raise ValidationError({"amount": f"The payment is more than the balance of ${bill.balance}."})
    payment = Payment(
        bill=bill,
        amount=amount,
        method=method,
        reference=reference or "",
        received_by=acting_user,
        received_at=received_at or timezone.now(),
        idempotency_key=key,
    )
    # The idempotency key's uniqueness is left to the database (a replay races in below).
    payment.full_clean(validate_unique=False, validate_constraints=False)
    try:
        with transaction.atomic():
            audited_save(payment, acting_user=acting_user, validate=False)
    except IntegrityError:
        earlier = _payment_with_key(bill, acting_user, key) if key else None
        if earlier is None:
            raise
        return _replayed(earlier, **request)
    payment.replayed = False
    rollups.money_added(  # roll-up (issue 11)
        bill=bill, moment=payment.received_at, amount=payment.amount, kind=MoneyDailyTotal.PAYMENT
    )
    bill_recalculate(bill=bill, acting_user=acting_user)
    return payment


def _payment_with_key(bill: Bill, acting_user: User | None, key: str) -> Payment | None:
    """The payment this user recorded on this bill under this idempotency key, if any."""
    user_id = getattr(acting_user, "pk", None)
    return Payment.objects.filter(bill=bill, received_by_id=user_id, idempotency_key=key).first()


def _replayed(
    payment: Payment,
    *,
    amount: Decimal | str,
    method: str,
    reference: str,
    received_at: datetime.datetime | None,
) -> Payment:
    try:
        same = _money(amount) == payment.amount and method == payment.method
    except ValidationError:
        same = False
    same = same and (reference or "") == payment.reference
    same = same and (received_at is None or received_at == payment.received_at)
    if not same:
        raise Conflict(
            "This idempotency key was already used for a different payment on this bill "
            f"(${payment.amount} {payment.get_method_display().lower()}); use a new key for a new payment.",
            code="idempotency_mismatch",
        )
    payment.replayed = True
    return payment


@transaction.atomic
def refund_record(
    *,
    bill: Bill,
    amount: Decimal | str,
    reason: str,
    acting_user: User,
    payment: Payment | None = None,
    refunded_at: datetime.datetime | None = None,
) -> Refund:
    """Give money back (its own record, with a reason); never more than was paid (net of earlier refunds)."""
    bill = _lock_bill(bill)
    amount = _money(amount)
    if amount <= 0:
        raise ValidationError({"amount": "A refund must be more than zero."})
    if not (reason or "").strip():
        raise ValidationError({"reason": "Say why the money is refunded."})
    if bill.status == BillStatus.DRAFT:
        raise Conflict("A draft bill has no payments to refund.")
    if amount > bill.amount_paid:
        raise ValidationError({"amount": f"Only ${bill.amount_paid} has been paid on this bill (net of refunds)."})
    if payment is not None:
        if payment.bill_id != bill.pk:
            raise ValidationError({"payment": "This payment belongs to another bill."})
        already = payment.refunds.aggregate(s=Sum("amount"))["s"] or ZERO
        if amount > payment.amount - already:
            raise ValidationError({"amount": f"Only ${payment.amount - already} of this payment can be refunded."})
    refund = Refund(
        bill=bill,
        payment=payment,
        amount=amount,
        reason=reason.strip(),
        refunded_by=acting_user,
        refunded_at=refunded_at or timezone.now(),
    )
    audited_save(refund, acting_user=acting_user)
    rollups.money_added(  # roll-up (issue 11)
        bill=bill, moment=refund.refunded_at, amount=refund.amount, kind=MoneyDailyTotal.REFUND
    )
    bill_recalculate(bill=bill, acting_user=acting_user)
    return refund


# --- insurance claims -------------------------------------------------------------------------------------------


def _lock_claim(claim: Claim, acting_user: User) -> tuple[Claim, Bill]:
    """Lock the bill first, then the claim (the order every billing service takes); then check that the
    acting user may act on it (an insurer only on their own payer's claims, billing.policies)."""
    bill = _lock_bill(Bill(pk=claim.bill_id))
    claim = Claim.objects.select_for_update().select_related("policy").get(pk=claim.pk)
    require_claim_access(acting_user=acting_user, claim=claim)
    return claim, bill


def _require_status(claim: Claim, allowed: Collection[str], action: str) -> None:
    if claim.status not in allowed:
        raise Conflict(f"A {claim.get_status_display().lower()} claim cannot be {action}.")


@transaction.atomic
def claim_create(*, bill: Bill, acting_user: User, policy: InsurancePolicy | None = None) -> Claim:
    """A draft claim for an issued bill against the patient's policy (the bill's primary policy by default)."""
    bill = _lock_bill(bill)
    if bill.status == BillStatus.DRAFT:
        raise Conflict("Issue the bill before claiming it from the insurer.")
    if bill.is_void:
        raise Conflict("A void bill cannot be claimed.")
    if Claim.objects.filter(bill=bill).exists():
        raise Conflict("This bill already has a claim.")
    policy = policy or bill.policy or _primary_policy(bill)
    if policy is None:
        raise Conflict("The patient has no insurance policy valid on the service date.")
    if policy.patient_id != bill.patient_id:
        raise ValidationError({"policy": "The policy belongs to another patient."})
    if not policy.is_valid_on(bill.service_date):
        raise ValidationError({"policy": "The policy was not valid on the service date."})
    require_claim_access(acting_user=acting_user, policy=policy)
    claim = Claim(bill=bill, policy=policy, created_by=acting_user)
    audited_save(claim, acting_user=acting_user)
    bill_recalculate(bill=bill, acting_user=acting_user)
    return claim


@transaction.atomic
def claim_submit(*, claim: Claim, acting_user: User) -> Claim:
    """Draft -> submitted: the claimed amount is the policy's share of the bill as it stands."""
    claim, bill = _lock_claim(claim, acting_user)
    _require_status(claim, (ClaimStatus.DRAFT,), "submitted")
    if bill.is_void:
        raise Conflict("A void bill cannot be claimed.")
    return _submit(claim, bill, acting_user=acting_user)


def _submit(claim: Claim, bill: Bill, *, acting_user: User) -> Claim:
    claimed = insurance_estimate(total=bill.total, policy=claim.policy)
    if claimed <= 0:
        raise Conflict("The policy covers nothing of this bill (copay or coverage); there is nothing to claim.")
    claim.status = ClaimStatus.SUBMITTED
    claim.claimed_amount = claimed
    claim.approved_amount = None
    claim.submitted_at = timezone.now()
    claim.reviewed_at = None
    claim.adjudicated_at = None
    claim.submission_count += 1
    audited_save(claim, acting_user=acting_user)
    bill_recalculate(bill=bill, acting_user=acting_user)
    return claim


@transaction.atomic
def claim_start_review(*, claim: Claim, acting_user: User) -> Claim:
    claim, bill = _lock_claim(claim, acting_user)
    _require_status(claim, (ClaimStatus.SUBMITTED,), "taken into review")
    claim.status = ClaimStatus.IN_REVIEW
    claim.reviewed_at = timezone.now()
    audited_save(claim, acting_user=acting_user)
    return claim


@transaction.atomic
def claim_adjudicate(
    *,
    claim: Claim,
    decision: str,
    acting_user: User,
    approved_amount: Decimal | str | None = None,
    reason: str = "",
) -> Claim:
    """The insurer's decision. approved: the claimed amount (or the one given, not more); partially
    approved: an amount above zero and below the claimed one; denied: zero. Partial approvals and
    denials need a reason. The bill's insurance_covered, patient_due and balance follow.
    """
    claim, bill = _lock_claim(claim, acting_user)
    _require_status(claim, (ClaimStatus.SUBMITTED, ClaimStatus.IN_REVIEW), "adjudicated")
    reason = (reason or "").strip()
    if decision not in ClaimDecision.values:
        raise ValidationError({"decision": f"Choose a decision: {', '.join(ClaimDecision.values)}."})
    if decision == ClaimDecision.DENIED:
        if approved_amount not in (None, "") and _money(approved_amount, field="approved_amount") != 0:
            raise ValidationError({"approved_amount": "A denied claim approves nothing."})
        amount = ZERO
    elif decision == ClaimDecision.APPROVED:
        amount = (
            claim.claimed_amount if approved_amount in (None, "") else _money(approved_amount, field="approved_amount")
        )
        if amount != claim.claimed_amount:
            raise ValidationError(
                {"approved_amount": f"Approving in full means ${claim.claimed_amount}; use partially_approved."}
            )
    else:
        if approved_amount in (None, ""):
            raise ValidationError({"approved_amount": "Give the approved amount."})
        amount = _money(approved_amount, field="approved_amount")
        if not (0 < amount < claim.claimed_amount):
            raise ValidationError(
                {"approved_amount": f"A partial approval is more than $0 and less than ${claim.claimed_amount}."}
            )
    if decision != ClaimDecision.APPROVED and not reason:
        raise ValidationError({"reason": "Give the reason for the decision."})
    claim.status = decision
    claim.approved_amount = amount
    claim.adjudication_reason = reason
    claim.adjudicated_at = timezone.now()
    if claim.reviewed_at is None:
        claim.reviewed_at = claim.adjudicated_at
    audited_save(claim, acting_user=acting_user)
    bill_recalculate(bill=bill, acting_user=acting_user)
    return claim


@transaction.atomic
def claim_mark_paid(*, claim: Claim, acting_user: User, reference: str = "") -> Claim:
    """The insurer paid the approved amount: record it as an ``insurance`` payment on the bill."""
    claim, bill = _lock_claim(claim, acting_user)
    _require_status(claim, (ClaimStatus.APPROVED, ClaimStatus.PARTIALLY_APPROVED), "marked paid")
    if bill.is_void:
        raise Conflict("The bill is void.")
    payment = payment_record(
        bill=bill,
        amount=claim.approved_amount,
        method=PaymentMethod.INSURANCE,
        reference=reference or f"Claim {claim.pk}",
        acting_user=acting_user,
    )
    claim.status = ClaimStatus.PAID
    claim.paid_at = timezone.now()
    claim.payment = payment
    audited_save(claim, acting_user=acting_user)
    return claim


@transaction.atomic
def claim_resubmit(*, claim: Claim, note: str, acting_user: User) -> Claim:
    """Denied -> submitted again, with a note on what changed."""
    claim, bill = _lock_claim(claim, acting_user)
    _require_status(claim, (ClaimStatus.DENIED,), "resubmitted")
    if not (note or "").strip():
        raise ValidationError({"note": "Say what changed for the resubmission."})
    if bill.is_void:
        raise Conflict("A void bill cannot be claimed.")
    claim.resubmission_note = note.strip()
    return _submit(claim, bill, acting_user=acting_user)


# --- price list -------------------------------------------------------------------------------------------------


@transaction.atomic
def price_list_entry_create(
    *,
    acting_user: User,
    hospital: Hospital,
    kind: str,
    code: str,
    description: str,
    unit_price: Decimal | str,
    active: bool = True,
) -> PriceListEntry:
    entry = PriceListEntry(
        hospital=hospital,
        kind=kind,
        code=code,
        description=description,
        unit_price=_money(unit_price, field="unit_price"),
        active=active,
    )
    return audited_save(entry, acting_user=acting_user)


@transaction.atomic
def price_list_entry_update(*, entry: PriceListEntry, acting_user: User, **data: Any) -> PriceListEntry:
    entry = PriceListEntry.objects.select_for_update().get(pk=entry.pk)
    if "unit_price" in data:
        data["unit_price"] = _money(data["unit_price"], field="unit_price")
    if apply_changes(entry, data, allowed=PRICE_LIST_FIELDS, fixed=PRICE_LIST_FIXED):
        audited_save(entry, acting_user=acting_user)
    return entry
