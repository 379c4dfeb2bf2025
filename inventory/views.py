"""Pharmacist pages: the alerts dashboard, the dispensing queue and dispense page, stock by store, receiving,
adjusting, transferring and writing off stock, and the ledger of one batch.

Views check access and shape pages. Reads go through inventory.selectors / page_selectors; every change is one
call of an inventory.services function with ``acting_user``. A refusal (ValidationError or Conflict) becomes a
message on the page (status 400 or 409) and nothing is saved.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from clinical.choices import PrescriptionStatus
from clinical.models import Prescription
from hms.exceptions import DomainError
from hms.pages import add_form_errors, cursor_page, staff_page
from hms.pages import paginate as _page
from hms.pages import refusal_message as _refusal
from hms.pages import refusal_status as _refusal_status
from hms.validators import parse_id
from inventory import page_selectors, services
from inventory.choices import AlertKind
from inventory.forms import (
    AdjustForm,
    AlertFilterForm,
    DispenseForm,
    QueueFilterForm,
    ReceiveForm,
    StockFilterForm,
    StoreFilterForm,
    TransferForm,
    WriteOffForm,
)
from inventory.models import Batch, Store
from inventory.selectors import (
    DEFAULT_ALERT_DAYS,
    fefo_batches,
    inventory_alerts,
    last_dispense,
    prescription_dispense_context,
)

QUEUE_PAGE_SIZE = 25
STOCK_PAGE_SIZE = 50
LEDGER_PAGE_SIZE = 50

# What each page needs. Dispensing shows patients' names and allergies, so it also needs those view permissions.
DASHBOARD = ("inventory.view_stocklevelrule", "inventory.view_batch")
STOCK = ("inventory.view_batch",)
LEDGER = ("inventory.view_batch", "inventory.view_stockmovement")
DISPENSE = (
    "clinical.view_prescription",
    "patients.view_patient",
    "patients.view_allergy",
    "inventory.add_stockmovement",
)
RECEIVE = ("inventory.add_batch", "inventory.add_stockmovement")
MOVE = ("inventory.view_batch", "inventory.add_stockmovement")


# --- helpers ----------------------------------------------------------------------------------------------------


def _with_default_hospital(request, params):
    """Without a hospital in the query the page shows the user's own hospital."""
    if "hospital" not in params:
        hospital = page_selectors.hospital_for(request.user)
        if hospital is not None:
            params["hospital"] = hospital.pk
    return params


# --- dashboard --------------------------------------------------------------------------------------------------


@staff_page(*DASHBOARD)
def dashboard_view(request):
    """Low stock and expiring / expired batches, with counts, for one hospital (the user's by default)."""
    params = _with_default_hospital(request, request.GET.copy())
    params.setdefault("days", DEFAULT_ALERT_DAYS)
    form = AlertFilterForm(params)
    hospital, days = None, DEFAULT_ALERT_DAYS
    if form.is_valid():
        hospital = form.cleaned_data["hospital"]
        days = form.cleaned_data["days"] if form.cleaned_data["days"] is not None else DEFAULT_ALERT_DAYS
    alerts = inventory_alerts(days=days, hospital=hospital)
    context = {
        "form": form,
        "hospital": hospital,
        "days": days,
        "counts": page_selectors.alert_counts(alerts),
        "low_stock": [a for a in alerts if a.kind == AlertKind.LOW_STOCK],
        "expiry": [a for a in alerts if a.kind != AlertKind.LOW_STOCK],
    }
    return render(request, "inventory/dashboard.html", context)


# --- dispensing -------------------------------------------------------------------------------------------------


@staff_page(*DISPENSE)
def queue_view(request):
    """Active prescriptions waiting to be dispensed, oldest first, at the user's hospital by default."""
    form = QueueFilterForm(_with_default_hospital(request, request.GET.copy()))
    hospital, query = None, ""
    if form.is_valid():
        hospital, query = form.cleaned_data["hospital"], form.cleaned_data["q"]
    page = _page(request, page_selectors.dispensing_queue(hospital=hospital, query=query), QUEUE_PAGE_SIZE)
    for prescription in page:
        prescription.dispensed_units = -prescription.ledger_total
        prescription.remaining_units = max(prescription.quantity - prescription.dispensed_units, 0)
    return render(request, "inventory/queue.html", {"form": form, "page": page, "hospital": hospital})


