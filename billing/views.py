"""Billing pages: outstanding bills, one bill and its actions, claims, printable invoices, the patient portal.

Views check access and shape pages. Reads go through billing.selectors / page_selectors (scoped to the
user); every change is one call of a billing.services function with ``acting_user``. A refusal
(ValidationError or Conflict) is shown on the bill's page as a message and form errors, with status
400 or 409, and nothing is saved.
"""


from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from billing import page_selectors, pdf, services
from billing.choices import BillStatus, ClaimStatus
from billing.forms import (
    AdjudicateForm,
    AdjustmentForm,
    BillFilterForm,
    MarkPaidForm,
    PaymentForm,
    RefundForm,
    ResubmitForm,
    VoidForm,
)
from billing.models import Bill
from billing.selectors import bill_get_for, claim_document, claim_queryset_for
from hms import access
from hms.access_models import AccessKind
from hms.exceptions import Conflict, DomainError
from hms.pages import add_form_errors, cursor_page, portal_page, queue_page, staff_page
from hms.pages import paginate as _page
from hms.pages import refusal_message as _refusal
from patients.selectors import insurer_payer, patient_for_user

LIST_PAGE_SIZE = 25
DRAFTS_PAGE_SIZE = 10
PORTAL_PAGE_SIZE = 10


# --- helpers ----------------------------------------------------------------------------------------------------


def _staff_bill(request, pk):
    try:
        return bill_get_for(request.user, pk)
    except Bill.DoesNotExist:
        raise Http404 from None


def _staff_claim(request, pk):
    return get_object_or_404(claim_queryset_for(request.user), pk=pk)


def _bill_forms(user, bill):
    """The empty action forms of a bill that the user may use and its state allows."""
    forms = {}
    open_for_money = bill.status in (BillStatus.ISSUED, BillStatus.PARTIALLY_PAID)
    if user.has_perm("billing.add_payment") and open_for_money and bill.balance > 0:
        forms["payment_form"] = PaymentForm(initial={"amount": bill.patient_balance or bill.balance})
    if user.has_perm("billing.add_refund") and not bill.is_draft and bill.amount_paid > 0:
        forms["refund_form"] = RefundForm(bill=bill)
    if user.has_perm("billing.add_billline") and not bill.is_void:
        forms["adjustment_form"] = AdjustmentForm()
    if user.has_perm("billing.change_bill") and not bill.is_void:
        forms["void_form"] = VoidForm()
    claim = getattr(bill, "claim", None)
    if claim is not None and user.has_perm("billing.change_claim"):
        if claim.status in (ClaimStatus.SUBMITTED, ClaimStatus.IN_REVIEW):
            forms["adjudicate_form"] = AdjudicateForm()
        if claim.status in (ClaimStatus.APPROVED, ClaimStatus.PARTIALLY_APPROVED):
            forms["mark_paid_form"] = MarkPaidForm()
        if claim.status == ClaimStatus.DENIED:
            forms["resubmit_form"] = ResubmitForm()
    return forms


def _detail_context(request, bill, **bound_forms):
    claim = getattr(bill, "claim", None)
    user = request.user
    return {
        "bill": bill,
        # Nested data follows the role table (hms/nested.py): the claim only for roles that may view claims.
        "claim": claim if user.has_perm("billing.view_claim") else None,
        "lines": list(bill.lines.all()),
        "payments": list(bill.payments.all()),
        "refunds": list(bill.refunds.all()),
        "can_issue": user.has_perm("billing.change_bill") and bill.is_draft,
        "can_claim": (
            user.has_perm("billing.add_claim")
            and claim is None
            and bill.policy_id is not None
            and bill.status not in (BillStatus.DRAFT, BillStatus.VOID)
        ),
        "can_change_claim": user.has_perm("billing.change_claim"),
        "can_view_claim": user.has_perm("billing.view_claim"),
        **_bill_forms(user, bill),
        **bound_forms,
    }


