"""Diagnoses and prescriptions carry their record's patient, indexed with their time, so that the
chart's timeline reads a patient's newest ones along one index (issue 11: the diagnosis branch read
all of a patient's diagnoses through their records before its LIMIT)."""

import django.db.models.deletion
from django.db import migrations, models
from django.db.models import OuterRef, Subquery


def copy_patients(apps, schema_editor):
    MedicalRecord = apps.get_model("clinical", "MedicalRecord")
    patient_of_record = Subquery(MedicalRecord.objects.filter(pk=OuterRef("record_id")).values("patient_id")[:1])
    for name in ("Diagnosis", "HistoricalDiagnosis", "Prescription", "HistoricalPrescription"):
        apps.get_model("clinical", name).objects.filter(patient__isnull=True).update(patient_id=patient_of_record)


class Migration(migrations.Migration):
    dependencies = [
        ("clinical", "0004_list_indexes"),
        ("patients", "0006_scale_indexes"),
    ]

    operations = [
        migrations.AddField(
            model_name="diagnosis",
            name="patient",
            field=models.ForeignKey(
                editable=False, null=True, on_delete=django.db.models.deletion.PROTECT,
                related_name="diagnoses", to="patients.patient",
            ),
        ),
        migrations.AddField(
            model_name="historicaldiagnosis",
            name="patient",
            field=models.ForeignKey(
                blank=True, db_constraint=False, editable=False, null=True,
                on_delete=django.db.models.deletion.DO_NOTHING, related_name="+", to="patients.patient",
            ),
        ),
        migrations.AddField(
            model_name="prescription",
            name="patient",
            field=models.ForeignKey(
                editable=False, null=True, on_delete=django.db.models.deletion.PROTECT,
                related_name="prescriptions", to="patients.patient",
            ),
        ),
        migrations.AddField(
            model_name="historicalprescription",
            name="patient",
            field=models.ForeignKey(
                blank=True, db_constraint=False, editable=False, null=True,
                on_delete=django.db.models.deletion.DO_NOTHING, related_name="+", to="patients.patient",
            ),
        ),
        migrations.RunPython(copy_patients, migrations.RunPython.noop, elidable=True),
        migrations.AlterField(
            model_name="diagnosis",
            name="patient",
            field=models.ForeignKey(
                editable=False, on_delete=django.db.models.deletion.PROTECT,
                related_name="diagnoses", to="patients.patient",
            ),
        ),
        migrations.AlterField(
            model_name="prescription",
            name="patient",
            field=models.ForeignKey(
                editable=False, on_delete=django.db.models.deletion.PROTECT,
                related_name="prescriptions", to="patients.patient",
            ),
        ),
        migrations.AddIndex(
            model_name="diagnosis",
            index=models.Index(fields=["patient", "added_at"], name="diagnosis_patient_added_idx"),
        ),
        migrations.AddIndex(
            model_name="prescription",
            index=models.Index(fields=["patient", "prescribed_at"], name="rx_patient_prescribed_idx"),
        ),
    ]