def _dispense_context(prescription, store_pk=None):
    store = None
    if store_pk:
        store = (
            Store.objects.active()
            .select_related("hospital")
            .filter(pk=store_pk, hospital_id=prescription.record.appointment.hospital_id)
            .first()
        )
    return prescription_dispense_context(prescription, store=store)


def _dispensed_before(request):
    """The hidden ``dispensed_before`` of a posted dispense form (units dispensed when it was drawn), or None."""
    raw = request.POST.get("dispensed_before", "").strip()
    return int(raw) if raw.isascii() and raw.isdigit() and len(raw) < 10 else None


def _own_dispense_repeated(request, prescription, code):
    """A refused dispense that repeats the user's own completed one (double click, second tab, reload): answer
    "already dispensed" and go where the first answer went, instead of "not dispensed"."""
    if code not in ("dispensed_since", "not_active"):
        return None
    prescription.refresh_from_db()
    if code == "not_active" and prescription.status != PrescriptionStatus.DISPENSED:
        return None  # cancelled: a real refusal
    last = last_dispense(prescription)
    if last is None or last.created_by_id != request.user.pk:
        return None
    ctx = _dispense_context(prescription)
    when = timezone.localtime(last.created_at).strftime("%-I:%M %p")
    left = f"{ctx.remaining} still to dispense" if ctx.remaining else "the prescription is complete"
    messages.info(
        request,
        f"Already dispensed: you dispensed {prescription.medication.name} to {ctx.patient.full_name} "
        f"at {when}; {left}.",
    )
    if ctx.remaining:
        return redirect("inventory:dispense", pk=prescription.pk)
    return redirect("inventory:queue")


def _dispense_state(prescription, store_pk):
    """What the dispense page shows now: (context, FEFO batches, the form's kwargs, an unbound form drawn now)."""
    ctx = _dispense_context(prescription, store_pk)
    batches = fefo_batches(item=prescription.medication, store=ctx.store) if ctx.store else []
    form_kwargs = {"batches": batches, "proposal": ctx.proposal}
    initial = {"store": ctx.store.pk if ctx.store else None, "dispensed_before": ctx.dispensed}
    return ctx, batches, form_kwargs, DispenseForm(initial=initial, **form_kwargs)


