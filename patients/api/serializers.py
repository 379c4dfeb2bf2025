"""Patients API: shapes of patients and their chart basics. Writes go through the views to patients.services."""

from hms import serializers
from hms.fields import OptionalEmailField
from hms.nested import NestedAccessMixin
from patients.choices import BreakGlassOutcome, ConsentKind
from patients.models import (
    INSURANCE_POLICY_FIELDS,
    PATIENT_FIELDS,
    Allergy,
    BreakGlassGrant,
    Consent,
    InsurancePolicy,
    MedicalHistoryEntry,
    Patient,
    Payer,
)
from patients.policies import may_read_chart
from patients.selectors import patient_queryset_for
from staff.api.serializers import zip_code_validator

ALLERGY_FIELDS = ["id", "substance", "reaction", "severity", "noted_on", "is_active", "recorded_at"]
HISTORY_FIELDS = ["id", "condition", "onset_date", "status", "notes", "recorded_at"]
POLICY_FIELDS = ["id", *INSURANCE_POLICY_FIELDS, "payer_name", "is_active"]


class ScopedPatientField(serializers.ScopedRelatedField):
    """A patient id the requesting user may see; any other id is refused like one that does not exist."""

    scope = staticmethod(patient_queryset_for)


class ChartRowSerializer(serializers.ModelSerializer):
    """A row of a patient's chart. It belongs to one patient for good (patients.services refuses a move)."""

    patient = ScopedPatientField(queryset=Patient.objects.all())
    patient_mrn = serializers.CharField(source="patient.mrn", read_only=True)


class AllergySerializer(ChartRowSerializer):
    class Meta:
        model = Allergy
        fields = ["patient", "patient_mrn", *ALLERGY_FIELDS]
        read_only_fields = ["recorded_at"]


class MedicalHistoryEntrySerializer(ChartRowSerializer):
    class Meta:
        model = MedicalHistoryEntry
        fields = ["patient", "patient_mrn", *HISTORY_FIELDS]
        read_only_fields = ["recorded_at"]


class ActivePayerField(serializers.PrimaryKeyRelatedField):
    """A payer id; only active payers can be chosen for a new or changed policy."""

    def get_queryset(self):
        return Payer.objects.active()


class InsurancePolicySerializer(ChartRowSerializer):
    payer = ActivePayerField(help_text="The payer (id, see /api/v1/payers/).")
    payer_name = serializers.CharField(source="payer.name", read_only=True)

    class Meta:
        model = InsurancePolicy
        fields = ["patient", "patient_mrn", *POLICY_FIELDS]
        extra_kwargs = {
            "is_primary": {
                "help_text": "One primary policy per patient: setting this demotes the patient's other primary policy. "
                "A patient's first active policy becomes primary by itself."
            }
        }


class PatientAllergySerializer(serializers.ModelSerializer):
    class Meta:
        model = Allergy
        fields = ALLERGY_FIELDS
        read_only_fields = fields


class PatientMedicalHistoryEntrySerializer(serializers.ModelSerializer):
    class Meta:
        model = MedicalHistoryEntry
        fields = HISTORY_FIELDS
        read_only_fields = fields


class PatientInsurancePolicySerializer(serializers.ModelSerializer):
    payer_name = serializers.CharField(source="payer.name", read_only=True)

    class Meta:
        model = InsurancePolicy
        fields = POLICY_FIELDS
        read_only_fields = fields


class PayerSerializer(serializers.ModelSerializer):
    email = OptionalEmailField(read_only=True)

    class Meta:
        model = Payer
        fields = ["id", "name", "code", "payer_id", "phone", "email", "address_line1", "city", "state", "postal_code",
                  "is_active"]
        read_only_fields = fields


class PatientSerializer(serializers.ModelSerializer):
    """A patient in lists: demographics and contact details, no chart rows."""

    age = serializers.IntegerField(read_only=True, help_text="Age in whole years today, from the date of birth.")
    preferred_hospital_name = serializers.CharField(source="preferred_hospital.name", read_only=True, allow_null=True)
    email = OptionalEmailField(required=False, max_length=254)

    class Meta:
        model = Patient
        fields = [
            "id",
            "mrn",
            *PATIENT_FIELDS,
            "age",
            "preferred_hospital_name",
            "is_active",
            "registered_at",
            "registered_by",
        ]
        read_only_fields = ["mrn", "is_active", "registered_at", "registered_by"]
        extra_kwargs = {"postal_code": {"validators": [zip_code_validator]}}


class PatientDetailSerializer(NestedAccessMixin, PatientSerializer):
    """One patient with their allergies, medical history and insurance (read-only here;
    each is written through its own endpoint), each null for a role that may not view it.
    ``allow_duplicate`` confirms a registration that matches an existing patient's name and date of birth."""

    chart_access = serializers.SerializerMethodField(
        help_text='"full", or "demographics" for a doctor or nurse without a care relationship with the patient: '
        "their allergies and medical history are then null (POST .../break-glass/ opens the chart for a time)."
    )
    allergies = PatientAllergySerializer(many=True, read_only=True)
    medical_history = PatientMedicalHistoryEntrySerializer(many=True, read_only=True)
    insurance_policies = PatientInsurancePolicySerializer(many=True, read_only=True)
    allow_duplicate = serializers.BooleanField(
        write_only=True,
        required=False,
        default=False,
        help_text="Register even though a patient with the same name and date of birth exists "
        "(after checking the MRNs the 409 answer listed). Ignored on updates.",
    )

    class Meta(PatientSerializer.Meta):
        fields = [
            *PatientSerializer.Meta.fields,
            "chart_access",
            "allergies",
            "medical_history",
            "insurance_policies",
            "allow_duplicate",
        ]


    CLINICAL_SECTIONS = ("allergies", "medical_history")

    def get_chart_access(self, patient) -> str:
        request = self.context.get("request")
        user = getattr(request, "user", None)
        return "full" if user is None or may_read_chart(user, patient.pk) else "demographics"

    def to_representation(self, instance):
        data = super().to_representation(instance)
        if data.get("chart_access") == "demographics":
            for name in self.CLINICAL_SECTIONS:
                if name in data:
                    data[name] = None
        return data


class BreakGlassRequestSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=500, help_text="Why you need this chart (required; reviewed).")


class BreakGlassGrantSerializer(serializers.ModelSerializer):
    class Meta:
        model = BreakGlassGrant
        fields = ["id", "user", "patient", "reason", "started_at", "expires_at", "reviewed_by", "reviewed_at",
                  "outcome", "review_note"]
        read_only_fields = fields


class BreakGlassReviewSerializer(serializers.Serializer):
    outcome = serializers.ChoiceField(choices=BreakGlassOutcome.choices)
    note = serializers.CharField(max_length=1000, required=False, allow_blank=True, default="")


class ConsentSerializer(serializers.ModelSerializer):
    class Meta:
        model = Consent
        fields = ["kind", "granted", "changed_at", "changed_by", "note"]
        read_only_fields = ["changed_at", "changed_by"]
        extra_kwargs = {"kind": {"choices": ConsentKind.choices}, "note": {"required": False}}
        validators = []  # one row per kind is the service's job: a second record changes the first


class DuplicatePatientSerializer(serializers.Serializer):
    """The 409 answer to a registration that looks like an existing patient."""

    detail = serializers.CharField()
    code = serializers.CharField()
    duplicates = serializers.ListField(child=serializers.CharField(), help_text="MRNs of the matching patients.")
