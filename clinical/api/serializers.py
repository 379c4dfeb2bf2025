"""Clinical API shapes. Writes go through the views to clinical.services; nothing here saves.

The lab order shape carries no clinical notes: lab technicians read it.
"""

from drf_spectacular.utils import extend_schema_field

from catalog.models import Item, ItemKind
from clinical import units
from clinical.models import (
    VITALS_LABELS,
    VITALS_RANGES,
    CriticalResultCall,
    Diagnosis,
    LabOrder,
    LabResult,
    LabTest,
    MedicalRecord,
    Prescription,
    Procedure,
    ProcedureCatalog,
    Vitals,
)
from clinical.selectors import record_queryset_for
from clinical.timeline_text import summary as timeline_summary
from hms import serializers
from hms.nested import NestedAccessMixin
from patients.api.serializers import ScopedPatientField
from patients.models import Patient
from scheduling.models import Appointment


class ScopedRecordField(serializers.ScopedRelatedField):
    """A medical record the requesting user may see; any other id is refused like one that does not exist."""

    scope = staticmethod(record_queryset_for)


class RecordChildSerializer(serializers.ModelSerializer):
    """A row that belongs to a medical record (and so to its patient and doctor)."""

    record = ScopedRecordField(queryset=MedicalRecord.objects.all())
    patient = serializers.IntegerField(source="record.patient_id", read_only=True)
    patient_mrn = serializers.CharField(source="record.patient.mrn", read_only=True)


class DiagnosisSerializer(RecordChildSerializer):
    class Meta:
        model = Diagnosis
        fields = [
            "id",
            "record",
            "patient",
            "patient_mrn",
            "code",
            "description",
            "is_primary",
            "added_at",
            "removed_at",
            "removal_reason",
        ]
        read_only_fields = ["description", "added_at", "removed_at", "removal_reason"]
        extra_kwargs = {
            "code": {"help_text": "A billable ICD-10-CM code (see /api/v1/icd10/?search=); the description is set."},
            "is_primary": {"help_text": "The record's first diagnosis is primary; a new primary one demotes it."},
        }


class RecordDiagnosisSerializer(serializers.ModelSerializer):
    class Meta:
        model = Diagnosis
        fields = ["id", "code", "description", "is_primary"]
        read_only_fields = fields


# --- visit: amendments and removed diagnoses (issue 12) ---------------------------------------------


class AmendmentChangeSerializer(serializers.Serializer):
    field = serializers.CharField(help_text="chief_complaint, clinical_notes or outcome.")
    original = serializers.CharField(allow_blank=True, help_text="The text as signed (outcomes by their label).")
    before = serializers.CharField(allow_blank=True, help_text="What this amendment replaced.")
    after = serializers.CharField(allow_blank=True, help_text="What this amendment wrote.")


class RecordAmendmentSerializer(serializers.Serializer):
    """One amendment of a signed record; part of the record (shown to whoever may read the record)."""

    id = serializers.IntegerField(read_only=True)
    amended_at = serializers.DateTimeField(read_only=True)
    author = serializers.IntegerField(source="author_id", read_only=True)
    author_name = serializers.SerializerMethodField()
    reason = serializers.CharField(read_only=True)
    changes = AmendmentChangeSerializer(source="change_list", many=True, read_only=True)

    def get_author_name(self, amendment) -> str:
        return amendment.author.get_full_name() or amendment.author.get_username()


class DiagnosisRemoveSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")


class MedicalRecordSerializer(NestedAccessMixin, serializers.ModelSerializer):
    appointment = serializers.PrimaryKeyRelatedField(queryset=Appointment.objects.all())
    patient_mrn = serializers.CharField(source="patient.mrn", read_only=True)
    patient_name = serializers.CharField(source="patient.full_name", read_only=True)
    doctor_name = serializers.CharField(source="doctor", read_only=True)
    is_signed = serializers.BooleanField(read_only=True)
    diagnoses = RecordDiagnosisSerializer(many=True, read_only=True)
    amendments = RecordAmendmentSerializer(
        many=True, read_only=True, help_text="Every amendment of the signed record, newest first, with the original."
    )

    class Meta:
        model = MedicalRecord
        fields = [
            "id",
            "appointment",
            "patient",
            "patient_mrn",
            "patient_name",
            "doctor",
            "doctor_name",
            "chief_complaint",
            "clinical_notes",
            "outcome",
            "diagnoses",
            "opened_at",
            "is_signed",
            "signed_at",
            "signed_by",
            "amended_at",
            "amended_by",
            "amendment_reason",
            "amendments",
        ]
        read_only_fields = [
            "patient",
            "doctor",
            "opened_at",
            "signed_at",
            "signed_by",
            "amended_at",
            "amended_by",
            "amendment_reason",
        ]


class AmendmentSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=500, help_text="Why the signed record is changed.")
    chief_complaint = serializers.CharField(max_length=500, required=False, allow_blank=True)
    clinical_notes = serializers.CharField(required=False, allow_blank=True)
    outcome = serializers.ChoiceField(choices=MedicalRecord._meta.get_field("outcome").choices, required=False)


