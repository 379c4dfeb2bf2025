"""The results inbox and the critical-result call loop: who ordered a result (copied from its record), how urgent
its flag is, its acknowledgement, and the lab's calls of critical results. Existing results get their ordering
doctor and urgency here; they start unacknowledged and, when critical, not yet called."""

import django.db.models.deletion
import django.utils.timezone
import simple_history.models
from django.conf import settings
from django.db import migrations, models


def fill_doctor_and_priority(apps, schema_editor):
    LabResult = apps.get_model("clinical", "LabResult")
    MedicalRecord = apps.get_model("clinical", "MedicalRecord")
    doctor = MedicalRecord.objects.filter(lab_orders=models.OuterRef("order_id")).values("doctor_id")[:1]
    LabResult.objects.update(
        doctor_id=models.Subquery(doctor),
        flag_priority=models.Case(
            models.When(flag="critical", then=models.Value(2)),
            models.When(flag__in=["low", "high"], then=models.Value(1)),
            default=models.Value(0),
        ),
    )


class Migration(migrations.Migration):

    dependencies = [
        ('clinical', '0006_visit_amendments'),
        ('staff', '0003_zip_validation'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='HistoricalCriticalResultCall',
            fields=[
                ('id', models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name='ID')),
                ('called_to', models.CharField(help_text='Who took the call, e.g. Dr. Lee (ordering doctor) or RN Park.', max_length=200, verbose_name='called to')),
                ('called_at', models.DateTimeField(default=django.utils.timezone.now, verbose_name='time of the call')),
                ('read_back_confirmed', models.BooleanField(default=False, help_text='The person called read the result back.', verbose_name='read back confirmed')),
                ('notes', models.TextField(blank=True)),
                ('value', models.DecimalField(decimal_places=3, editable=False, max_digits=12)),
                ('history_id', models.AutoField(primary_key=True, serialize=False)),
                ('history_date', models.DateTimeField(db_index=True)),
                ('history_change_reason', models.CharField(max_length=100, null=True)),
                ('history_type', models.CharField(choices=[('+', 'Created'), ('~', 'Changed'), ('-', 'Deleted')], max_length=1)),
            ],
            options={
                'verbose_name': 'historical critical result call',
                'verbose_name_plural': 'historical critical result calls',
                'ordering': ('-history_date', '-history_id'),
                'get_latest_by': ('history_date', 'history_id'),
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.AddField(
            model_name='historicallabresult',
            name='acknowledged',
            field=models.BooleanField(default=False, editable=False),
        ),
        migrations.AddField(
            model_name='historicallabresult',
            name='acknowledged_at',
            field=models.DateTimeField(blank=True, editable=False, null=True),
        ),
        migrations.AddField(
            model_name='historicallabresult',
            name='acknowledged_by',
            field=models.ForeignKey(blank=True, db_constraint=False, editable=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AddField(
            model_name='historicallabresult',
            name='doctor',
            field=models.ForeignKey(blank=True, db_constraint=False, editable=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='staff.staffmember', verbose_name='ordering doctor'),
        ),
        migrations.AddField(
            model_name='historicallabresult',
            name='flag_priority',
            field=models.PositiveSmallIntegerField(default=0, editable=False),
        ),
        migrations.AddField(
            model_name='labresult',
            name='acknowledged',
            field=models.BooleanField(default=False, editable=False),
        ),
        migrations.AddField(
            model_name='labresult',
            name='acknowledged_at',
            field=models.DateTimeField(blank=True, editable=False, null=True),
        ),
        migrations.AddField(
            model_name='labresult',
            name='acknowledged_by',
            field=models.ForeignKey(blank=True, editable=False, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AddField(
            model_name='labresult',
            name='doctor',
            field=models.ForeignKey(editable=False, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='lab_results', to='staff.staffmember', verbose_name='ordering doctor'),
        ),
        migrations.AddField(
            model_name='labresult',
            name='flag_priority',
            field=models.PositiveSmallIntegerField(default=0, editable=False),
        ),
        migrations.RunPython(fill_doctor_and_priority, migrations.RunPython.noop),
        migrations.AlterField(
            model_name='labresult',
            name='doctor',
            field=models.ForeignKey(editable=False, on_delete=django.db.models.deletion.PROTECT, related_name='lab_results', to='staff.staffmember', verbose_name='ordering doctor'),
        ),
        migrations.CreateModel(
            name='CriticalResultCall',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('called_to', models.CharField(help_text='Who took the call, e.g. Dr. Lee (ordering doctor) or RN Park.', max_length=200, verbose_name='called to')),
                ('called_at', models.DateTimeField(default=django.utils.timezone.now, verbose_name='time of the call')),
                ('read_back_confirmed', models.BooleanField(default=False, help_text='The person called read the result back.', verbose_name='read back confirmed')),
                ('notes', models.TextField(blank=True)),
                ('value', models.DecimalField(decimal_places=3, editable=False, max_digits=12)),
                ('called_by', models.ForeignKey(blank=True, editable=False, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('result', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='calls', to='clinical.labresult')),
            ],
            options={
                'verbose_name': 'critical result call',
                'ordering': ['-called_at', '-id'],
            },
        ),
        migrations.AddField(
            model_name='historicallabresult',
            name='last_call',
            field=models.ForeignKey(blank=True, db_constraint=False, editable=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='clinical.criticalresultcall'),
        ),
        migrations.AddField(
            model_name='labresult',
            name='last_call',
            field=models.OneToOneField(blank=True, editable=False, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='clinical.criticalresultcall'),
        ),
        migrations.AddIndex(
            model_name='labresult',
            index=models.Index(fields=['doctor', 'acknowledged', 'flag_priority', 'resulted_at'], name='labresult_inbox_idx'),
        ),
        migrations.AddIndex(
            model_name='labresult',
            index=models.Index(fields=['doctor', 'flag_priority', 'resulted_at'], name='labresult_doctor_priority_idx'),
        ),
        migrations.AddConstraint(
            model_name='labresult',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('acknowledged', True), ('acknowledged_at__isnull', False)), models.Q(('acknowledged', False), ('acknowledged_at__isnull', True)), _connector='OR'), name='labresult_acknowledged_has_time', violation_error_message='An acknowledged result says when it was acknowledged.'),
        ),
        migrations.AddIndex(
            model_name='labresult',
            index=models.Index(fields=['flag_priority', 'last_call', 'resulted_at'], name='labresult_to_call_idx'),
        ),
        migrations.AddField(
            model_name='historicalcriticalresultcall',
            name='called_by',
            field=models.ForeignKey(blank=True, db_constraint=False, editable=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AddField(
            model_name='historicalcriticalresultcall',
            name='history_user',
            field=models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AddField(
            model_name='historicalcriticalresultcall',
            name='result',
            field=models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='clinical.labresult'),
        ),
        migrations.AddIndex(
            model_name='medicalrecord',
            index=models.Index(fields=['doctor', 'signed_at', 'opened_at'], name='mrec_doctor_unsigned_idx'),
        ),
        migrations.AddIndex(
            model_name='criticalresultcall',
            index=models.Index(fields=['called_at'], name='critcall_called_idx'),
        ),
    ]