@staff_page(*DISPENSE)
def dispense_view(request, pk):
    """One prescription: the patient's allergies, what is left, and the batches to dispense from (FEFO prefilled)."""
    prescription = get_object_or_404(
        Prescription.objects.select_related(
            "medication", "record__patient", "record__doctor__user", "record__appointment__hospital", "prescribed_by"
        ),
        pk=pk,
    )
    raw_store = request.POST.get("store") if request.method == "POST" else request.GET.get("store")
    ctx, batches, form_kwargs, form = _dispense_state(prescription, parse_id(raw_store))
    status = 200
    seen = _dispensed_before(request) if request.method == "POST" else None
    if seen is not None and seen != ctx.dispensed:  # dispensed further since this form was drawn
        done = _own_dispense_repeated(request, prescription, "dispensed_since")
        if done is not None:
            return done
        message = services.dispensed_since_message(prescription, then=seen, now=ctx.dispensed)
        messages.error(request, f"Not dispensed: {message}")
        status = 409  # and the form drawn afresh above shows what is left now
    elif request.method == "POST":
        form = DispenseForm(request.POST, **form_kwargs)
        if ctx.store is None:
            messages.error(request, "Not dispensed: choose a pharmacy of the hospital where it was prescribed.")
            status = 400
        elif form.is_valid():
            try:
                result = services.prescription_dispense(
                    prescription=prescription,
                    store=ctx.store,
                    batches=form.chosen(),
                    expected_dispensed=form.cleaned_data["dispensed_before"],
                    acting_user=request.user,
                )
            except (DomainError, ValidationError) as exc:
                done = _own_dispense_repeated(request, prescription, getattr(exc, "code", None))
                if done is not None:
                    return done
                messages.error(request, f"Not dispensed: {_refusal(exc)}")
                status = _refusal_status(exc)
                if getattr(exc, "code", None) == "dispensed_since":  # show what is left now, from a fresh form
                    ctx, batches, form_kwargs, form = _dispense_state(prescription, ctx.store.pk)
            else:
                patient = prescription.record.patient
                unit = prescription.medication.unit
                if result.remaining:
                    messages.success(
                        request,
                        f"Dispensed {result.dispensed} {unit}(s) of {prescription.medication.name} to "
                        f"{patient.full_name} (MRN {patient.mrn}); {result.remaining} still to dispense.",
                    )
                    return redirect("inventory:dispense", pk=prescription.pk)
                messages.success(
                    request,
                    f"Dispensed {result.dispensed} {unit}(s) of {prescription.medication.name} to "
                    f"{patient.full_name} (MRN {patient.mrn}); the prescription is complete.",
                )
                return redirect("inventory:queue")
        else:
            messages.error(request, "Not dispensed: please correct the marked fields.")
            status = 400
    matching = {allergy.pk for allergy in ctx.matching_allergies}
    context = {
        "prescription": prescription,
        "patient": ctx.patient,
        "ctx": ctx,
        "allergies": [(allergy, allergy.pk in matching) for allergy in ctx.allergies],
        "form": form,
        "rows": form.rows(),
        "can_dispense": prescription.status == PrescriptionStatus.ACTIVE and ctx.remaining > 0 and bool(batches),
        "today": timezone.localdate(),
    }
    return render(request, "inventory/dispense.html", context, status=status)


# --- stock ------------------------------------------------------------------------------------------------------


@staff_page(*STOCK)
def stock_view(request):
    """Batches by store with on hand, lot and expiry; filter by store, item or text."""
    form = StockFilterForm(request.GET)
    filters = {}
    if form.is_valid():
        filters = {
            "store": form.cleaned_data["store"],
            "item": form.cleaned_data["item"],
            "query": form.cleaned_data["q"],
            "in_stock_only": not form.cleaned_data["include_empty"],
        }
    page = _page(request, page_selectors.stock_batches(**filters), STOCK_PAGE_SIZE)
    context = {"form": form, "page": page, "today": timezone.localdate(), "soon_days": DEFAULT_ALERT_DAYS}
    for batch in page:
        batch.days_left = (batch.expiry_date - context["today"]).days
    return render(request, "inventory/stock.html", context)


@staff_page(*RECEIVE)
def receive_view(request):
    """Receive a delivery into a store: a new batch, or more of a lot already there."""
    status = 200
    store = request.GET.get("store")
    form = ReceiveForm(initial={"store": store} if parse_id(store) else None)
    if request.method == "POST":
        form = ReceiveForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                batch = services.stock_receive(
                    store=data["store"],
                    item=data["item"],
                    lot_number=data["lot_number"],
                    expiry_date=data["expiry_date"],
                    quantity=data["quantity"],
                    unit_cost=data["unit_cost"],
                    supplier=data["supplier"],
                    note=data["note"],
                    acting_user=request.user,
                )
            except (DomainError, ValidationError) as exc:
                add_form_errors(form, exc, shown_elsewhere=True)
                messages.error(request, f"Not received: {_refusal(exc)}")
                status = _refusal_status(exc)
            else:
                messages.success(
                    request,
                    f"Received {data['quantity']} {batch.item.unit}(s) of {batch.item.name} lot {batch.lot_number} "
                    f"into {batch.store.name}.",
                )
                return redirect("inventory:batch", pk=batch.pk)
        else:
            messages.error(request, "Not received: please correct the marked fields.")
            status = 400
    return render(request, "inventory/receive.html", {"form": form}, status=status)


def _get_batch(pk):
    return get_object_or_404(Batch.objects.select_related("item", "store__hospital"), pk=pk)