class ProcedureSerializer(RecordChildSerializer):
    catalog_entry = serializers.PrimaryKeyRelatedField(queryset=ProcedureCatalog.objects.all())

    class Meta:
        model = Procedure
        fields = [
            "id",
            "record",
            "patient",
            "patient_mrn",
            "catalog_entry",
            "code",
            "description",
            "unit_price",
            "quantity",
            "notes",
            "added_at",
        ]
        read_only_fields = ["code", "description", "unit_price", "added_at"]


class PrescriptionSerializer(RecordChildSerializer):
    medication = serializers.PrimaryKeyRelatedField(queryset=Item.objects.filter(kind=ItemKind.MEDICATION))
    medication_name = serializers.CharField(source="medication", read_only=True)

    class Meta:
        model = Prescription
        fields = [
            "id",
            "record",
            "patient",
            "patient_mrn",
            "medication",
            "medication_name",
            "dose",
            "route",
            "frequency",
            "duration_days",
            "quantity",
            "instructions",
            "status",
            "allergy_override_reason",
            "prescribed_at",
            "cancelled_at",
            "cancellation_reason",
        ]
        read_only_fields = ["status", "prescribed_at", "cancelled_at", "cancellation_reason"]
        extra_kwargs = {
            "allergy_override_reason": {
                "help_text": "Required to prescribe a medication the patient has a recorded allergy to (else 409)."
            }
        }


class CancelSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=500)


class LabResultSerializer(serializers.ModelSerializer):
    is_corrected = serializers.BooleanField(read_only=True, help_text="The value was corrected after it was saved.")

    class Meta:
        model = LabResult
        fields = [
            "id",
            "value",
            "unit",
            "flag",
            "comment",
            "resulted_by",
            "resulted_at",
            "is_corrected",
            "corrected_at",
            "corrected_by",
            "correction_reason",
            "previous_value",
            "previous_flag",
        ]
        read_only_fields = fields


class LabOrderSerializer(NestedAccessMixin, RecordChildSerializer):
    test = serializers.PrimaryKeyRelatedField(queryset=LabTest.objects.all())
    test_name = serializers.CharField(source="test.name", read_only=True)
    reference_range = serializers.CharField(source="test.reference_range", read_only=True)
    result = LabResultSerializer(read_only=True)

    class Meta:
        model = LabOrder
        fields = [
            "id",
            "record",
            "patient",
            "patient_mrn",
            "test",
            "test_name",
            "reference_range",
            "status",
            "ordered_at",
            "collected_at",
            "resulted_at",
            "result",
        ]
        read_only_fields = ["status", "ordered_at", "collected_at", "resulted_at"]


class LabResultEntrySerializer(serializers.Serializer):
    value = serializers.DecimalField(max_digits=12, decimal_places=3)
    comment = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")


class LabResultCorrectionSerializer(serializers.Serializer):
    value = serializers.DecimalField(
        max_digits=12, decimal_places=3, help_text="The corrected value; the flag is recomputed from it."
    )
    reason = serializers.CharField(max_length=500, help_text="Why the saved value was wrong (kept with the result).")


US_DECIMAL = {"type": "string", "format": "decimal", "nullable": True, "example": "98.6"}


def _us(vitals, field, unit):
    """A stored measurement in a US unit, as a decimal string like the stored fields (None when not measured)."""
    value = units.from_stored(field, getattr(vitals, field), unit)
    return None if value is None else str(value)


class VitalsSerializer(serializers.ModelSerializer):
    patient = ScopedPatientField(queryset=Patient.objects.all())
    appointment = serializers.PrimaryKeyRelatedField(
        queryset=Appointment.objects.all(), required=False, allow_null=True
    )
    bmi = serializers.DecimalField(
        max_digits=5,
        decimal_places=1,
        read_only=True,
        allow_null=True,
        help_text="Weight kg / height m², derived (not stored); null unless both were measured.",
    )
    # The stored units (temperature_c, weight_kg, height_cm) are what a client writes; these read-only fields
    # give the same measurements in US units, converted by clinical.units (rounded half up to 0.1).
    temperature_f = serializers.SerializerMethodField(
        help_text="temperature_c in °F (to 0.1; read-only, derived); null when not measured."
    )
    weight_lb = serializers.SerializerMethodField(
        help_text="weight_kg in pounds (to 0.1; read-only, derived); null when not measured."
    )
    height_in = serializers.SerializerMethodField(
        help_text="height_cm in inches (to 0.1; read-only, derived); null when not measured."
    )

    @extend_schema_field(US_DECIMAL)
    def get_temperature_f(self, vitals):
        return _us(vitals, "temperature_c", units.FAHRENHEIT)

    @extend_schema_field(US_DECIMAL)
    def get_weight_lb(self, vitals):
        return _us(vitals, "weight_kg", units.POUND)

    @extend_schema_field(US_DECIMAL)
    def get_height_in(self, vitals):
        return _us(vitals, "height_cm", units.INCH)

    class Meta:
        model = Vitals
        fields = [
            "id",
            "patient",
            "appointment",
            "systolic_bp",
            "diastolic_bp",
            "heart_rate",
            "temperature_c",
            "temperature_f",
            "respiratory_rate",
            "spo2",
            "weight_kg",
            "weight_lb",
            "height_cm",
            "height_in",
            "bmi",
            "recorded_by",
            "recorded_at",
        ]
        read_only_fields = ["recorded_by", "recorded_at"]
        extra_kwargs = {
            field: {"error_messages": {"min_value": message, "max_value": message}}
            for field, message in (
                # DRF %-formats these messages after filling them in: a literal % is written %%.
                (field, f"{VITALS_LABELS[field]} must be between {low} and {high} {unit}.".replace("%", "%%"))
                for field, (low, high, unit) in VITALS_RANGES.items()
            )
        }


