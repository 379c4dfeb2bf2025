from billing.choices import ClaimDecision, PaymentMethod
from billing.models import Bill, BillLine, Claim, Payment, PriceListEntry, Refund
from hms import serializers
from hms.nested import NestedAccessMixin
from patients.models import InsurancePolicy

MONEY = {"max_digits": 12, "decimal_places": 2}


class BillLineSerializer(serializers.ModelSerializer):
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)

    class Meta:
        model = BillLine
        fields = [
            "id",
            "kind",
            "kind_display",
            "code",
            "description",
            "quantity",
            "unit_price",
            "amount",
            "reason",
            "source",
            "created_at",
        ]
        read_only_fields = fields


class PaymentSerializer(serializers.ModelSerializer):
    method_display = serializers.CharField(source="get_method_display", read_only=True)
    received_by = serializers.StringRelatedField(read_only=True)

    class Meta:
        model = Payment
        fields = [
            "id",
            "bill",
            "amount",
            "method",
            "method_display",
            "reference",
            "received_by",
            "received_at",
            "idempotency_key",
        ]
        read_only_fields = fields


class PaymentCreateSerializer(serializers.Serializer):
    amount = serializers.DecimalField(**MONEY)
    method = serializers.ChoiceField(choices=PaymentMethod.choices)
    reference = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
    received_at = serializers.DateTimeField(required=False)


class RefundSerializer(serializers.ModelSerializer):
    refunded_by = serializers.StringRelatedField(read_only=True)

    class Meta:
        model = Refund
        fields = ["id", "bill", "payment", "amount", "reason", "refunded_by", "refunded_at"]
        read_only_fields = fields


class RefundCreateSerializer(serializers.Serializer):
    amount = serializers.DecimalField(**MONEY)
    reason = serializers.CharField(max_length=500)
    payment = serializers.IntegerField(required=False, allow_null=True, help_text="The payment refunded (id), if one.")


class BillSerializer(NestedAccessMixin, serializers.ModelSerializer):
    """A bill in lists: stored totals, no per-row aggregation."""

    status_display = serializers.CharField(source="get_status_display", read_only=True)
    patient_name = serializers.CharField(source="patient.full_name", read_only=True)
    patient_mrn = serializers.CharField(source="patient.mrn", read_only=True)
    hospital_code = serializers.CharField(source="hospital.code", read_only=True)
    claim = serializers.SerializerMethodField()
    patient_balance = serializers.DecimalField(**MONEY, read_only=True)

    class Meta:
        model = Bill
        fields = [
            "id",
            "number",
            "status",
            "status_display",
            "patient",
            "patient_name",
            "patient_mrn",
            "hospital",
            "hospital_code",
            "appointment",
            "service_date",
            "total",
            "insurance_covered",
            "patient_due",
            "amount_paid",
            "insurance_paid",
            "balance",
            "patient_balance",
            "claim",
            "created_at",
            "issued_at",
            "voided_at",
            "void_reason",
        ]
        read_only_fields = fields
        nested_models = {"claim": Claim}  # the claim summary follows billing.view_claim (hms/nested.py)

    def get_claim(self, bill) -> dict | None:
        try:
            claim = bill.claim
        except Claim.DoesNotExist:
            return None
        return {"id": claim.pk, "status": claim.status, "approved_amount": claim.approved_amount}


class BillDetailSerializer(BillSerializer):
    lines = BillLineSerializer(many=True, read_only=True)
    payments = PaymentSerializer(many=True, read_only=True)
    refunds = RefundSerializer(many=True, read_only=True)
    policy = serializers.StringRelatedField(read_only=True)

    class Meta(BillSerializer.Meta):
        fields = [*BillSerializer.Meta.fields, "policy", "lines", "payments", "refunds"]
        read_only_fields = fields
        nested_models = {**BillSerializer.Meta.nested_models, "policy": InsurancePolicy}


class VoidSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=500)


class AdjustmentSerializer(serializers.Serializer):
    amount = serializers.DecimalField(**MONEY, help_text="Negative for a discount or write-off.")
    reason = serializers.CharField(max_length=500)
    description = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")


class ClaimSerializer(serializers.ModelSerializer):
    status_display = serializers.CharField(source="get_status_display", read_only=True)
    bill_number = serializers.CharField(source="bill.number", read_only=True)
    bill_total = serializers.DecimalField(source="bill.total", **MONEY, read_only=True)
    payer = serializers.CharField(source="policy.payer.name", read_only=True)
    policy_number = serializers.CharField(source="policy.policy_number", read_only=True)
    policy = serializers.PrimaryKeyRelatedField(
        queryset=InsurancePolicy.objects.all(),
        required=False,
        allow_null=True,
        help_text="Default: the patient's primary policy valid on the service date.",
    )

    class Meta:
        model = Claim
        fields = [
            "id",
            "bill",
            "bill_number",
            "bill_total",
            "policy",
            "payer",
            "policy_number",
            "status",
            "status_display",
            "claimed_amount",
            "approved_amount",
            "adjudication_reason",
            "resubmission_note",
            "submission_count",
            "created_at",
            "submitted_at",
            "reviewed_at",
            "adjudicated_at",
            "paid_at",
        ]
        read_only_fields = [f for f in fields if f not in ("bill", "policy")]
        extra_kwargs = {"bill": {"queryset": Bill.objects.all()}}


class AdjudicationSerializer(serializers.Serializer):
    decision = serializers.ChoiceField(choices=ClaimDecision.choices)
    approved_amount = serializers.DecimalField(
        **MONEY,
        required=False,
        allow_null=True,
        help_text="approved: defaults to the claimed amount; partially_approved: required; denied: 0 or empty.",
    )
    reason = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")


class ResubmitSerializer(serializers.Serializer):
    note = serializers.CharField(max_length=500)


class MarkPaidSerializer(serializers.Serializer):
    reference = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")


class ClaimDocumentSerializer(serializers.Serializer):
    """The claim document (see billing.selectors.claim_document)."""

    claim = serializers.DictField()
    patient = serializers.DictField()
    policy = serializers.DictField()
    provider = serializers.DictField()
    doctor = serializers.DictField(allow_null=True)
    service_date = serializers.DateField()
    bill_number = serializers.CharField()
    diagnoses = serializers.ListField(child=serializers.DictField())
    lines = serializers.ListField(child=serializers.DictField())
    totals = serializers.DictField()


class PriceListEntrySerializer(serializers.ModelSerializer):
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)
    hospital_code = serializers.CharField(source="hospital.code", read_only=True)

    class Meta:
        model = PriceListEntry
        fields = [
            "id",
            "hospital",
            "hospital_code",
            "kind",
            "kind_display",
            "code",
            "description",
            "unit_price",
            "active",
        ]