def _bill_action(request, pk, *, label, call, done, form_class=None, form_name=None, form_kwargs=None):
    """POST one action on a bill: validate the form, call the service; on success go back to the bill,
    on refusal show the bill again with the message and the form's errors (nothing saved)."""
    bill = _staff_bill(request, pk)
    form = None
    if form_class is not None:
        form = form_class(request.POST, **(form_kwargs(bill) if form_kwargs else {}))
        if not form.is_valid():
            messages.error(request, f"{label}: not done. Please correct the marked fields.")
            context = _detail_context(request, bill, **{form_name: form})
            return render(request, "billing/bill_detail.html", context, status=400)
    try:
        result = call(bill, form.cleaned_data if form else {})
    except (DomainError, ValidationError) as exc:
        messages.error(request, f"{label}: refused. {_refusal(exc)}")
        bound = {}
        if form is not None:
            add_form_errors(form, exc, shown_elsewhere=True)
            bound[form_name] = form
        status = 409 if isinstance(exc, Conflict) else 400
        return render(request, "billing/bill_detail.html", _detail_context(request, bill, **bound), status=status)
    message = done(result) if callable(done) else done
    messages.success(request, f"{bill.number}: {message}")
    return redirect("billing:bill_detail", pk=bill.pk)


# --- billing staff: lists and one bill -----------------------------------------------------------------------------


def _set_hospitals(bills, hospitals):
    """Give each bill its hospital from ``hospitals`` (by id): pages that join only what the hospital list lacks."""
    for bill in bills:
        if bill.hospital_id in hospitals:
            bill.hospital = hospitals[bill.hospital_id]


@staff_page("billing.view_bill")
def outstanding_view(request):
    """The billing clerk's start page: drafts to issue, then the bills with a balance left, each the oldest
    first; or, with another status chosen, those bills, newest first. Filtered by hospital, service dates and
    patient."""
    form = BillFilterForm(request.GET)
    status = 200 if form.is_valid() else 400
    data = form.cleaned_data if form.is_valid() else {}
    filters = {
        "hospital": data.get("hospital"),
        "date_from": data.get("date_from"),
        "date_to": data.get("date_to"),
        "query": data.get("q", ""),
    }
    bill_status = data.get("status") or page_selectors.OUTSTANDING
    context = {"form": form, "oldest_first": bill_status == page_selectors.OUTSTANDING}
    if bill_status == page_selectors.OUTSTANDING:
        drafts, bills = page_selectors.billing_queue(user=request.user, **filters)
        context["drafts"] = queue_page(request, drafts, DRAFTS_PAGE_SIZE, param="drafts")
        hospitals = {hospital.pk: hospital for hospital in form.fields["hospital"].rows()}
        _set_hospitals(context["drafts"], hospitals)
        if filters["query"]:  # a search's few bills: one query, the hospitals from the form's list as well
            context["page"] = queue_page(request, page_selectors.with_list_joins(bills), LIST_PAGE_SIZE)
            _set_hospitals(context["page"], hospitals)
    else:
        bills = page_selectors.bill_search(user=request.user, status=bill_status, **filters)
    if "page" not in context:
        context["page"] = cursor_page(request, bills, LIST_PAGE_SIZE)
    context["sums"] = page_selectors.bill_search_sums(bills, status=bill_status, **filters)
    return render(request, "billing/outstanding.html", context, status=status)


@staff_page("billing.view_bill")
def bill_detail_view(request, pk):
    bill = _staff_bill(request, pk)
    return render(request, "billing/bill_detail.html", _detail_context(request, bill))


@require_POST
@staff_page("billing.add_payment")
def payment_record_view(request, pk):
    def call(bill, data):
        return services.payment_record(
            bill=bill,
            amount=data["amount"],
            method=data["method"],
            reference=data["reference"],
            idempotency_key=data["idempotency_key"] or None,
            acting_user=request.user,
        )

    return _bill_action(
        request,
        pk,
        label="Payment",
        form_class=PaymentForm,
        form_name="payment_form",
        call=call,
        done=lambda p: (
            f"the payment of ${p.amount} was already recorded."
            if p.replayed
            else f"recorded a payment of ${p.amount} ({p.get_method_display().lower()})."
        ),
    )