class ProcedureCatalogSerializer(serializers.ModelSerializer):
    class Meta:
        model = ProcedureCatalog
        fields = ["id", "code", "description", "price", "is_active"]


class LabTestSerializer(serializers.ModelSerializer):
    class Meta:
        model = LabTest
        fields = [
            "id",
            "code",
            "name",
            "unit",
            "reference_low",
            "reference_high",
            "critical_low",
            "critical_high",
            "physical_min",
            "physical_max",
            "price",
            "is_active",
        ]


class ICD10CodeSerializer(serializers.Serializer):
    code = serializers.CharField()
    description = serializers.CharField()


class TimelineSummaryField(serializers.CharField):
    """The line of text of a timeline event, worded by clinical.timeline_text (the same as on the chart)."""

    def __init__(self, **kwargs):
        super().__init__(source="*", **kwargs)

    def to_representation(self, event):
        return timeline_summary(event)


class HistoryEventSerializer(serializers.Serializer):
    """A clinical.timeline.HistoryEvent."""

    kind = serializers.CharField(help_text="visit, diagnosis, prescription, lab_result, vitals or amendment.")
    at = serializers.DateTimeField()
    id = serializers.IntegerField(help_text="Id of the row of that kind (record, diagnosis, ...).")
    record = serializers.IntegerField(allow_null=True)
    summary = TimelineSummaryField()
    detail = serializers.DictField()


# --- The results inbox and the lab's calls of critical results ------------------------------------------------


class CriticalResultCallSerializer(serializers.ModelSerializer):
    """A call of a critical result by the lab: to whom, when (default now, never in the future), read back."""

    result = serializers.PrimaryKeyRelatedField(
        queryset=LabResult.objects.all(), help_text="The critical lab result phoned through (id)."
    )
    called_at = serializers.DateTimeField(required=False, help_text="When the call was made (default: now).")
    called_by_name = serializers.SerializerMethodField()

    class Meta:
        model = CriticalResultCall
        fields = ["id", "result", "value", "called_to", "called_at", "called_by", "called_by_name",
                  "read_back_confirmed", "notes"]  # fmt: skip
        read_only_fields = ["value", "called_by"]

    def get_called_by_name(self, call) -> str:
        user = call.called_by
        return (user.get_full_name() or user.get_username()) if user else ""


class InboxCallSerializer(serializers.ModelSerializer):
    called_by_name = serializers.SerializerMethodField()

    class Meta:
        model = CriticalResultCall
        fields = ["id", "called_to", "called_at", "called_by_name", "read_back_confirmed", "notes"]
        read_only_fields = fields

    def get_called_by_name(self, call) -> str:
        user = call.called_by
        return (user.get_full_name() or user.get_username()) if user else ""


class ResultsInboxSerializer(NestedAccessMixin, serializers.ModelSerializer):
    """A result in its ordering doctor's inbox, with the lab's call of it (critical results) and its
    acknowledgement."""

    order = serializers.IntegerField(source="order_id", read_only=True)
    record = serializers.IntegerField(source="order.record_id", read_only=True)
    appointment = serializers.IntegerField(source="order.record.appointment_id", read_only=True)
    patient = serializers.IntegerField(source="order.record.patient_id", read_only=True)
    patient_mrn = serializers.CharField(source="order.record.patient.mrn", read_only=True)
    patient_name = serializers.CharField(source="order.record.patient.full_name", read_only=True)
    test = serializers.IntegerField(source="order.test_id", read_only=True)
    test_name = serializers.CharField(source="order.test.name", read_only=True)
    reference_range = serializers.CharField(source="order.test.reference_range", read_only=True)
    is_corrected = serializers.BooleanField(read_only=True)
    call = InboxCallSerializer(source="last_call", read_only=True, allow_null=True)

    class Meta:
        model = LabResult
        fields = [
            "id",
            "order",
            "record",
            "appointment",
            "patient",
            "patient_mrn",
            "patient_name",
            "test",
            "test_name",
            "reference_range",
            "value",
            "unit",
            "flag",
            "comment",
            "resulted_at",
            "is_corrected",
            "corrected_at",
            "correction_reason",
            "previous_value",
            "previous_flag",
            "acknowledged",
            "acknowledged_at",
            "acknowledged_by",
            "call",
        ]
        read_only_fields = fields
