"""Forms of the clinical pages. They type and check input; clinical.services decides and saves."""

from django import forms
from django.core.exceptions import ValidationError

from clinical import page_selectors, units
from clinical.choices import LabOrderStatus, PrescriptionRoute, TreatmentOutcome
from clinical.models import VITALS_LABELS
from hms.forms import BoundedDateTimeField
from patients.forms import FieldsetsMixin
from scheduling.forms import ClinicalDepartmentChoiceField
from staff.models import Department

TO_CALL = "to_call"  # the lab worklist's queue of critical results to phone through


class VisitPageForm(FieldsetsMixin, forms.Form):
    """A form of the visit page, which shows several at once: each names its inputs' HTML ids after itself
    (``id_prescription_quantity``, ``id_procedure_quantity``) so no two inputs share an id. Field names, and so
    what the page posts, are unchanged."""

    id_prefix = ""

    def __init__(self, *args, **kwargs):
        if self.id_prefix:
            kwargs.setdefault("auto_id", f"id_{self.id_prefix}_%s")
        super().__init__(*args, **kwargs)


class NotesForm(FieldsetsMixin, forms.Form):
    chief_complaint = forms.CharField(label="Chief complaint", max_length=500, required=False)
    clinical_notes = forms.CharField(label="Clinical notes", required=False, widget=forms.Textarea(attrs={"rows": 6}))
    outcome = forms.ChoiceField(
        label="Treatment outcome", required=False, choices=[("", "—")] + list(TreatmentOutcome.choices)
    )


class ICD10SearchForm(forms.Form):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)

    icd = forms.CharField(
        label="Search ICD-10-CM",
        max_length=100,
        required=False,
        widget=forms.TextInput(
            attrs={"type": "search", "placeholder": "e.g. E11, afib or diabetes type 2", "autocomplete": "off"}
        ),
    )
    icd_limit = forms.IntegerField(required=False, min_value=1, max_value=500, widget=forms.HiddenInput)


class DiagnosisForm(VisitPageForm):
    id_prefix = "diagnosis"

    code = forms.CharField(label="ICD-10-CM code", max_length=10, help_text="A billable code, e.g. E11.9.")
    is_primary = forms.BooleanField(label="Primary diagnosis", required=False)


class ProcedureForm(VisitPageForm):
    id_prefix = "procedure"

    catalog_entry = forms.ModelChoiceField(label="Procedure", queryset=None)
    quantity = forms.IntegerField(min_value=1, max_value=100, initial=1)
    notes = forms.CharField(required=False, max_length=1000)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["catalog_entry"].queryset = page_selectors.procedure_choices()


