"""FilterSets shared by the API and the pages."""

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import django_filters
from django.db.models import Q
from django.utils import timezone

from hms.filters import FilterSet
from scheduling.choices import AppointmentKind, AppointmentStatus, Weekday
from scheduling.models import Appointment, Availability, Room, TimeOff
from staff.choices import US_TIMEZONES


def _local_day_bound(day, lookup):
    """start <lookup> local midnight of ``day``, in the time zone of each appointment's hospital.

    No database time zone tables are needed: one clause per time zone a hospital can have.
    """
    condition = Q()
    for tz_name, _label in US_TIMEZONES:
        midnight = datetime.combine(day, time.min, tzinfo=ZoneInfo(tz_name))
        condition |= Q(hospital__timezone=tz_name, **{f"start__{lookup}": midnight})
    return condition


class AppointmentFilter(FilterSet):
    doctor = django_filters.NumberFilter(field_name="doctor_id")
    patient = django_filters.NumberFilter(field_name="patient_id")
    department = django_filters.NumberFilter(field_name="doctor__department_id")
    hospital = django_filters.NumberFilter(field_name="hospital_id")
    room = django_filters.NumberFilter(field_name="room_id")
    status = django_filters.MultipleChoiceFilter(choices=AppointmentStatus.choices)
    kind = django_filters.ChoiceFilter(choices=AppointmentKind.choices)
    date_from = django_filters.DateFilter(method="filter_date_from", label="On or after this day (hospital's time)")
    date_to = django_filters.DateFilter(method="filter_date_to", label="On or before this day (hospital's time)")
    upcoming = django_filters.BooleanFilter(method="filter_upcoming", label="Only active appointments from now on")

    class Meta:
        model = Appointment
        fields = ["doctor", "patient", "department", "hospital", "room", "status", "kind"]

    def filter_date_from(self, queryset, name, value):
        return queryset.filter(_local_day_bound(value, "gte"))

    def filter_date_to(self, queryset, name, value):
        return queryset.filter(_local_day_bound(value + timedelta(days=1), "lt"))

    def filter_upcoming(self, queryset, name, value):
        if value:
            return queryset.active().filter(start__gte=timezone.now())
        return queryset


class AvailabilityFilter(FilterSet):
    doctor = django_filters.NumberFilter(field_name="doctor_id")
    hospital = django_filters.NumberFilter(field_name="hospital_id")
    weekday = django_filters.ChoiceFilter(choices=Weekday.choices)
    valid_on = django_filters.DateFilter(method="filter_valid_on", label="Valid on this day")

    class Meta:
        model = Availability
        fields = ["doctor", "hospital", "weekday"]

    def filter_valid_on(self, queryset, name, value):
        return queryset.valid_between(value, value)


class TimeOffFilter(FilterSet):
    doctor = django_filters.NumberFilter(field_name="doctor_id")
    date_from = django_filters.DateFilter(method="filter_date_from", label="Ending on or after this day")
    date_to = django_filters.DateFilter(method="filter_date_to", label="Starting on or before this day")

    class Meta:
        model = TimeOff
        fields = ["doctor"]

    # Day bounds in the server's time zone; no database time zone tables needed.
    def filter_date_from(self, queryset, name, value):
        return queryset.filter(end__gt=timezone.make_aware(datetime.combine(value, time.min)))

    def filter_date_to(self, queryset, name, value):
        return queryset.filter(start__lt=timezone.make_aware(datetime.combine(value + timedelta(days=1), time.min)))


class RoomFilter(FilterSet):
    hospital = django_filters.NumberFilter(field_name="hospital_id")
    is_active = django_filters.BooleanFilter()

    class Meta:
        model = Room
        fields = ["hospital", "kind", "is_active"]
