"""Prescriptions point at the item master's new home (catalog.Item, still the table inventory_item): state only."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("catalog", "0001_initial"),
        ("clinical", "0008_labresult_patient"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.AlterField(
                    model_name="historicalprescription",
                    name="medication",
                    field=models.ForeignKey(blank=True, db_constraint=False, limit_choices_to={"kind": "medication"}, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name="+", to="catalog.item"),
                ),
                migrations.AlterField(
                    model_name="prescription",
                    name="medication",
                    field=models.ForeignKey(limit_choices_to={"kind": "medication"}, on_delete=django.db.models.deletion.PROTECT, related_name="prescriptions", to="catalog.item"),
                ),
            ],
        ),
    ]
