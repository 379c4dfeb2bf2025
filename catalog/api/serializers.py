from catalog.models import Item
from hms import serializers


class ItemSerializer(serializers.ModelSerializer):
    class Meta:
        model = Item
        fields = ["id", "kind", "code", "name", "form", "strength", "unit", "category", "unit_price", "is_active"]
