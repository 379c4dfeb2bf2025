"""Lab results carry their record's patient, indexed with the result's time, so the chart's timeline reads a
patient's newest results along one index (as 0005 did for diagnoses and prescriptions)."""

import django.db.models.deletion
from django.db import migrations, models
from django.db.models import OuterRef, Subquery


def copy_patients(apps, schema_editor):
    LabOrder = apps.get_model("clinical", "LabOrder")
    patient_of_order = Subquery(LabOrder.objects.filter(pk=OuterRef("order_id")).values("record__patient_id")[:1])
    for name in ("LabResult", "HistoricalLabResult"):
        apps.get_model("clinical", name).objects.filter(patient__isnull=True).update(patient_id=patient_of_order)


class Migration(migrations.Migration):
    dependencies = [
        ("clinical", "0007_results_inbox"),
        ("patients", "0006_scale_indexes"),
    ]

    operations = [
        migrations.AddField(
            model_name="labresult",
            name="patient",
            field=models.ForeignKey(
                editable=False, null=True, on_delete=django.db.models.deletion.PROTECT,
                related_name="lab_results", to="patients.patient",
            ),
        ),
        migrations.AddField(
            model_name="historicallabresult",
            name="patient",
            field=models.ForeignKey(
                blank=True, db_constraint=False, editable=False, null=True,
                on_delete=django.db.models.deletion.DO_NOTHING, related_name="+", to="patients.patient",
            ),
        ),
        migrations.RunPython(copy_patients, migrations.RunPython.noop, elidable=True),
        migrations.AlterField(
            model_name="labresult",
            name="patient",
            field=models.ForeignKey(
                editable=False, on_delete=django.db.models.deletion.PROTECT,
                related_name="lab_results", to="patients.patient",
            ),
        ),
        migrations.AddIndex(
            model_name="labresult",
            index=models.Index(fields=["patient", "resulted_at"], name="labresult_patient_idx"),
        ),
    ]
