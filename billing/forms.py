"""Forms of the billing pages. They check the shape of the input; billing.services decides and changes."""

import uuid

from django import forms

from billing import page_selectors
from billing.choices import BillStatus, ClaimDecision, PaymentMethod
from hms.forms import BoundedDateField
from patients.forms import DateInput
from scheduling.forms import ListedModelChoiceField
from staff.selectors import active_hospitals


class PlainForm(forms.Form):
    # Several forms share a page (and field names): each gets its own element ids.
    id_prefix = ""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label_suffix", "")
        if self.id_prefix:
            kwargs.setdefault("auto_id", f"id_{self.id_prefix}_%s")
        super().__init__(*args, **kwargs)


def money_field(label="Amount ($)", **kwargs):
    return forms.DecimalField(
        label=label,
        max_digits=12,
        decimal_places=2,
        widget=forms.NumberInput(attrs={"step": "0.01", "inputmode": "decimal"}),
        **kwargs,
    )


class BillFilterForm(PlainForm):
    STATUS_CHOICES = [
        (page_selectors.OUTSTANDING, "Outstanding (balance due)"),
        (page_selectors.ALL, "All bills"),
        *BillStatus.choices,
    ]

    q = forms.CharField(label="Patient (MRN or last name) or bill number", required=False, max_length=100)
    hospital = ListedModelChoiceField(  # read once, for the options, the check and the drafts' hospital names
        queryset=active_hospitals(), required=False, empty_label="All hospitals"
    )
    status = forms.ChoiceField(choices=STATUS_CHOICES, required=False)
    date_from = BoundedDateField(label="Service from", required=False, widget=DateInput())
    date_to = BoundedDateField(label="to", required=False, widget=DateInput())

    def clean(self):
        data = super().clean()
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", "The end date is before the start date.")
        data["status"] = data.get("status") or page_selectors.OUTSTANDING
        return data


class PaymentForm(PlainForm):
    id_prefix = "payment"
    amount = money_field()
    method = forms.ChoiceField(choices=PaymentMethod.choices, initial=PaymentMethod.CARD)
    reference = forms.CharField(
        required=False, max_length=100, help_text="Card slip, transfer or check reference (optional)."
    )
    # A new key each time the form is shown: a double click or a resent form records the payment once.
    idempotency_key = forms.CharField(widget=forms.HiddenInput, required=False, max_length=100)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial["idempotency_key"] = uuid.uuid4().hex


class RefundForm(PlainForm):
    id_prefix = "refund"
    amount = money_field()
    payment = forms.ModelChoiceField(
        queryset=None, required=False, empty_label="Not one payment in particular", label="Payment refunded"
    )
    reason = forms.CharField(max_length=500)

    def __init__(self, *args, bill, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["payment"].queryset = bill.payments.order_by("received_at", "id")
        self.fields["payment"].label_from_instance = lambda p: (
            f"${p.amount} {p.get_method_display()} on {p.received_at:%m/%d/%Y}"
        )


class VoidForm(PlainForm):
    id_prefix = "void"
    reason = forms.CharField(label="Reason for voiding", max_length=500)


class AdjustmentForm(PlainForm):
    id_prefix = "adjustment"
    amount = money_field(help_text="Negative for a discount or write-off, positive for a missed charge.")
    description = forms.CharField(required=False, max_length=300, help_text="Shown on the invoice (optional).")
    reason = forms.CharField(max_length=500)


class AdjudicateForm(PlainForm):
    id_prefix = "adjudicate"
    decision = forms.ChoiceField(choices=ClaimDecision.choices)
    approved_amount = money_field(label="Approved amount ($)", required=False, help_text="Empty: the claimed amount.")
    reason = forms.CharField(required=False, max_length=500, help_text="Needed for partial approvals and denials.")


class MarkPaidForm(PlainForm):
    id_prefix = "mark_paid"
    reference = forms.CharField(required=False, max_length=100, help_text="The insurer's payment reference.")


class ResubmitForm(PlainForm):
    id_prefix = "resubmit"
    note = forms.CharField(label="What changed", max_length=500)
