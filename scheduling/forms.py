"""Forms of the scheduling pages. They validate input; scheduling.services makes every change.

Slot times travel as ISO 8601 with their UTC offset (the value of the slot's button), so a
booking means the same moment whatever the server's or the browser's time zone.
"""

from django import forms

from hms.forms import BoundedDateField, BoundedDateTimeField
from patients.forms import DateInput
from scheduling import page_selectors
from scheduling.choices import AppointmentKind, AppointmentStatus
from scheduling.models import Availability, Room, TimeOff
from staff.models import Department
from staff.selectors import active_hospitals, clinical_departments


class TimeInput(forms.TimeInput):
    input_type = "time"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%H:%M")


class DateTimeLocalInput(forms.DateTimeInput):
    """A datetime-local input; its value is a wall-clock time in the time zone active while the form is used."""

    input_type = "datetime-local"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%dT%H:%M")


class PlainForm(forms.Form):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)


class _ListedChoiceIterator(forms.models.ModelChoiceIterator):
    """Choices from the field's rows, read once (ModelChoiceIterator runs the query on every pass)."""

    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        for obj in self.field.rows():
            yield self.choice(obj)

    def __len__(self):
        return len(self.field.rows()) + (1 if self.field.empty_label is not None else 0)

    def __bool__(self):
        return self.field.empty_label is not None or bool(self.field.rows())


class ListedModelChoiceField(forms.ModelChoiceField):
    """A ModelChoiceField over a short list (hospitals, departments) that reads its rows once per form: the
    same rows render the options and validate the choice, so a page showing and checking it costs one query."""

    iterator = _ListedChoiceIterator

    def __init__(self, *args, **kwargs):
        self._rows = None
        super().__init__(*args, **kwargs)

    def __deepcopy__(self, memo):
        result = super().__deepcopy__(memo)
        result._rows = None
        return result

    def _set_queryset(self, queryset):
        self._rows = None
        super()._set_queryset(queryset)

    queryset = property(forms.ModelChoiceField._get_queryset, _set_queryset)

    def rows(self):
        if self._rows is None:
            self._rows = list(self.queryset)
        return self._rows

    def to_python_or_none(self, value):
        """The row chosen by ``value``, or None when it names none (before the form is cleaned)."""
        try:
            return self.to_python(value)
        except forms.ValidationError:
            return None

    def to_python(self, value):
        if value in self.empty_values:
            return None
        key = self.to_field_name or "pk"
        if isinstance(value, self.queryset.model):
            value = getattr(value, key)
        for obj in self.rows():
            if str(getattr(obj, key)) == str(value):
                return obj
        raise forms.ValidationError(
            self.error_messages["invalid_choice"], code="invalid_choice", params={"value": value}
        )


class DoctorChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        where = obj.department.name if obj.department_id else obj.hospital.name
        return f"{obj} · {where}, {obj.hospital.code}"


class DepartmentChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.name} · {obj.hospital.name}"


class ListedDepartmentChoiceField(ListedModelChoiceField, DepartmentChoiceField):
    pass


# --- filters (GET) --------------------------------------------------------------------------------


class ClinicalDepartmentChoiceField(ListedModelChoiceField):
    def label_from_instance(self, obj):
        return obj.name


