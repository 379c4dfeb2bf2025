"""Items moved to catalog (catalog.0001) and equipment to scheduling (scheduling.0006) with their tables unchanged:
batches and reorder rules now point at catalog.Item, and inventory's state forgets the moved models.
State only: no table is altered or dropped (SeparateDatabaseAndState)."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("catalog", "0001_initial"),
        ("clinical", "0009_prescription_medication_in_catalog"),
        ("inventory", "0004_scale_indexes"),
        ("scheduling", "0006_equipment_from_inventory"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.AlterField(
                    model_name="stocklevelrule",
                    name="item",
                    field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name="stock_rules", to="catalog.item"),
                ),
                migrations.AlterField(
                    model_name="historicalstocklevelrule",
                    name="item",
                    field=models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name="+", to="catalog.item"),
                ),
                migrations.AlterField(
                    model_name="batch",
                    name="item",
                    field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name="batches", to="catalog.item"),
                ),
                migrations.AlterField(
                    model_name="historicalbatch",
                    name="item",
                    field=models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name="+", to="catalog.item"),
                ),
                migrations.DeleteModel(name="HistoricalEquipment"),
                migrations.DeleteModel(name="Equipment"),
                migrations.DeleteModel(name="HistoricalItem"),
                migrations.DeleteModel(name="Item"),
            ],
        ),
    ]
