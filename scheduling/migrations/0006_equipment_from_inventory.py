"""Equipment moves from inventory to scheduling (which owns rooms and what visits reserve) without touching data.

The tables keep their names (``inventory_equipment``, ``inventory_historicalequipment``; see
Equipment.Meta.db_table), so this only tells Django's migration state that scheduling owns the model and that
appointments point at it (SeparateDatabaseAndState: no SQL). The content types move too (app_label
inventory -> scheduling), so their permission rows and grants stay attached. inventory.0005 drops the old state.
"""

import django.db.models.deletion
import simple_history.models
from django.conf import settings
from django.db import migrations, models

MOVED = ["equipment", "historicalequipment"]


def move_content_types(apps, schema_editor, *, source, target):
    ContentType = apps.get_model("contenttypes", "ContentType")
    db = schema_editor.connection.alias
    for model in MOVED:
        old = ContentType.objects.using(db).filter(app_label=source, model=model).first()
        if old is None:
            continue  # a new database: the content types are created after migrating
        # One made meanwhile under the new label (by a partial migrate) holds nothing the old one does not.
        ContentType.objects.using(db).filter(app_label=target, model=model).delete()
        old.app_label = target
        old.save(update_fields=["app_label"])


def forwards(apps, schema_editor):
    move_content_types(apps, schema_editor, source="inventory", target="scheduling")


def backwards(apps, schema_editor):
    move_content_types(apps, schema_editor, source="scheduling", target="inventory")


class Migration(migrations.Migration):

    dependencies = [
        ("catalog", "0001_initial"),
        ("inventory", "0004_scale_indexes"),  # the tables exist (created by inventory.0001/0003 on a new database)
        ("scheduling", "0005_queues"),
        ("staff", "0003_zip_validation"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("auth", "0012_alter_user_first_name_max_length"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.CreateModel(
                    name='Equipment',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('name', models.CharField(max_length=200)),
                        ('asset_tag', models.CharField(help_text='The tag stuck on the device.', max_length=50, unique=True)),
                        ('status', models.CharField(choices=[('available', 'Available'), ('in_use', 'In use'), ('maintenance', 'In maintenance'), ('retired', 'Retired')], db_index=True, default='available', max_length=20)),
                        ('hospital', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='equipment', to='staff.hospital')),
                        ('item', models.ForeignKey(blank=True, help_text='The catalog item this device is an instance of (optional).', limit_choices_to={'kind': 'equipment'}, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='equipment', to='catalog.item')),
                    ],
                    options={
                        'verbose_name_plural': 'equipment',
                        'db_table': 'inventory_equipment',
                        'ordering': ['hospital__name', 'name', 'asset_tag'],
                    },
                ),
                migrations.AlterField(
                    model_name='appointment',
                    name='equipment',
                    field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='appointments', to='scheduling.equipment'),
                ),
                migrations.AlterField(
                    model_name='historicalappointment',
                    name='equipment',
                    field=models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='scheduling.equipment'),
                ),
                migrations.CreateModel(
                    name='HistoricalEquipment',
                    fields=[
                        ('id', models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name='ID')),
                        ('name', models.CharField(max_length=200)),
                        ('asset_tag', models.CharField(db_index=True, help_text='The tag stuck on the device.', max_length=50)),
                        ('status', models.CharField(choices=[('available', 'Available'), ('in_use', 'In use'), ('maintenance', 'In maintenance'), ('retired', 'Retired')], db_index=True, default='available', max_length=20)),
                        ('history_id', models.AutoField(primary_key=True, serialize=False)),
                        ('history_date', models.DateTimeField(db_index=True)),
                        ('history_change_reason', models.CharField(max_length=100, null=True)),
                        ('history_type', models.CharField(choices=[('+', 'Created'), ('~', 'Changed'), ('-', 'Deleted')], max_length=1)),
                        ('history_user', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('hospital', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='staff.hospital')),
                        ('item', models.ForeignKey(blank=True, db_constraint=False, help_text='The catalog item this device is an instance of (optional).', limit_choices_to={'kind': 'equipment'}, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='catalog.item')),
                    ],
                    options={
                        'verbose_name': 'historical equipment',
                        'verbose_name_plural': 'historical equipment',
                        'db_table': 'inventory_historicalequipment',
                        'ordering': ('-history_date', '-history_id'),
                        'get_latest_by': ('history_date', 'history_id'),
                    },
                    bases=(simple_history.models.HistoricalChanges, models.Model),
                ),
            ],
        ),
        migrations.RunPython(forwards, backwards),
    ]