class BoardFilterForm(PlainForm):
    """The board's day: a hospital, one of its clinical departments (or all of them), a day and a status.

    The department picker offers only the clinical departments (staff.selectors.clinical_departments) of the
    hospital chosen; each list is read once per request, for the options and for checking the choice."""

    hospital = ListedModelChoiceField(queryset=active_hospitals(), empty_label=None)
    department = ClinicalDepartmentChoiceField(
        queryset=Department.objects.none(), required=False, empty_label="All clinical departments"
    )
    date = BoundedDateField(label="Day", required=False, widget=DateInput())
    status = forms.ChoiceField(choices=[("", "Any status"), *AppointmentStatus.choices], required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        hospital = self.fields["hospital"].to_python_or_none(self.data.get("hospital"))
        self.fields["department"].queryset = clinical_departments(hospital)

    def clean(self):
        data = super().clean()
        hospital, department = data.get("hospital"), data.get("department")
        if hospital and department and department.hospital_id != hospital.pk:
            self.add_error(
                "department", f"{department.name} belongs to {department.hospital.name}, not {hospital.name}."
            )
        return data


class PatientPickForm(PlainForm):
    q = forms.CharField(
        label="Find the patient (name or MRN)",
        max_length=100,
        required=False,
        widget=forms.TextInput(attrs={"type": "search", "placeholder": "e.g. Smith, Jane Smith or 00000125"}),
    )


class SlotSearchForm(PlainForm):
    """Department (optional), doctor and day whose free slots to show."""

    department = DepartmentChoiceField(
        queryset=page_selectors.active_departments(), required=False, empty_label="Any department"
    )
    doctor = DoctorChoiceField(
        queryset=page_selectors.bookable_doctors(), required=False, empty_label="Choose a doctor"
    )
    date = BoundedDateField(label="Day", required=False, widget=DateInput())

    def __init__(self, *args, with_department=True, **kwargs):
        super().__init__(*args, **kwargs)
        if not with_department:
            del self.fields["department"]
            return
        department = None
        if self.is_bound and self.data.get("department"):
            try:
                department = self.fields["department"].clean(self.data.get("department"))
            except forms.ValidationError:
                department = None
        if department is not None:
            self.fields["doctor"].queryset = page_selectors.bookable_doctors(department=department)
            self.fields["doctor"].empty_label = f"Choose a doctor of {department.name}"

    def clean(self):
        data = super().clean()
        department, doctor = data.get("department"), data.get("doctor")
        if department and doctor and doctor.department_id != department.pk:
            self.add_error("doctor", f"{doctor} is not in {department.name}.")
        return data


class DayForm(PlainForm):
    date = BoundedDateField(label="Day", required=False, widget=DateInput())


class DoctorPickForm(PlainForm):
    """For administrators: whose schedule, availability or time off to show."""

    doctor = DoctorChoiceField(queryset=page_selectors.doctor_queryset(), required=False, empty_label="Choose a doctor")


class ScheduleFilterForm(PlainForm):
    view = forms.ChoiceField(choices=[("today", "Today"), ("week", "Week")], required=False)
    date = BoundedDateField(label="Day", required=False, widget=DateInput())


# --- actions (POST) -------------------------------------------------------------------------------


class SlotBookingForm(PlainForm):
    """What a slot's button posts: the doctor, the slot's start, the reason and the kind of visit."""

    doctor = forms.ModelChoiceField(queryset=page_selectors.doctor_queryset(), widget=forms.HiddenInput)
    start = BoundedDateTimeField(widget=forms.HiddenInput, error_messages={"required": "Choose one of the free slots."})
    reason = forms.CharField(
        label="Reason for the visit",
        max_length=500,
        error_messages={"required": "Give the reason for the visit."},
        widget=forms.TextInput(attrs={"placeholder": "e.g. Follow-up of blood pressure"}),
    )
    kind = forms.ChoiceField(label="Kind of visit", choices=AppointmentKind.choices, initial=AppointmentKind.IN_PERSON)


class StaffBookingForm(SlotBookingForm):
    """The receptionist's booking: also the patient and, for an in-person visit, a room of the doctor's hospital."""

    patient = forms.IntegerField(widget=forms.HiddenInput, error_messages={"required": "Choose the patient first."})
    room = forms.ModelChoiceField(queryset=Room.objects.none(), required=False, empty_label="No room yet")

    field_order = ["patient", "doctor", "start", "reason", "kind", "room"]

    def __init__(self, *args, doctor=None, patients=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.patients = patients
        if doctor is not None:
            self.fields["room"].queryset = Room.objects.filter(hospital=doctor.hospital, is_active=True).order_by(
                "name"
            )

    def clean_patient(self):
        pk = self.cleaned_data["patient"]
        patient = self.patients.filter(pk=pk).first() if self.patients is not None else None
        if patient is None:
            raise forms.ValidationError("This patient does not exist. Search for the patient again.")
        return patient

    def clean(self):
        data = super().clean()
        if data.get("kind") == AppointmentKind.TELEMEDICINE and data.get("room"):
            self.add_error("room", "A telemedicine visit has a join link, not a room.")
        return data


class CancelForm(PlainForm):
    reason = forms.CharField(
        label="Reason for the cancellation",
        max_length=500,
        error_messages={"required": "Give a reason for the cancellation."},
    )


class RescheduleForm(PlainForm):
    start = BoundedDateTimeField(widget=forms.HiddenInput, error_messages={"required": "Choose one of the free slots."})


class DoctorOwnedForm(forms.ModelForm):
    """A doctor's availability window or time off; the doctor is set by the page, never posted."""

    def __init__(self, *args, doctor, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        self.instance.doctor = doctor  # lets the model's clean() check overlaps while the form validates


class AvailabilityForm(DoctorOwnedForm):
    class Meta:
        model = Availability
        fields = ["hospital", "weekday", "start_time", "end_time", "slot_minutes", "valid_from", "valid_to"]
        widgets = {
            "start_time": TimeInput(),
            "end_time": TimeInput(),
            "valid_from": DateInput(),
            "valid_to": DateInput(),
        }
        labels = {"valid_from": "First day", "valid_to": "Last day"}

    def __init__(self, *args, doctor, **kwargs):
        super().__init__(*args, doctor=doctor, **kwargs)
        self.fields["hospital"].queryset = active_hospitals()
        self.fields["hospital"].initial = doctor.hospital_id
        self.fields["valid_to"].help_text = "Leave empty for no end date."


class EndWindowForm(PlainForm):
    valid_to = BoundedDateField(label="Last day", widget=DateInput())


class TimeOffForm(DoctorOwnedForm):
    class Meta:
        model = TimeOff
        fields = ["start", "end", "reason"]
        widgets = {"start": DateTimeLocalInput(), "end": DateTimeLocalInput()}
        labels = {"start": "From", "end": "Until"}
        help_texts = {"start": "The hospital's local time.", "end": "The hospital's local time."}
