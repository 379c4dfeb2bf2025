"""FilterSets for staff reference data and the staff directory, shared by the API and pages."""

import django_filters

from hms.filters import FilterSet
from staff.models import Department, Hospital, StaffMember


class HospitalFilterSet(FilterSet):
    class Meta:
        model = Hospital
        fields = ["state", "is_active"]


class DepartmentFilterSet(FilterSet):
    class Meta:
        model = Department
        fields = ["hospital", "is_active"]


class StaffMemberFilterSet(FilterSet):
    class Meta:
        model = StaffMember
        fields = ["hospital", "department", "role", "is_active"]


class DoctorFilterSet(FilterSet):
    specialty = django_filters.CharFilter(lookup_expr="iexact", help_text="Exact specialty, any letter case.")

    class Meta:
        model = StaffMember
        fields = ["hospital", "department", "specialty"]