@require_POST
@staff_page("billing.add_refund")
def refund_record_view(request, pk):
    def call(bill, data):
        return services.refund_record(
            bill=bill, amount=data["amount"], reason=data["reason"], payment=data["payment"], acting_user=request.user
        )

    return _bill_action(
        request,
        pk,
        label="Refund",
        form_class=RefundForm,
        form_name="refund_form",
        form_kwargs=lambda bill: {"bill": bill},
        call=call,
        done=lambda r: f"refunded ${r.amount}.",
    )


@require_POST
@staff_page("billing.change_bill")
def bill_issue_view(request, pk):
    return _bill_action(
        request,
        pk,
        label="Issue",
        call=lambda bill, data: services.bill_issue(bill=bill, acting_user=request.user),
        done=lambda b: f"issued; the total of ${b.total} is final (corrections are adjustments).",
    )


@require_POST
@staff_page("billing.change_bill")
def bill_void_view(request, pk):
    return _bill_action(
        request,
        pk,
        label="Void",
        form_class=VoidForm,
        form_name="void_form",
        call=lambda bill, data: services.bill_void(bill=bill, reason=data["reason"], acting_user=request.user),
        done="voided. The bill is kept with the reason.",
    )


@require_POST
@staff_page("billing.add_billline")
def bill_adjust_view(request, pk):
    def call(bill, data):
        return services.bill_add_adjustment(
            bill=bill,
            amount=data["amount"],
            reason=data["reason"],
            description=data["description"],
            acting_user=request.user,
        )

    return _bill_action(
        request,
        pk,
        label="Adjustment",
        form_class=AdjustmentForm,
        form_name="adjustment_form",
        call=call,
        done=lambda line: f"added an adjustment of ${line.amount}.",
    )


@require_POST
@staff_page("billing.add_claim")
def claim_create_view(request, pk):
    return _bill_action(
        request,
        pk,
        label="Claim",
        call=lambda bill, data: services.claim_create(bill=bill, acting_user=request.user),
        done=lambda c: f"created a draft claim to {c.policy.payer.name}.",
    )


def _claim_action(request, pk, *, label, call, done, form_class=None, form_name=None):
    claim = _staff_claim(request, pk)
    return _bill_action(
        request,
        claim.bill_id,
        label=label,
        form_class=form_class,
        form_name=form_name,
        call=lambda bill, data: call(claim, data),
        done=done,
    )


@require_POST
@staff_page("billing.change_claim")
def claim_submit_view(request, pk):
    return _claim_action(
        request,
        pk,
        label="Claim submission",
        call=lambda claim, data: services.claim_submit(claim=claim, acting_user=request.user),
        done=lambda c: f"claim submitted for ${c.claimed_amount}.",
    )


@require_POST
@staff_page("billing.change_claim")
def claim_review_view(request, pk):
    return _claim_action(
        request,
        pk,
        label="Claim review",
        call=lambda claim, data: services.claim_start_review(claim=claim, acting_user=request.user),
        done="claim in review.",
    )


@require_POST
@staff_page("billing.change_claim")
def claim_adjudicate_view(request, pk):
    def call(claim, data):
        return services.claim_adjudicate(
            claim=claim,
            decision=data["decision"],
            approved_amount=data["approved_amount"],
            reason=data["reason"],
            acting_user=request.user,
        )

    return _claim_action(
        request,
        pk,
        label="Adjudication",
        form_class=AdjudicateForm,
        form_name="adjudicate_form",
        call=call,
        done=lambda c: f"claim {c.get_status_display().lower()}: ${c.approved_amount} approved.",
    )


@require_POST
@staff_page("billing.change_claim")
def claim_mark_paid_view(request, pk):
    return _claim_action(
        request,
        pk,
        label="Claim payment",
        form_class=MarkPaidForm,
        form_name="mark_paid_form",
        call=lambda claim, data: services.claim_mark_paid(
            claim=claim, reference=data["reference"], acting_user=request.user
        ),
        done=lambda c: f"the insurer paid ${c.approved_amount}.",
    )


