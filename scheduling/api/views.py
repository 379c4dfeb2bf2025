"""Scheduling API: appointments and their status actions, availability, time off, rooms, equipment, free slots.

Rows come from scheduling.selectors (a portal patient sees only their own appointments; other
ids answer 404); every change goes through scheduling.services with the requesting user as
``acting_user``, and the services decide who may act (scheduling.policies): a portal patient only
cancels or reschedules (403 for the rest), a doctor changes only their own availability and time off.
Nothing is deleted: appointments are cancelled, windows end, rooms deactivate.
"""

from datetime import timedelta

from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.generics import get_object_or_404
from rest_framework.response import Response
from rest_framework.views import APIView

from hms.pagination import KeysetPagination
from hms.permissions import action_permissions
from hms.validators import parse_bounded_date
from hms.viewsets import ReferenceDataViewSet
from scheduling import policies, services
from scheduling.api.serializers import (
    AppointmentBookSerializer,
    AppointmentCancelSerializer,
    AppointmentRescheduleSerializer,
    AppointmentSerializer,
    AvailabilitySerializer,
    EquipmentSerializer,
    RoomSerializer,
    SlotSerializer,
    TimeOffSerializer,
    localize,
)
from scheduling.filters import AppointmentFilter, AvailabilityFilter, EquipmentFilterSet, RoomFilter, TimeOffFilter
from scheduling.models import Availability, Room, TimeOff
from scheduling.selectors import appointment_queryset_for, doctor_free_slots, equipment_list
from staff.models import StaffMember

MAX_SLOT_DAYS = 31

CHANGE_APPOINTMENT = action_permissions("scheduling.change_appointment")
REFUSALS = {
    400: OpenApiResponse(description="Malformed input; the message says what to fix."),
    409: OpenApiResponse(description="Refused in the current state (taken slot, wrong status ...); nothing changed."),
}


@extend_schema_view(
    list=extend_schema(
        description="Appointments you may see, soonest first. Portal patients see only their own.",
    ),
    create=extend_schema(
        description="Book a free slot. The end comes from the slot length of the doctor's availability window. "
        "A start without an offset is read in the doctor's hospital's time zone.",
        request=AppointmentBookSerializer,
        responses={201: AppointmentSerializer, **REFUSALS},
    ),
)
class AppointmentViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet
):
    audit_patient_field = "patient"  # the read audit (hms.access)
    serializer_class = AppointmentSerializer
    filterset_class = AppointmentFilter
    search_fields = ["=patient__mrn", "^patient__last_name", "^patient__first_name"]
    ordering_fields = ["start"]
    ordering = ["start", "id"]
    pagination_class = KeysetPagination
    required_permissions = None  # set per action by action_permissions(...)

    def get_queryset(self):
        return appointment_queryset_for(self.request.user)

    def get_serializer_class(self):
        return {
            "create": AppointmentBookSerializer,
            "reschedule": AppointmentRescheduleSerializer,
            "cancel": AppointmentCancelSerializer,
        }.get(self.action, AppointmentSerializer)

    def _respond(self, appointment, status_code=status.HTTP_200_OK):
        appointment = self.get_queryset().get(pk=appointment.pk)
        return Response(AppointmentSerializer(appointment, context=self.get_serializer_context()).data, status_code)

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        appointment = services.appointment_book(acting_user=request.user, **serializer.validated_data)
        return self._respond(appointment, status.HTTP_201_CREATED)

    @extend_schema(request=AppointmentCancelSerializer, responses={200: AppointmentSerializer, **REFUSALS})
    @action(detail=True, methods=["post"], **CHANGE_APPOINTMENT)
    def cancel(self, request, pk=None):
        """Cancel a scheduled appointment, with a reason."""
        appointment = self.get_object()
        serializer = AppointmentCancelSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        appointment = services.appointment_cancel(
            appointment=appointment, reason=serializer.validated_data["reason"], acting_user=request.user
        )
        return self._respond(appointment)

    @extend_schema(request=AppointmentRescheduleSerializer, responses={200: AppointmentSerializer, **REFUSALS})
    @action(detail=True, methods=["post"], **CHANGE_APPOINTMENT)
    def reschedule(self, request, pk=None):
        """Move a scheduled appointment to another free slot of the same doctor."""
        appointment = self.get_object()
        serializer = AppointmentRescheduleSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        start = localize(serializer.validated_data["start"], appointment.hospital.tzinfo)
        appointment = services.appointment_reschedule(appointment=appointment, start=start, acting_user=request.user)
        return self._respond(appointment)

    def _status_action(self, service):
        appointment = service(appointment=self.get_object(), acting_user=self.request.user)
        return self._respond(appointment)

    @extend_schema(request=None, responses={200: AppointmentSerializer, **REFUSALS})
    @action(detail=True, methods=["post"], url_path="check-in", **CHANGE_APPOINTMENT)
    def check_in(self, request, pk=None):
        """The patient has arrived: on the appointment's day only (the hospital's time zone), else 409
        `not_appointment_day`."""
        return self._status_action(services.appointment_check_in)

    @extend_schema(request=None, responses={200: AppointmentSerializer, **REFUSALS})
    @action(detail=True, methods=["post"], **CHANGE_APPOINTMENT)
    def start(self, request, pk=None):
        """The doctor starts the visit (the patient must be checked in)."""
        return self._status_action(services.appointment_start)

    @extend_schema(request=None, responses={200: AppointmentSerializer, **REFUSALS})
    @action(detail=True, methods=["post"], **CHANGE_APPOINTMENT)
    def complete(self, request, pk=None):
        """The visit is over; billing creates the bill."""
        return self._status_action(services.appointment_complete)

    @extend_schema(request=None, responses={200: AppointmentSerializer, **REFUSALS})
    @action(detail=True, methods=["post"], url_path="no-show", **CHANGE_APPOINTMENT)
    def no_show(self, request, pk=None):
        """The patient did not come (only once the appointment time has begun)."""
        return self._status_action(services.appointment_mark_no_show)


