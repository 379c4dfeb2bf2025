from catalog.models import Item
from hms import serializers
from hms.nested import NestedAccessMixin
from inventory.choices import AlertKind
from inventory.models import Batch, StockMovement, Store
from patients.models import Allergy


class StoreSerializer(serializers.ModelSerializer):
    class Meta:
        model = Store
        fields = ["id", "hospital", "name", "code", "kind", "is_active"]


class BatchSerializer(serializers.ModelSerializer):
    item_code = serializers.CharField(source="item.code", read_only=True)
    item_name = serializers.CharField(source="item.name", read_only=True)
    store_name = serializers.CharField(source="store.name", read_only=True)

    class Meta:
        model = Batch
        fields = [
            "id", "item", "item_code", "item_name", "store", "store_name", "lot_number", "expiry_date",
            "unit_cost", "supplier", "quantity_on_hand", "received_at",
        ]
        read_only_fields = fields


class StockMovementSerializer(serializers.ModelSerializer):
    item = serializers.IntegerField(source="batch.item_id", read_only=True)
    store = serializers.IntegerField(source="batch.store_id", read_only=True)
    lot_number = serializers.CharField(source="batch.lot_number", read_only=True)
    created_by = serializers.CharField(source="created_by.username", read_only=True)

    class Meta:
        model = StockMovement
        fields = [
            "id", "batch", "item", "store", "lot_number", "kind", "quantity", "prescription", "transfer_of",
            "note", "created_by", "created_at",
        ]
        read_only_fields = fields


class ReceiveSerializer(serializers.Serializer):
    """A delivery into a store (``store`` is taken from the URL on /stores/{id}/receive/)."""

    store = serializers.PrimaryKeyRelatedField(queryset=Store.objects.all(), required=False)
    item = serializers.PrimaryKeyRelatedField(queryset=Item.objects.all())
    lot_number = serializers.CharField(max_length=50)
    expiry_date = serializers.DateField()
    quantity = serializers.IntegerField(min_value=1)
    unit_cost = serializers.DecimalField(max_digits=12, decimal_places=2, min_value=0, required=False, default=0)
    supplier = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    note = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")


class TransferSerializer(serializers.Serializer):
    to_store = serializers.PrimaryKeyRelatedField(queryset=Store.objects.all())
    quantity = serializers.IntegerField(min_value=1)
    note = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")


class AdjustSerializer(serializers.Serializer):
    quantity = serializers.IntegerField(help_text="Units to add (+) or remove (-).")
    reason = serializers.CharField(max_length=500)


class ReturnSerializer(serializers.Serializer):
    quantity = serializers.IntegerField(min_value=1)
    reason = serializers.CharField(max_length=500)
    prescription = serializers.IntegerField(required=False, allow_null=True, help_text="Prescription id, if any.")


class WriteOffSerializer(NestedAccessMixin, serializers.Serializer):
    written_off = StockMovementSerializer(many=True, read_only=True)


class DispenseLineSerializer(serializers.Serializer):
    batch = serializers.PrimaryKeyRelatedField(queryset=Batch.objects.all())
    quantity = serializers.IntegerField(min_value=1)


class DispenseSerializer(serializers.Serializer):
    store = serializers.PrimaryKeyRelatedField(queryset=Store.objects.all())
    quantity = serializers.IntegerField(min_value=1, required=False, help_text="Default: all that is left.")
    batches = DispenseLineSerializer(many=True, required=False, help_text="Chosen batches; default FEFO.")


class DispenseResultSerializer(NestedAccessMixin, serializers.Serializer):
    prescription = serializers.IntegerField(source="prescription.pk")
    status = serializers.CharField(source="prescription.status")
    dispensed = serializers.IntegerField()
    total_dispensed = serializers.IntegerField()
    remaining = serializers.IntegerField()
    movements = StockMovementSerializer(many=True, read_only=True)


class AllergyBriefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    substance = serializers.CharField()
    reaction = serializers.CharField()
    severity = serializers.CharField()


class DispenseContextSerializer(NestedAccessMixin, serializers.Serializer):
    prescription = serializers.IntegerField(source="prescription.pk")
    status = serializers.CharField(source="prescription.status")
    prescribed = serializers.IntegerField(source="prescription.quantity")
    dispensed = serializers.IntegerField()
    remaining = serializers.IntegerField()
    store = serializers.IntegerField(source="store.pk", allow_null=True, default=None)
    available = serializers.IntegerField()
    shortfall = serializers.IntegerField()
    allergies = AllergyBriefSerializer(many=True, read_only=True)
    matching_allergies = AllergyBriefSerializer(many=True, read_only=True)
    proposal = serializers.SerializerMethodField()

    class Meta:
        nested_models = {"allergies": Allergy, "matching_allergies": Allergy}

    def get_proposal(self, context) -> list[dict]:
        return [{"batch": batch.pk, "lot_number": batch.lot_number, "expiry_date": batch.expiry_date,
                 "quantity": units} for batch, units in context.proposal]


class AlertSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=AlertKind.choices)
    item = serializers.IntegerField(source="item.pk")
    item_code = serializers.CharField(source="item.code")
    item_name = serializers.CharField(source="item.name")
    store = serializers.IntegerField(source="store.pk")
    store_name = serializers.CharField(source="store.name")
    hospital = serializers.IntegerField(source="store.hospital_id")
    batch = serializers.IntegerField(source="batch.pk", allow_null=True, default=None)
    quantity = serializers.IntegerField()
    reorder_level = serializers.IntegerField(allow_null=True)
    reorder_quantity = serializers.IntegerField(allow_null=True)
    expiry_date = serializers.DateField(allow_null=True)
    days_left = serializers.IntegerField(allow_null=True)
    message = serializers.CharField()