@require_POST
@staff_page("billing.change_claim")
def claim_resubmit_view(request, pk):
    return _claim_action(
        request,
        pk,
        label="Resubmission",
        form_class=ResubmitForm,
        form_name="resubmit_form",
        call=lambda claim, data: services.claim_resubmit(claim=claim, note=data["note"], acting_user=request.user),
        done=lambda c: f"claim resubmitted for ${c.claimed_amount}.",
    )


@staff_page("billing.view_claim")
def claim_document_view(request, pk):
    """The printable claim form, from the same document the insurers' API serves."""
    claim = _staff_claim(request, pk)
    context = {
        "claim": claim,
        "doc": claim_document(claim, user=request.user),
        "can_view_bill": request.user.has_perm("billing.view_bill"),
    }
    return render(request, "billing/claim_document.html", context)


# --- invoices -------------------------------------------------------------------------------------------------


def _invoice_context(bill):
    return {
        "bill": bill,
        "lines": list(bill.lines.all()),
        "payments": list(bill.payments.all()),
        "refunds": list(bill.refunds.all()),
        "claim": getattr(bill, "claim", None),
    }


def _pdf_response(bill):
    response = HttpResponse(pdf.invoice_pdf(bill), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="invoice-{bill.number}.pdf"'
    return response


@staff_page("billing.view_bill")
def invoice_view(request, pk):
    bill = _staff_bill(request, pk)
    access.note(request, kind=AccessKind.CHART, what="billing.bill", patients=[bill.patient], object_ids=[bill.pk])
    context = {**_invoice_context(bill), "pdf_url": "billing:invoice_pdf", "back_url": bill.get_absolute_url()}
    return render(request, "billing/invoice.html", context)


@staff_page("billing.view_bill")
def invoice_pdf_view(request, pk):
    bill = _staff_bill(request, pk)
    access.note(request, kind=AccessKind.PDF, what="billing.bill", patients=[bill.patient], object_ids=[bill.pk])
    return _pdf_response(bill)


# --- patient portal ---------------------------------------------------------------------------------------------


def _portal_bill(request, pk):
    try:
        return page_selectors.portal_bill(request.user, pk)
    except Bill.DoesNotExist:
        raise Http404 from None


@portal_page
def portal_bills_view(request):
    """The patient's own issued bills and what they still owe."""
    patient = patient_for_user(request.user)
    context = {"patient": patient}
    if patient is not None:
        context.update(
            page=_page(request, page_selectors.portal_bills(request.user), PORTAL_PAGE_SIZE),
            owed=page_selectors.portal_amount_owed(request.user),
        )
    return render(request, "billing/portal_bills.html", context)


@portal_page
def portal_invoice_view(request, pk):
    bill = _portal_bill(request, pk)
    context = {
        **_invoice_context(bill),
        "pdf_url": "billing:portal_invoice_pdf",
        "back_url": "",
        "portal": True,
    }
    return render(request, "billing/invoice.html", context)


@portal_page
def portal_invoice_pdf_view(request, pk):
    return _pdf_response(_portal_bill(request, pk))


# --- insurers: claims to adjudicate (their start page) -----------------------------------------------------------

CLAIMS_PAGE_SIZE = 25


@staff_page("billing.change_claim")
def claims_queue_view(request):
    """Claims waiting for a decision: newly submitted ones first, then those in review, each the oldest first.

    An insurer sees its own payer's claims only (billing.selectors.claim_queryset_for); each row opens the claim
    document; decisions are taken through the API (``POST /api/v1/claims/{id}/adjudicate/``) or, by billing
    staff, on the bill's page."""
    claims = page_selectors.claims_to_adjudicate(user=request.user)
    context = {
        "submitted": queue_page(
            request, claims.filter(status=ClaimStatus.SUBMITTED), CLAIMS_PAGE_SIZE, param="submitted"
        ),
        "in_review": queue_page(
            request, claims.filter(status=ClaimStatus.IN_REVIEW), CLAIMS_PAGE_SIZE, param="in_review"
        ),
        "payer": insurer_payer(request.user),
    }
    return render(request, "billing/claims_queue.html", context)
