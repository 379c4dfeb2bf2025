"""FilterSets shared by the API and the pages."""

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import django_filters
from django.db.models import ExpressionWrapper, F, IntegerField, Q
from django.utils import timezone

from hms.filters import FilterSet
from scheduling.choices import AppointmentKind, AppointmentStatus, EquipmentStatus, Weekday
from scheduling.models import Appointment, Availability, Equipment, Room, TimeOff
from staff.models import Hospital


def _local_day_bound(day, lookup):
    """start <lookup> local midnight of ``day``, in the time zone of each appointment's hospital.

    No database time zone tables are needed, and no join: the hospitals of each time zone are
    read first (a small table), so the appointments are read through the start index in order.
    An outer bound over all time zones keeps the index range tight. The hospital is compared as
    ``hospital_id + 0`` (the ``hospital_key`` alias, see ``_with_hospital_key``) so that MariaDB
    does not read each hospital's range of (hospital, start) and sort the month's rows.
    """
    by_tz = {}
    for hospital_id, tz_name in Hospital.objects.values_list("id", "timezone"):
        by_tz.setdefault(tz_name, []).append(hospital_id)
    condition = Q()
    midnights = []
    for tz_name, hospital_ids in by_tz.items():
        midnight = datetime.combine(day, time.min, tzinfo=ZoneInfo(tz_name))
        midnights.append(midnight)
        condition |= Q(hospital_key__in=hospital_ids, **{f"start__{lookup}": midnight})
    if not midnights:
        return Q(pk__in=[])
    outer = min(midnights) if lookup == "gte" else max(midnights)
    return Q(**{f"start__{lookup}": outer}) & condition


def _with_hospital_key(queryset):
    return queryset.alias(hospital_key=ExpressionWrapper(F("hospital_id") + 0, output_field=IntegerField()))


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
        return _with_hospital_key(queryset).filter(_local_day_bound(value, "gte"))

    def filter_date_to(self, queryset, name, value):
        return _with_hospital_key(queryset).filter(_local_day_bound(value + timedelta(days=1), "lt"))

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


class EquipmentFilterSet(FilterSet):
    hospital = django_filters.NumberFilter(field_name="hospital_id")
    status = django_filters.ChoiceFilter(choices=EquipmentStatus.choices)
    q = django_filters.CharFilter(method="search", label="Name or asset tag contains")

    class Meta:
        model = Equipment
        fields = ["hospital", "status", "q"]

    def search(self, queryset, name, value):
        return queryset.filter(Q(name__icontains=value) | Q(asset_tag__icontains=value))