# --- availability and time off: doctors keep their own, administrators everyone's (scheduling.policies) ----


class DoctorOwnedViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Rows that belong to a doctor: anyone allowed may read; a doctor writes their own, an administrator any
    (the services ask scheduling.policies)."""

    def _doctor_for_create(self, data):
        doctor = data.pop("doctor", None) or policies.own_doctor(self.request.user)
        if doctor is None:
            raise ValidationError({"doctor": ["Choose the doctor."]})
        return doctor

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        doctor = self._doctor_for_create(data)
        serializer.instance = self.create_service(acting_user=self.request.user, doctor=doctor, **data)

    def perform_update(self, serializer):
        data = dict(serializer.validated_data)
        serializer.instance = self.update_service(serializer.instance, self.request.user, data)


class AvailabilityViewSet(DoctorOwnedViewSet):
    """Weekly availability windows. End a window by setting valid_to; windows are not deleted."""

    queryset = Availability.objects.select_related("doctor__user", "hospital")
    serializer_class = AvailabilitySerializer
    filterset_class = AvailabilityFilter
    ordering_fields = ["weekday", "start_time", "valid_from"]

    @staticmethod
    def create_service(**kwargs):
        return services.availability_create(**kwargs)

    @staticmethod
    def update_service(instance, user, data):
        return services.availability_update(availability=instance, acting_user=user, **data)


class TimeOffViewSet(DoctorOwnedViewSet):
    queryset = TimeOff.objects.select_related("doctor__user")
    serializer_class = TimeOffSerializer
    filterset_class = TimeOffFilter
    ordering_fields = ["start"]
    required_permissions = None  # set per action by action_permissions(...)

    @extend_schema(request=None, responses=TimeOffSerializer)
    @action(detail=True, methods=["post"], **action_permissions("scheduling.change_timeoff"))
    def withdraw(self, request, pk=None):
        """Withdraw time off: its slots become bookable again."""
        time_off = self.get_object()
        time_off = services.time_off_withdraw(time_off=time_off, acting_user=request.user)
        return Response(self.get_serializer(time_off).data)

    @staticmethod
    def create_service(**kwargs):
        return services.time_off_create(**kwargs)

    @staticmethod
    def update_service(instance, user, data):
        return services.time_off_update(time_off=instance, acting_user=user, **data)


class RoomViewSet(ReferenceDataViewSet):
    """Rooms of each hospital. Deactivate a room with is_active=false; rooms are not deleted."""

    queryset = Room.objects.select_related("hospital")
    serializer_class = RoomSerializer
    filterset_class = RoomFilter
    search_fields = ["name"]
    ordering_fields = ["name", "kind"]

    def perform_create(self, serializer):
        serializer.instance = services.room_create(acting_user=self.request.user, **serializer.validated_data)

    def perform_update(self, serializer):
        serializer.instance = services.room_update(
            room=serializer.instance, acting_user=self.request.user, **serializer.validated_data
        )


class EquipmentViewSet(ReferenceDataViewSet):
    """Equipment that visits reserve, with asset tag and status. Retire instead of deleting."""

    queryset = equipment_list()
    serializer_class = EquipmentSerializer
    filterset_class = EquipmentFilterSet
    ordering_fields = ["name", "asset_tag", "status"]
    save_service = staticmethod(services.equipment_save)


# --- free slots ---------------------------------------------------------------------------------


def _parse_day(params, name):
    raw = params.get(name)
    if raw in (None, ""):
        return None
    try:
        return parse_bounded_date(raw)
    except DjangoValidationError as exc:
        raise ValidationError({name: exc.messages}) from None


def parse_slot_range(params):
    """(date_from, date_to) from ?date= or ?date_from=&date_to= (inclusive, at most 31 days); 400 otherwise."""
    day = _parse_day(params, "date")
    date_from, date_to = _parse_day(params, "date_from"), _parse_day(params, "date_to")
    if day is not None:
        if date_from or date_to:
            raise ValidationError({"date": ["Give either date, or date_from and date_to, not both."]})
        return day, day
    if date_from is None:
        raise ValidationError({"date": ["Give the day (?date=YYYY-MM-DD) or a range (?date_from=&date_to=)."]})
    date_to = date_to or date_from
    if date_to < date_from:
        raise ValidationError({"date_to": ["date_to must be on or after date_from."]})
    if date_to - date_from >= timedelta(days=MAX_SLOT_DAYS):
        raise ValidationError({"date_to": [f"Ask for at most {MAX_SLOT_DAYS} days at a time."]})
    return date_from, date_to


def slots_response(request_params, doctor):
    """The free slots of ``doctor`` for the days in the query parameters, as [{"start": ISO, "end": ISO}]."""
    date_from, date_to = parse_slot_range(request_params)
    slots = doctor_free_slots(doctor=doctor, date_from=date_from, date_to=date_to)
    return [{"start": start.isoformat(), "end": end.isoformat()} for start, end in slots]


class DoctorSlotsView(APIView):
    """GET /api/v1/doctors/{id}/slots/?date=YYYY-MM-DD (or ?date_from=&date_to=, at most 31 days).

    The doctor's free slots, in the hospital's local time with its UTC offset.
    """

    required_permissions = {
        "GET": ["scheduling.view_availability"],
        "HEAD": ["scheduling.view_availability"],
        "OPTIONS": ["scheduling.view_availability"],
    }

    @extend_schema(
        operation_id="doctors_slots",
        parameters=[
            OpenApiParameter("date", OpenApiTypes.DATE, description="One day."),
            OpenApiParameter("date_from", OpenApiTypes.DATE, description="First day of a range."),
            OpenApiParameter("date_to", OpenApiTypes.DATE, description="Last day of a range (at most 31 days)."),
        ],
        responses={200: SlotSerializer(many=True), 400: OpenApiResponse(description="Bad or too long date range.")},
    )
    def get(self, request, pk):
        doctor = get_object_or_404(StaffMember.objects.doctors().select_related("hospital"), pk=pk)
        return Response(slots_response(request.query_params, doctor))
