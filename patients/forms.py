"""Forms of the staff patient pages. They validate input; the services in patients.services save it."""

from django import forms
from django.db.models import Q
from django.utils import timezone

from patients.models import (
    INSURANCE_POLICY_FIELDS,
    PATIENT_FIELDS,
    Allergy,
    InsurancePolicy,
    MedicalHistoryEntry,
    Patient,
    Payer,
)
from staff.models import Hospital


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%d")


class FieldsetsMixin:
    """``fieldsets = [(title, [field names])]`` rendered group by group by templates/patients/_fieldsets.html."""

    fieldsets = ()
    required_css_class = "required"

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)

    def grouped_fields(self):
        return [(title, [self[name] for name in names]) for title, names in self.fieldsets]


class PatientSearchForm(forms.Form):
    q = forms.CharField(
        label="Name or MRN",
        max_length=100,
        required=False,
        widget=forms.TextInput(attrs={"type": "search", "placeholder": "e.g. Smith, Jane Smith or 00000125"}),
    )
    inactive = forms.BooleanField(label="Include inactive patients", required=False)

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)


class PatientForm(FieldsetsMixin, forms.ModelForm):
    fieldsets = (
        ("Identity", ["first_name", "last_name", "date_of_birth", "sex"]),
        ("Contact", ["phone", "email", "address_line1", "address_line2", "city", "state", "postal_code"]),
        ("Emergency contact", ["emergency_contact_name", "emergency_contact_relation", "emergency_contact_phone"]),
        ("Care", ["preferred_hospital"]),
    )

    class Meta:
        model = Patient
        fields = list(PATIENT_FIELDS)
        widgets = {"date_of_birth": DateInput()}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Offer active hospitals, and keep the current one of an existing patient even if it closed since.
        hospitals = Q(is_active=True)
        if self.instance.preferred_hospital_id:
            hospitals |= Q(pk=self.instance.preferred_hospital_id)
        self.fields["preferred_hospital"].queryset = Hospital.objects.filter(hospitals)
        self.fields["phone"].widget.attrs.setdefault("placeholder", "(617) 555-0100")
        self.fields["emergency_contact_phone"].widget.attrs.setdefault("placeholder", "(617) 555-0100")

    def service_data(self):
        """The cleaned patient fields, as keyword arguments of patient_register / patient_update."""
        return {name: self.cleaned_data[name] for name in self._meta.fields}


class PatientRegisterForm(PatientForm):
    allow_duplicate = forms.BooleanField(
        label="Register anyway: I checked that this is not the same person",
        required=False,
    )


class AllergyForm(FieldsetsMixin, forms.ModelForm):
    fieldsets = (("Allergy", ["substance", "reaction", "severity", "noted_on"]),)

    class Meta:
        model = Allergy
        fields = ["substance", "reaction", "severity", "noted_on"]
        widgets = {"noted_on": DateInput()}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["noted_on"].widget.attrs["max"] = timezone.localdate().isoformat()  # no day still to come


class MedicalHistoryEntryForm(FieldsetsMixin, forms.ModelForm):
    fieldsets = (("History entry", ["condition", "onset_date", "status", "notes"]),)

    class Meta:
        model = MedicalHistoryEntry
        fields = ["condition", "onset_date", "status", "notes"]
        widgets = {"onset_date": DateInput(), "notes": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["onset_date"].widget.attrs["max"] = timezone.localdate().isoformat()


class InsurancePolicyForm(FieldsetsMixin, forms.ModelForm):
    fieldsets = (("Insurance policy", INSURANCE_POLICY_FIELDS),)

    class Meta:
        model = InsurancePolicy
        fields = list(INSURANCE_POLICY_FIELDS)
        widgets = {"valid_from": DateInput(), "valid_to": DateInput()}
        labels = {"coverage_percent": "Coverage (%)", "copay": "Copay ($)", "is_primary": "Primary policy"}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["payer"].queryset = Payer.objects.active()  # ended contracts are kept, not offered