def _batch_page(request, batch, status=200, **forms):
    user = request.user
    context = {
        "batch": batch,
        "page": cursor_page(request, page_selectors.batch_movements(batch), LEDGER_PAGE_SIZE),
        "today": timezone.localdate(),
        "expired": batch.is_expired(),
    }
    if user.has_perms(MOVE):
        context["adjust_form"] = forms.get("adjust_form") or AdjustForm()
        if not context["expired"] and batch.quantity_on_hand > 0:
            context["transfer_form"] = forms.get("transfer_form") or TransferForm(batch=batch)
    return render(request, "inventory/batch.html", context, status=status)


@staff_page(*LEDGER)
def batch_view(request, pk):
    """One batch: its facts and its ledger of movements, with the adjust and transfer forms."""
    return _batch_page(request, _get_batch(pk))


@require_POST
@staff_page(*MOVE)
def adjust_view(request, pk):
    batch = _get_batch(pk)
    form = AdjustForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Not adjusted: please correct the marked fields.")
        return _batch_page(request, batch, status=400, adjust_form=form)
    try:
        movement = services.stock_adjust(
            batch=batch,
            quantity=form.cleaned_data["quantity"],
            reason=form.cleaned_data["reason"],
            acting_user=request.user,
        )
    except (DomainError, ValidationError) as exc:
        add_form_errors(form, exc, shown_elsewhere=True)
        messages.error(request, f"Not adjusted: {_refusal(exc)}")
        return _batch_page(request, batch, status=_refusal_status(exc), adjust_form=form)
    messages.success(request, f"Adjusted lot {batch.lot_number} by {movement.quantity:+d} {batch.item.unit}(s).")
    return redirect("inventory:batch", pk=batch.pk)


@require_POST
@staff_page(*MOVE)
def transfer_view(request, pk):
    batch = _get_batch(pk)
    form = TransferForm(request.POST, batch=batch)
    if not form.is_valid():
        messages.error(request, "Not transferred: please correct the marked fields.")
        return _batch_page(request, batch, status=400, transfer_form=form)
    data = form.cleaned_data
    try:
        _, incoming = services.stock_transfer(
            batch=batch,
            to_store=data["to_store"],
            quantity=data["quantity"],
            note=data["note"],
            acting_user=request.user,
        )
    except (DomainError, ValidationError) as exc:
        add_form_errors(form, exc, shown_elsewhere=True)
        messages.error(request, f"Not transferred: {_refusal(exc)}")
        return _batch_page(request, batch, status=_refusal_status(exc), transfer_form=form)
    messages.success(
        request,
        f"Transferred {data['quantity']} {batch.item.unit}(s) of lot {batch.lot_number} to {data['to_store'].name}.",
    )
    return redirect("inventory:batch", pk=incoming.batch_id)


@staff_page(*MOVE)
def write_off_view(request):
    """Expired batches that still hold stock, and the button that writes them off (one store or all)."""
    status = 200
    store_filter = StoreFilterForm(request.GET)
    store = store_filter.cleaned_data["store"] if store_filter.is_valid() else None
    form = WriteOffForm(initial={"store": store.pk if store else None})
    if request.method == "POST":
        form = WriteOffForm(request.POST)
        if form.is_valid():
            target = form.cleaned_data["store"]
            try:
                movements = services.stock_write_off_expired(store=target, acting_user=request.user)
            except (DomainError, ValidationError) as exc:
                messages.error(request, f"Nothing written off: {_refusal(exc)}")
                status = _refusal_status(exc)
            else:
                units = -sum(m.quantity for m in movements)
                where = target.name if target else "every store"
                if movements:
                    messages.success(
                        request, f"Wrote off {units} expired unit(s) from {len(movements)} batch(es) in {where}."
                    )
                else:
                    messages.info(request, f"No expired stock to write off in {where}.")
                url = reverse("inventory:write_off")
                return redirect(f"{url}?store={target.pk}" if target else url)
        else:
            messages.error(request, "Nothing written off: please correct the marked fields.")
            status = 400
    batches = page_selectors.expired_batches_with_stock(store=store)
    page = _page(request, batches, STOCK_PAGE_SIZE)
    context = {"store_filter": store_filter, "form": form, "page": page, "store": store}
    return render(request, "inventory/write_off.html", context, status=status)
