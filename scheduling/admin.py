"""Back office for scheduling. Thin: every change goes through scheduling.services."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.utils import timezone
from simple_history.admin import SimpleHistoryAdmin

from hms.admin import (
    AccessLoggedAdmin,
    ActiveChoicesOnly,
    AuditedAdmin,
    BigTableAdmin,
    BoundedDatesAdmin,
    DateRangeFilter,
    ReadOnlyAdmin,
    RelatedListFilter,
    ServiceSavedAdmin,
)
from hms.exceptions import DomainError
from scheduling import services
from scheduling.models import Appointment, AppointmentDailyCount, Availability, Equipment, Room, TimeOff

BOOKING_FIELDS = ["patient", "doctor", "start", "kind", "reason", "room", "equipment"]
DETAIL_FIELDS = [
    "patient",
    "doctor",
    "hospital",
    "start",
    "end",
    "kind",
    "reason",
    "room",
    "equipment",
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


class AppointmentBookingForm(forms.ModelForm):
    """Adding an appointment in the admin books it through appointment_book (all the rules, one path)."""

    acting_user = None  # set per request by AppointmentAdmin.get_form

    class Meta:
        model = Appointment
        fields = BOOKING_FIELDS
        help_texts = {"start": "Local time at the doctor's hospital, on a free slot of their availability."}

    def clean(self):
        cleaned = super().clean()
        if self.errors:
            return cleaned
        doctor = cleaned["doctor"]
        # The form reads the time on the server's clock; it means the wall clock at the doctor's hospital.
        start = timezone.make_naive(cleaned["start"]).replace(tzinfo=doctor.hospital.tzinfo)
        try:
            self.instance = services.appointment_book(
                acting_user=self.acting_user,
                patient=cleaned["patient"],
                doctor=doctor,
                start=start,
                kind=cleaned["kind"],
                reason=cleaned["reason"],
                room=cleaned.get("room"),
                equipment=cleaned.get("equipment"),
            )
        except DomainError as exc:
            raise ValidationError(exc.message) from exc
        return cleaned


@admin.register(Appointment)
class AppointmentAdmin(AccessLoggedAdmin, BigTableAdmin, BoundedDatesAdmin, SimpleHistoryAdmin):
    audit_patient_field = "patient"  # the read audit (hms.access)
    list_display = ["start", "patient", "doctor", "hospital", "kind", "status", "room"]
    list_filter = [
        ("start", DateRangeFilter),
        "status",
        "kind",
        ("doctor", RelatedListFilter),
        ("doctor__department", RelatedListFilter),
        "doctor__hospital",
    ]
    list_select_related = ["patient", "doctor__user", "hospital", "room"]
    search_fields = ["=patient__mrn", "^patient__last_name"]  # exact MRN or last-name prefix: both indexed
    autocomplete_fields = ["patient", "doctor", "room", "equipment"]
    actions = ["cancel_appointments", "check_in_appointments", "mark_no_show"]
    ordering = ["-start"]

    apply_to_each = AuditedAdmin.apply_to_each  # each selected appointment through the service; refusals as messages

    def has_delete_permission(self, request, obj=None):
        return False  # appointments are cancelled, never deleted

    def get_form(self, request, obj=None, **kwargs):
        if obj is None:
            kwargs["form"] = AppointmentBookingForm
        form = super().get_form(request, obj, **kwargs)
        form.acting_user = request.user
        return form

    def get_fields(self, request, obj=None):
        return BOOKING_FIELDS if obj is None else DETAIL_FIELDS

    def get_readonly_fields(self, request, obj=None):
        # Status changes are the actions (and the API); a booking changes only by rescheduling.
        return [] if obj is None else DETAIL_FIELDS

    def save_model(self, request, obj, form, change):
        # New bookings were saved by appointment_book in the form's clean(); existing ones are read-only.
        return

    @admin.action(description="Cancel selected appointments", permissions=["change"])
    def cancel_appointments(self, request, queryset):
        self.apply_to_each(
            request,
            queryset,
            lambda a: services.appointment_cancel(
                appointment=a, reason="Cancelled by the back office.", acting_user=request.user
            ),
            "{count} appointment(s) cancelled.",
        )

    @admin.action(description="Check in selected appointments", permissions=["change"])
    def check_in_appointments(self, request, queryset):
        self.apply_to_each(
            request,
            queryset,
            lambda a: services.appointment_check_in(appointment=a, acting_user=request.user),
            "{count} appointment(s) checked in.",
        )

    @admin.action(description="Mark selected appointments as no-shows", permissions=["change"])
    def mark_no_show(self, request, queryset):
        self.apply_to_each(
            request,
            queryset,
            lambda a: services.appointment_mark_no_show(appointment=a, acting_user=request.user),
            "{count} appointment(s) marked as no-shows.",
        )


def _form_data(form, fields):
    return {name: form.cleaned_data[name] for name in fields if name in form.cleaned_data}


@admin.register(Availability)
class AvailabilityAdmin(ActiveChoicesOnly, SimpleHistoryAdmin):
    list_display = ["doctor", "hospital", "weekday", "start_time", "end_time", "slot_minutes", "valid_from", "valid_to"]
    list_filter = ["weekday", "hospital", ("doctor__department", RelatedListFilter)]
    list_select_related = ["doctor__user", "hospital"]
    search_fields = ["doctor__user__last_name", "doctor__user__first_name"]
    autocomplete_fields = ["doctor"]
    active_choice_fields = ["hospital"]

    def has_delete_permission(self, request, obj=None):
        return False  # end a window with valid_to

    def save_model(self, request, obj, form, change):
        if change:
            data = _form_data(form, services.AVAILABILITY_FIELDS & set(form.changed_data))
            services.availability_update(availability=obj, acting_user=request.user, **data)
        else:
            data = _form_data(form, services.AVAILABILITY_FIELDS)
            obj.pk = services.availability_create(acting_user=request.user, doctor=obj.doctor, **data).pk


@admin.register(TimeOff)
class TimeOffAdmin(BigTableAdmin, BoundedDatesAdmin, SimpleHistoryAdmin):
    list_display = ["doctor", "start", "end", "reason", "is_cancelled"]
    list_filter = [
        ("start", DateRangeFilter),
        "is_cancelled",
        "doctor__hospital",
        ("doctor__department", RelatedListFilter),
    ]
    list_select_related = ["doctor__user"]
    search_fields = ["^doctor__user__last_name", "reason"]
    autocomplete_fields = ["doctor"]
    readonly_fields = ["is_cancelled"]
    actions = ["withdraw_selected"]

    def has_delete_permission(self, request, obj=None):
        return False  # time off is withdrawn, never deleted

    @admin.action(description="Withdraw selected time off (frees the slots; history keeps it)", permissions=["change"])
    def withdraw_selected(self, request, queryset):
        done = 0
        for time_off in queryset:
            services.time_off_withdraw(time_off=time_off, acting_user=request.user)
            done += 1
        self.message_user(request, f"{done} time off withdrawn.", messages.SUCCESS)

    def save_model(self, request, obj, form, change):
        if change:
            data = _form_data(form, services.TIME_OFF_FIELDS & set(form.changed_data))
            services.time_off_update(time_off=obj, acting_user=request.user, **data)
        else:
            data = _form_data(form, services.TIME_OFF_FIELDS)
            obj.pk = services.time_off_create(acting_user=request.user, doctor=obj.doctor, **data).pk


@admin.register(Room)
class RoomAdmin(ActiveChoicesOnly, SimpleHistoryAdmin):
    list_display = ["name", "hospital", "kind", "is_active"]
    list_filter = ["hospital", "kind", "is_active"]
    list_select_related = ["hospital"]
    search_fields = ["name", "hospital__name", "hospital__code"]
    active_choice_fields = ["hospital"]

    def has_delete_permission(self, request, obj=None):
        return False  # deactivate instead

    def save_model(self, request, obj, form, change):
        if change:
            data = _form_data(form, services.ROOM_FIELDS & set(form.changed_data))
            services.room_update(room=obj, acting_user=request.user, **data)
        else:
            obj.pk = services.room_create(acting_user=request.user, **_form_data(form, services.ROOM_FIELDS)).pk


@admin.register(Equipment)
class EquipmentAdmin(ServiceSavedAdmin):
    list_display = ["name", "asset_tag", "hospital", "status"]
    list_filter = ["status", "hospital"]
    list_select_related = ["hospital"]
    search_fields = ["name", "asset_tag"]
    autocomplete_fields = ["item"]
    save_service = staticmethod(services.equipment_save)


@admin.register(AppointmentDailyCount)
class AppointmentDailyCountAdmin(ReadOnlyAdmin, admin.ModelAdmin):
    """The roll-up (issue 11), read only: ``manage.py rebuild_appointment_rollup`` rebuilds it."""

    list_display = ["day", "hospital", "status", "kind", "lead_bucket", "count"]
    list_filter = ["status", "kind"]
    show_full_result_count = False