class PrescriptionForm(VisitPageForm):
    id_prefix = "prescription"

    medication = forms.ModelChoiceField(queryset=None)
    dose = forms.CharField(max_length=100, help_text="e.g. 500 mg, 1 tablet.")
    route = forms.ChoiceField(choices=PrescriptionRoute.choices, initial=PrescriptionRoute.ORAL)
    frequency = forms.CharField(max_length=100, help_text="e.g. twice daily.")
    duration_days = forms.IntegerField(label="Duration (days)", min_value=1, max_value=365)
    quantity = forms.IntegerField(label="Quantity to dispense", min_value=1)
    instructions = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))
    allergy_override_reason = forms.CharField(
        label="Allergy override reason",
        max_length=500,
        required=False,
        help_text="Only when the patient has a recorded allergy to this medication: why it is prescribed anyway.",
    )

    def __init__(self, *args, show_override=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["medication"].queryset = page_selectors.medication_choices()
        if not show_override:
            self.fields["allergy_override_reason"].widget = forms.HiddenInput()

    def service_data(self):
        return dict(self.cleaned_data)


class LabOrderForm(VisitPageForm):
    id_prefix = "lab_order"

    test = forms.ModelChoiceField(label="Lab test", queryset=None)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["test"].queryset = page_selectors.lab_test_choices()


def _unit_picker(label, measurement, initial):
    """The unit a vitals value is typed in (clinical.units), beside its number."""
    return forms.ChoiceField(
        label=label,
        required=False,
        widget=forms.Select(attrs={"aria-label": label}),
        choices=units.UNITS[measurement][1],
        initial=initial,
    )


class VitalsForm(FieldsetsMixin, forms.Form):
    """The measurements. Temperature, weight and height are typed in either unit (°F or °C, lb or kg, in or cm;
    °F, lb and in first) and converted to the stored units by clinical.units; a value outside the plausible range
    is refused in the unit typed. The service (and the database) check the stored values again."""

    systolic_bp = forms.IntegerField(label="Systolic BP (mmHg)", required=False)
    diastolic_bp = forms.IntegerField(label="Diastolic BP (mmHg)", required=False)
    heart_rate = forms.IntegerField(label="Heart rate (/min)", required=False)
    temperature = forms.DecimalField(label="Temperature", required=False, max_digits=4, decimal_places=1)
    temperature_unit = _unit_picker("Temperature unit", "temperature_c", units.FAHRENHEIT)
    respiratory_rate = forms.IntegerField(label="Respiratory rate (/min)", required=False)
    spo2 = forms.IntegerField(label="SpO2 (%)", required=False)
    weight = forms.DecimalField(label="Weight", required=False, max_digits=6, decimal_places=2)
    weight_unit = _unit_picker("Weight unit", "weight_kg", units.POUND)
    height = forms.DecimalField(label="Height", required=False, max_digits=4, decimal_places=1)
    height_unit = _unit_picker("Height unit", "height_cm", units.INCH)

    # typed field -> the stored measurement it becomes (its unit picker is "<typed field>_unit")
    CONVERTED = {"temperature": "temperature_c", "weight": "weight_kg", "height": "height_cm"}

    fieldsets = [
        ("Circulation", ["systolic_bp", "diastolic_bp", "heart_rate"]),
        ("Breathing and temperature", ["respiratory_rate", "spo2", "temperature"]),
        ("Body", ["weight", "height"]),
    ]

    def clean(self):
        data = super().clean()
        for typed, stored in self.CONVERTED.items():
            value = data.get(typed)
            if value is None:
                continue
            unit = data.get(f"{typed}_unit") or units.UNITS[stored][2]  # no unit sent: the one the form offers
            try:
                data[stored] = units.check_range(stored, value, unit)
            except ValidationError as exc:
                self.add_error(typed, exc)
        return data

    def measurement_groups(self):
        """[(title, [(field, its unit picker or None)])] for templates/clinical/vitals.html."""
        return [
            (title, [(self[name], self[f"{name}_unit"] if name in self.CONVERTED else None) for name in names])
            for title, names in self.fieldsets
        ]

    def measurements(self):
        return {name: value for name, value in self.cleaned_data.items() if name in VITALS_LABELS}


class LabResultForm(FieldsetsMixin, forms.Form):
    value = forms.DecimalField(max_digits=12, decimal_places=3)
    comment = forms.CharField(required=False, max_length=500)


class LabResultCorrectionForm(FieldsetsMixin, forms.Form):
    value = forms.DecimalField(label="Corrected value", max_digits=12, decimal_places=3)
    reason = forms.CharField(
        label="Reason for the correction", max_length=500, help_text="Why the saved value was wrong, e.g. wrong sample."
    )


class WorklistFilterForm(forms.Form):
    status = forms.ChoiceField(
        required=False,
        choices=[
            ("", "Pending (ordered or collected)"),
            (LabOrderStatus.ORDERED, "Ordered (to collect)"),
            (LabOrderStatus.COLLECTED, "Collected (to result)"),
            (LabOrderStatus.RESULTED, "Resulted"),
            (TO_CALL, "To call (critical results not yet phoned through)"),
        ],
    )


# --- visit: amendments, removing a diagnosis, cancelling a prescription (issue 12) -------------------------


class AmendmentForm(VisitPageForm):
    """Amend a signed record: what it should say now, and why. Fields left as they are are not changes."""

    id_prefix = "amend"

    chief_complaint = forms.CharField(label="Chief complaint", max_length=500, required=False)
    clinical_notes = forms.CharField(label="Clinical notes", required=False, widget=forms.Textarea(attrs={"rows": 6}))
    outcome = forms.ChoiceField(
        label="Treatment outcome", required=False, choices=[("", "—")] + list(TreatmentOutcome.choices)
    )
    reason = forms.CharField(
        label="Reason for the amendment",
        max_length=500,
        help_text="Why the signed record changes, e.g. a late lab result. Kept with the amendment.",
    )

    def changes(self):
        return {name: self.cleaned_data[name] for name in ("chief_complaint", "clinical_notes", "outcome")}


class DiagnosisRemoveForm(forms.Form):
    reason = forms.CharField(label="Reason (optional)", max_length=500, required=False)


class PrescriptionCancelForm(forms.Form):
    reason = forms.CharField(label="Reason for cancelling", max_length=500)


class VitalsQueueForm(forms.Form):
    """The nurse's queue: one clinical department of the hospital, or all of them (the default)."""

    department = ClinicalDepartmentChoiceField(
        queryset=Department.objects.none(), required=False, empty_label="All clinical departments", label="Department"
    )

    def __init__(self, *args, departments, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        self.fields["department"].queryset = departments


# --- The results inbox and the lab's calls of critical results ----------------------------------------------


class CriticalResultCallForm(FieldsetsMixin, forms.Form):
    called_to = forms.CharField(
        label="Called to",
        max_length=200,
        help_text="Who took the call: name and role, e.g. Dr. Chen (ordering doctor) or RN Park.",
    )
    called_at = BoundedDateTimeField(
        label="Time of the call",
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M"],
        help_text="Leave empty for now. Not in the future.",
    )
    read_back_confirmed = forms.BooleanField(label="Read back confirmed", required=False)
    notes = forms.CharField(required=False, max_length=1000, widget=forms.Textarea(attrs={"rows": 2}))
