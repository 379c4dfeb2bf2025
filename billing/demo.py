"""Demo billing data (``manage.py seed_demo`` hook): per-hospital price lists, then bills for the latest
completed visits made through the services (totals stay right), with payments, refunds and claims in every
state. Safe to rerun: existing prices and bills are kept, visits that already have a bill are skipped.
"""

from decimal import Decimal

from billing import services
from billing.choices import BillLineKind, ClaimStatus, PaymentMethod
from billing.models import PriceListEntry

# Bills for at most this many completed visits per run (keeps the default demo fast).
MAX_BILLS = 180
CLAIM_PATHS = [
    ClaimStatus.DRAFT,
    ClaimStatus.SUBMITTED,
    ClaimStatus.IN_REVIEW,
    ClaimStatus.APPROVED,
    ClaimStatus.PARTIALLY_APPROVED,
    ClaimStatus.DENIED,
    ClaimStatus.PAID,
    "resubmitted",
]


def _seed_price_lists(ctx):
    from catalog.models import Item
    from clinical.models import LabTest, ProcedureCatalog

    rng = ctx.rng_for("billing.prices")
    catalog = [(BillLineKind.PROCEDURE, p.code, p.description, p.price) for p in ProcedureCatalog.objects.all()]
    catalog += [(BillLineKind.LAB, t.code, t.name, t.price) for t in LabTest.objects.all()]
    catalog += [(BillLineKind.MEDICATION, i.code, str(i), i.unit_price) for i in Item.objects.all()]
    existing = set(PriceListEntry.objects.values_list("hospital_id", "kind", "code"))
    entries = []
    for hospital in ctx.hospitals:
        factor = Decimal(rng.choice(["0.90", "1.00", "1.10", "1.25"]))  # each hospital has its own prices
        for kind, code, description, price in catalog:
            if (hospital.pk, kind, code) in existing:
                continue
            entries.append(
                PriceListEntry(
                    hospital=hospital,
                    kind=kind,
                    code=code,
                    description=description[:300],
                    unit_price=(price * factor).quantize(Decimal("0.01")),
                )
            )
    if entries:
        ctx.bulk_create(PriceListEntry, entries)
    return len(entries)


def _advance_claim(bill, path, *, user, rng):
    claim = services.claim_create(bill=bill, acting_user=user)
    if path == ClaimStatus.DRAFT:
        return
    services.claim_submit(claim=claim, acting_user=user)
    if path == ClaimStatus.SUBMITTED:
        return
    services.claim_start_review(claim=claim, acting_user=user)
    if path == ClaimStatus.IN_REVIEW:
        return
    if path in (ClaimStatus.DENIED, "resubmitted"):
        services.claim_adjudicate(
            claim=claim, decision="denied", reason="Missing prior authorization", acting_user=user
        )
        if path == "resubmitted":
            services.claim_resubmit(claim=claim, note="Prior authorization attached", acting_user=user)
        return
    claim.refresh_from_db()
    if path == ClaimStatus.PARTIALLY_APPROVED and claim.claimed_amount > Decimal("1.00"):
        share = Decimal(rng.choice(["0.50", "0.70", "0.85"]))
        services.claim_adjudicate(
            claim=claim,
            decision="partially_approved",
            approved_amount=(claim.claimed_amount * share).quantize(Decimal("0.01")),
            reason="Paid at the contracted rate",
            acting_user=user,
        )
        return
    services.claim_adjudicate(claim=claim, decision="approved", acting_user=user)
    if path == ClaimStatus.PAID:
        services.claim_mark_paid(claim=claim, reference=f"EFT-{bill.pk:06d}", acting_user=user)


def _patient_pays(bill, *, user, rng, kind):
    bill.refresh_from_db()
    due = bill.patient_balance
    if kind == "none" or due <= 0:
        return
    method = rng.choice([PaymentMethod.CARD, PaymentMethod.CASH, PaymentMethod.CARD, PaymentMethod.BANK_TRANSFER])
    amount = due if kind in ("full", "refund") else (due / 2).quantize(Decimal("0.01"))
    payment = services.payment_record(
        bill=bill, amount=amount, method=method, reference=f"DEMO-{bill.pk}", acting_user=user
    )
    if kind == "refund" and amount > Decimal("5.00"):
        services.refund_record(
            bill=bill, payment=payment, amount=Decimal("5.00"), reason="Copay charged twice", acting_user=user
        )


def seed(ctx):
    from scheduling.choices import AppointmentStatus
    from scheduling.models import Appointment

    rng, user = ctx.rng, ctx.acting_user
    prices = _seed_price_lists(ctx)
    visits = list(
        Appointment.objects.filter(status=AppointmentStatus.COMPLETED, bill__isnull=True)
        .select_related("hospital", "doctor__user", "patient")
        .order_by("-start", "-id")[:MAX_BILLS]
    )
    visits.reverse()  # oldest first, so bill numbers follow the visits
    made = 0
    with ctx.progress(total=len(visits), desc="Bills") as bar:
        for i, appointment in enumerate(visits):
            bill = services.bill_create_for_appointment(appointment=appointment, acting_user=user)
            made += 1
            bar.update(1)
            if not bill.lines.exists() or i % 12 == 0:
                continue  # stays a draft
            if i % 17 == 0:
                services.bill_void(bill=bill, reason="Visit billed under the wrong patient", acting_user=user)
                continue
            services.bill_issue(bill=bill, acting_user=user)
            bill.refresh_from_db()
            if i % 9 == 0:
                services.bill_add_adjustment(
                    bill=bill,
                    amount="-10.00" if bill.total >= 10 else "1.00",
                    reason="Prompt-pay discount",
                    acting_user=user,
                )
            if bill.policy_id and bill.insurance_covered > 0:
                _advance_claim(bill, CLAIM_PATHS[i % len(CLAIM_PATHS)], user=user, rng=rng)
            _patient_pays(bill, user=user, rng=rng, kind=rng.choice(["none", "partial", "full", "full", "refund"]))
    # Only what this run added: the totals (bills of visits and of pharmacy sales) are in the summary's end.
    return {"price list entries": prices, "visit bills": made}
