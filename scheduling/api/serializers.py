"""Scheduling API shapes. Serializers validate input and shape output; every change goes through services."""

from django.utils import timezone
from rest_framework.utils.timezone import valid_datetime

from hms import serializers
from hms.fields import OptionalURLField
from hms.nested import NestedAccessMixin
from patients.models import Patient
from patients.selectors import patient_queryset_for
from scheduling.choices import AppointmentKind
from scheduling.models import Appointment, Availability, Equipment, Room, TimeOff
from staff.models import Hospital, StaffMember


class WallClockDateTimeField(serializers.DateTimeField):
    """Keeps a time given without an offset naive, to be read in the hospital's time zone (not the server's)."""

    def enforce_timezone(self, value):
        if timezone.is_naive(value):
            return value
        return super().enforce_timezone(value)


def localize(value, tz, field="start"):
    """A naive wall-clock time at the hospital as an aware datetime; aware values pass through."""
    if timezone.is_aware(value):
        return value
    aware = value.replace(tzinfo=tz)
    if not valid_datetime(aware):
        raise serializers.ValidationError({field: f"{value:%m/%d/%Y %H:%M} does not exist in {tz.key} (clock change)."})
    return aware


class HospitalTimeMixin:
    """Render an object's datetimes in its hospital's time zone, e.g. 2026-12-01T09:00:00-05:00."""

    def hospital_tz(self, instance):
        return instance.hospital.tzinfo

    def to_representation(self, instance):
        with timezone.override(self.hospital_tz(instance)):
            return super().to_representation(instance)


class AppointmentSerializer(NestedAccessMixin, HospitalTimeMixin, serializers.ModelSerializer):
    """An appointment as read. Its clinical ``reason`` is null for roles that may not read it
    (hms.roles.RESTRICTED_FIELDS)."""

    patient_name = serializers.CharField(source="patient.full_name", read_only=True)
    patient_mrn = serializers.CharField(source="patient.mrn", read_only=True)
    doctor_name = serializers.CharField(source="doctor", read_only=True)
    department = serializers.IntegerField(source="doctor.department_id", read_only=True, allow_null=True)
    department_name = serializers.CharField(source="doctor.department.name", read_only=True, allow_null=True)
    hospital_name = serializers.CharField(source="hospital.name", read_only=True)
    room_name = serializers.CharField(source="room.name", read_only=True, allow_null=True)
    equipment_name = serializers.CharField(source="equipment", read_only=True, allow_null=True)
    booked_by = serializers.CharField(source="booked_by.get_username", read_only=True, allow_null=True)
    telemedicine_url = OptionalURLField(read_only=True, label="Join link")

    class Meta:
        model = Appointment
        fields = [
            "id",
            "patient",
            "patient_name",
            "patient_mrn",
            "doctor",
            "doctor_name",
            "department",
            "department_name",
            "hospital",
            "hospital_name",
            "start",
            "end",
            "kind",
            "reason",
            "room",
            "room_name",
            "equipment",
            "equipment_name",
            "telemedicine_url",
            "status",
            "booked_by",
            "booked_at",
            "checked_in_at",
            "started_at",
            "completed_at",
            "cancelled_at",
            "no_show_at",
            "cancellation_reason",
            "reminder_sent_at",
        ]
        read_only_fields = fields


class AppointmentBookSerializer(serializers.Serializer):
    """POST /appointments/. A start without an offset is read in the doctor's hospital's time zone."""

    patient = serializers.PrimaryKeyRelatedField(
        queryset=Patient.objects.all(),
        error_messages={"does_not_exist": "No such patient, or not one you may book for."},
    )
    doctor = serializers.PrimaryKeyRelatedField(
        queryset=StaffMember.objects.doctors().select_related("hospital", "user"),
        error_messages={"does_not_exist": "No such doctor."},
    )
    start = WallClockDateTimeField()
    kind = serializers.ChoiceField(choices=AppointmentKind.choices, default=AppointmentKind.IN_PERSON)
    reason = serializers.CharField(max_length=500)
    room = serializers.PrimaryKeyRelatedField(
        queryset=Room.objects.all(), required=False, allow_null=True, error_messages={"does_not_exist": "No such room."}
    )
    equipment = serializers.PrimaryKeyRelatedField(
        queryset=Equipment.objects.all(),
        required=False,
        allow_null=True,
        error_messages={"does_not_exist": "No such equipment."},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        if request is not None:
            # A portal patient may book only for themselves: other patients "do not exist" for them.
            self.fields["patient"].queryset = patient_queryset_for(request.user)

    def validate(self, attrs):
        attrs["start"] = localize(attrs["start"], attrs["doctor"].hospital.tzinfo)
        return attrs


class AppointmentRescheduleSerializer(serializers.Serializer):
    start = WallClockDateTimeField(help_text="The new start; without an offset it is read in the hospital's time zone.")


class AppointmentCancelSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=500)


class SlotSerializer(serializers.Serializer):
    start = serializers.DateTimeField()
    end = serializers.DateTimeField()


class AvailabilitySerializer(serializers.ModelSerializer):
    doctor = serializers.PrimaryKeyRelatedField(
        queryset=StaffMember.objects.doctors(),
        required=False,
        help_text="Defaults to yourself when you are a doctor.",
    )
    doctor_name = serializers.CharField(source="doctor", read_only=True)
    hospital = serializers.PrimaryKeyRelatedField(
        queryset=Hospital.objects.all(),
        required=False,
        help_text="Defaults to the doctor's hospital.",
    )
    weekday_display = serializers.CharField(source="get_weekday_display", read_only=True)

    class Meta:
        model = Availability
        fields = [
            "id",
            "doctor",
            "doctor_name",
            "hospital",
            "weekday",
            "weekday_display",
            "start_time",
            "end_time",
            "slot_minutes",
            "valid_from",
            "valid_to",
        ]
        # Cross-row rules (no overlapping windows) are the model's clean(), run by the service.
        validators = []


class TimeOffSerializer(serializers.ModelSerializer):
    doctor = serializers.PrimaryKeyRelatedField(
        queryset=StaffMember.objects.doctors(),
        required=False,
        help_text="Defaults to yourself when you are a doctor.",
    )
    doctor_name = serializers.CharField(source="doctor", read_only=True)

    class Meta:
        model = TimeOff
        fields = ["id", "doctor", "doctor_name", "start", "end", "reason", "is_cancelled"]
        read_only_fields = ["is_cancelled"]

    def validate(self, attrs):
        start = attrs.get("start", getattr(self.instance, "start", None))
        end = attrs.get("end", getattr(self.instance, "end", None))
        if start and end and end <= start:
            raise serializers.ValidationError({"end": "The time off must end after it starts."})
        return attrs


class RoomSerializer(serializers.ModelSerializer):
    hospital_name = serializers.CharField(source="hospital.name", read_only=True)

    class Meta:
        model = Room
        fields = ["id", "hospital", "hospital_name", "name", "kind", "is_active"]
        validators = []  # unique name per hospital: the model's full_clean in the service says it


class EquipmentSerializer(serializers.ModelSerializer):
    class Meta:
        model = Equipment
        fields = ["id", "hospital", "item", "name", "asset_tag", "status"]
