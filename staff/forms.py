import datetime

from django import forms
from django.utils import timezone

from hms.forms import BoundedDateField
from staff.models import Department, StaffMember


class RosterFilterForm(forms.Form):
    department = forms.ModelChoiceField(queryset=Department.objects.select_related("hospital").filter(is_active=True))
    week = BoundedDateField(
        required=False, widget=forms.DateInput(attrs={"type": "date"}), help_text="Any day of the week"
    )

    def week_start(self):
        day = self.cleaned_data.get("week") or timezone.localdate()
        return day - datetime.timedelta(days=day.weekday())


class ShiftForm(forms.Form):
    staff_member = forms.ModelChoiceField(queryset=StaffMember.objects.none())
    day = BoundedDateField(widget=forms.DateInput(attrs={"type": "date"}))
    start_time = forms.TimeField(widget=forms.TimeInput(attrs={"type": "time"}))
    end_time = forms.TimeField(
        widget=forms.TimeInput(attrs={"type": "time"}), help_text="An end before the start ends the next day."
    )
    notes = forms.CharField(max_length=200, required=False)

    def __init__(self, *args, department, **kwargs):
        super().__init__(*args, **kwargs)
        self.department = department
        self.fields["staff_member"].queryset = (
            StaffMember.objects.active().filter(hospital=department.hospital).select_related("user")
        )

    def clean(self):
        data = super().clean()
        if {"day", "start_time", "end_time"} <= set(data):
            tz = self.department.hospital.tzinfo
            start = datetime.datetime.combine(data["day"], data["start_time"], tzinfo=tz)
            end_day = data["day"] + datetime.timedelta(days=1 if data["end_time"] <= data["start_time"] else 0)
            end = datetime.datetime.combine(end_day, data["end_time"], tzinfo=tz)
            data["start"], data["end"] = start, end
        return data
