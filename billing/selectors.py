"""Reads of billing data, scoped to what the user may see, and the claim document for insurers."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from django.db.models import Prefetch, QuerySet

from billing.filters import BillFilterSet
from billing.models import Bill, BillLine, Claim, Payment, PriceListEntry, Refund
from billing.policies import bills_seen_by_patient, claim_payer_scope
from hms.typing import AnyUser
from patients.selectors import is_portal_patient


def bill_queryset_for(user: AnyUser) -> QuerySet[Bill]:
    """Bills the user may see: all for billing staff; a portal patient's own issued (not draft) bills
    (billing.policies.bills_seen_by_patient). Every read of bills starts here."""
    qs = Bill.objects.select_related("patient", "hospital", "claim", "appointment__doctor__user")
    if not user.is_authenticated or not user.has_perm("billing.view_bill"):
        return qs.none()
    if is_portal_patient(user):
        return bills_seen_by_patient(qs, user=user)
    return qs


def bill_list(*, user: AnyUser, filters: Mapping[str, Any] | None = None) -> QuerySet[Bill]:
    """The bills the user may see, filtered (BillFilterSet keys), newest first. Totals are stored: no aggregation."""
    qs = bill_queryset_for(user)
    if filters:
        qs = BillFilterSet(filters, queryset=qs).qs
    return qs.order_by("-created_at", "-id")


def bill_detail_queryset_for(user: AnyUser) -> QuerySet[Bill]:
    """bill_queryset_for plus the lines, payments, refunds and claim needed to show one bill."""
    return (
        bill_queryset_for(user)
        .select_related("policy__payer", "issued_by", "voided_by", "claim__policy")
        .prefetch_related(
            Prefetch("lines", queryset=BillLine.objects.order_by("id")),
            Prefetch("payments", queryset=Payment.objects.select_related("received_by").order_by("received_at", "id")),
            Prefetch("refunds", queryset=Refund.objects.select_related("refunded_by").order_by("refunded_at", "id")),
        )
    )


def bill_get_for(user: AnyUser, pk: int) -> Bill:
    """One bill with everything to show it, or Bill.DoesNotExist when outside the user's reach."""
    return bill_detail_queryset_for(user).get(pk=pk)


def payment_list(*, bill: Bill) -> QuerySet[Payment]:
    return bill.payments.select_related("received_by").order_by("received_at", "id")


def refund_list(*, bill: Bill) -> QuerySet[Refund]:
    return bill.refunds.select_related("refunded_by", "payment").order_by("refunded_at", "id")


def claim_queryset_for(user: AnyUser) -> QuerySet[Claim]:
    """Claims for billing staff (all) and insurers (those of the payer they work for; none without one)."""
    qs = Claim.objects.select_related("bill__patient", "bill__hospital", "policy__payer")
    if not user.is_authenticated or not user.has_perm("billing.view_claim") or is_portal_patient(user):
        return qs.none()
    scoped, payer_id = claim_payer_scope(user)
    if scoped:
        return qs.filter(policy__payer_id=payer_id) if payer_id else qs.none()
    return qs


def price_list_queryset_for(user: AnyUser) -> QuerySet[PriceListEntry]:
    qs = PriceListEntry.objects.select_related("hospital")
    if not user.is_authenticated or not user.has_perm("billing.view_pricelistentry"):
        return qs.none()
    return qs


def _money(value: Decimal | None) -> str | None:
    return None if value is None else f"{value:.2f}"


def claim_document(claim: Claim, *, user: AnyUser | None) -> dict[str, Any]:
    """What an insurer needs to decide a claim, as a plain dict (JSON through the API, printed by the pages).

    For an insurer user it holds the minimum necessary to adjudicate: member (policy) number, the patient's
    name and date of birth, the service date, the provider, diagnosis and procedure codes, the lines and
    amounts. Hospital staff also get the patient's MRN and sex (to find the chart).
    """
    insurer, _payer_id = claim_payer_scope(user)
    claim = (
        Claim.objects.select_related(
            "policy__payer",
            "bill__patient",
            "bill__hospital",
            "bill__appointment__doctor__user",
        )
        .prefetch_related(Prefetch("bill__lines", queryset=BillLine.objects.order_by("id")))
        .get(pk=claim.pk)
    )
    bill = claim.bill
    patient = bill.patient
    hospital = bill.hospital
    appointment = bill.appointment
    doctor = appointment.doctor if appointment else None
    diagnoses = []
    if appointment is not None:
        from clinical.models import Diagnosis

        diagnoses = [
            {"code": d.code, "description": d.description, "primary": d.is_primary}
            for d in Diagnosis.objects.filter(record__appointment_id=appointment.pk).order_by("-is_primary", "id")
        ]
    patient_part = {
        "name": patient.full_name,
        "first_name": patient.first_name,
        "last_name": patient.last_name,
        "date_of_birth": patient.date_of_birth.isoformat(),
    }
    if not insurer:
        patient_part.update(sex=patient.sex, mrn=patient.mrn)
    return {
        "claim": {
            "id": claim.pk,
            "status": claim.status,
            "status_display": claim.get_status_display(),
            "submission_count": claim.submission_count,
            "submitted_at": claim.submitted_at.isoformat() if claim.submitted_at else None,
            "resubmission_note": claim.resubmission_note,
        },
        "patient": patient_part,
        "policy": {
            "payer": claim.policy.payer.name,
            "payer_code": claim.policy.payer.code,
            "policy_number": claim.policy.policy_number,
            "group_number": claim.policy.group_number,
            "coverage_percent": _money(claim.policy.coverage_percent),
            "copay": _money(claim.policy.copay),
        },
        "provider": {
            "hospital": hospital.name,
            "hospital_code": hospital.code,
            "address": ", ".join(
                part
                for part in [
                    getattr(hospital, "address_line1", ""),
                    getattr(hospital, "city", ""),
                    f"{getattr(hospital, 'state', '')} {getattr(hospital, 'postal_code', '')}".strip(),
                ]
                if part
            ),
        },
        "doctor": (
            {"name": doctor.full_name, "specialty": doctor.specialty, "license_number": doctor.license_number}
            if doctor
            else None
        ),
        "service_date": bill.service_date.isoformat(),
        "bill_number": bill.number,
        "diagnoses": diagnoses,
        "lines": [
            {
                "kind": line.kind,
                "code": line.code,
                "description": line.description,
                "quantity": line.quantity,
                "unit_price": _money(line.unit_price),
                "amount": _money(line.amount),
                "reason": line.reason,
            }
            for line in bill.lines.all()
        ],
        "totals": {
            "total": _money(bill.total),
            "claimed_amount": _money(claim.claimed_amount),
            "approved_amount": _money(claim.approved_amount),
            "patient_due": _money(bill.patient_due),
        },
    }
