"""Forms of the pharmacist pages. They validate input; inventory.services makes every change."""

from django import forms

from hms.forms import BoundedDateField
from inventory import page_selectors
from inventory.selectors import DEFAULT_ALERT_DAYS
from patients.forms import DateInput
from staff.selectors import active_hospitals


class PlainForm(forms.Form):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)


class StoreChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.name} · {obj.hospital.name}"


# --- filters (GET) --------------------------------------------------------------------------------------


class AlertFilterForm(PlainForm):
    hospital = forms.ModelChoiceField(
        queryset=active_hospitals(), required=False, empty_label="All hospitals"
    )
    days = forms.IntegerField(
        label="Expiring within (days)", min_value=0, max_value=365, required=False, initial=DEFAULT_ALERT_DAYS
    )


class QueueFilterForm(PlainForm):
    hospital = forms.ModelChoiceField(
        queryset=active_hospitals(), required=False, empty_label="All hospitals"
    )
    q = forms.CharField(label="Patient, MRN or drug", required=False, max_length=100)


class StockFilterForm(PlainForm):
    store = StoreChoiceField(queryset=page_selectors.active_stores(), required=False, empty_label="All stores")
    item = forms.ModelChoiceField(queryset=page_selectors.stockable_items(), required=False, empty_label="All items")
    q = forms.CharField(label="Lot, item name or code", required=False, max_length=100)
    include_empty = forms.BooleanField(label="Show empty batches", required=False)


class StoreFilterForm(PlainForm):
    store = StoreChoiceField(queryset=page_selectors.active_stores(), required=False, empty_label="All stores")


# --- actions (POST) -------------------------------------------------------------------------------------


class DispenseForm(PlainForm):
    """One whole-number field per usable batch (``units_<batch pk>``), prefilled with the FEFO proposal."""

    store = forms.IntegerField(widget=forms.HiddenInput)
    # Units dispensed when the page was drawn: a repeat of the form (double click, second tab) is then recognised.
    dispensed_before = forms.IntegerField(required=False, min_value=0, widget=forms.HiddenInput)

    def __init__(self, *args, batches=(), proposal=(), **kwargs):
        super().__init__(*args, **kwargs)
        proposed = {batch.pk: units for batch, units in proposal}
        self.batches = list(batches)
        for batch in self.batches:
            self.fields[f"units_{batch.pk}"] = forms.IntegerField(
                label=f"Units from lot {batch.lot_number}",
                min_value=0,
                required=False,
                initial=proposed.get(batch.pk, 0),
                widget=forms.NumberInput(attrs={"class": "units", "min": 0, "max": batch.quantity_on_hand}),
            )

    def rows(self):
        """[(batch, bound field)] in the order of the batches (first expiry first)."""
        return [(batch, self[f"units_{batch.pk}"]) for batch in self.batches]

    def chosen(self):
        """[(batch, units)] of the batches given at least one unit."""
        units = {batch.pk: self.cleaned_data.get(f"units_{batch.pk}") or 0 for batch in self.batches}
        return [(batch, units[batch.pk]) for batch in self.batches if units[batch.pk]]

    def clean(self):
        data = super().clean()
        if not self.errors and not self.chosen():
            raise forms.ValidationError("Enter the units to dispense from at least one batch.")
        return data


class ReceiveForm(PlainForm):
    store = StoreChoiceField(queryset=page_selectors.active_stores())
    item = forms.ModelChoiceField(queryset=page_selectors.stockable_items())
    lot_number = forms.CharField(max_length=50, help_text="As printed on the delivery.")
    expiry_date = BoundedDateField(widget=DateInput())
    quantity = forms.IntegerField(min_value=1, help_text="Whole units of the item (tablets, vials, boxes).")
    unit_cost = forms.DecimalField(max_digits=12, decimal_places=2, min_value=0, initial=0, label="Unit cost ($)")
    supplier = forms.CharField(max_length=200, required=False)
    note = forms.CharField(max_length=500, required=False)


class AdjustForm(PlainForm):
    quantity = forms.IntegerField(
        label="Units to add (+) or remove (−)", help_text="e.g. -2 for two broken vials, 5 for a count found higher."
    )
    reason = forms.CharField(max_length=500)

    def clean_quantity(self):
        quantity = self.cleaned_data["quantity"]
        if quantity == 0:
            raise forms.ValidationError("Enter a number of units other than 0.")
        return quantity


class TransferForm(PlainForm):
    to_store = StoreChoiceField(queryset=page_selectors.active_stores(), label="To store")
    quantity = forms.IntegerField(min_value=1)
    note = forms.CharField(max_length=500, required=False)

    def __init__(self, *args, batch=None, **kwargs):
        super().__init__(*args, **kwargs)
        if batch is not None:
            self.fields["to_store"].queryset = page_selectors.active_stores().exclude(pk=batch.store_id)
            self.fields["quantity"].widget.attrs["max"] = batch.quantity_on_hand


class WriteOffForm(PlainForm):
    store = StoreChoiceField(
        queryset=page_selectors.active_stores(),
        required=False,
        empty_label="Every store",
        help_text="Leave empty to write off expired stock in every store.",
    )
