"""The item master moves from inventory to catalog without touching data.

The tables keep their names (``inventory_item``, ``inventory_historicalitem``; see Item.Meta.db_table), so
this only tells Django's migration state that catalog owns the model (SeparateDatabaseAndState: no SQL).
The content types move too (app_label inventory -> catalog), so their permission rows, the groups' and users'
grants of them and the admin's log entries stay attached. inventory.0005 drops the old state.
"""

import django.db.models.deletion
import simple_history.models
from django.conf import settings
from django.db import migrations, models

MOVED = ["item", "historicalitem"]


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
    move_content_types(apps, schema_editor, source="inventory", target="catalog")


def backwards(apps, schema_editor):
    move_content_types(apps, schema_editor, source="catalog", target="inventory")


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ("inventory", "0004_scale_indexes"),  # the tables exist (created by inventory.0002 on a new database)
        ("contenttypes", "0002_remove_content_type_name"),
        ("auth", "0012_alter_user_first_name_max_length"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.CreateModel(
                    name='HistoricalItem',
                    fields=[
                        ('id', models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name='ID')),
                        ('kind', models.CharField(choices=[('medication', 'Medication'), ('supply', 'Supply'), ('equipment', 'Equipment')], default='medication', max_length=20)),
                        ('code', models.CharField(db_index=True, help_text="The chain's item code, e.g. an NDC for drugs.", max_length=30)),
                        ('name', models.CharField(help_text='For medications the generic name, e.g. Amoxicillin.', max_length=200)),
                        ('form', models.CharField(blank=True, help_text='Tablet, capsule, syrup, injection...', max_length=50)),
                        ('strength', models.CharField(blank=True, help_text='e.g. 500 mg, 5 mg/mL.', max_length=50)),
                        ('unit', models.CharField(default='unit', help_text='What one unit of stock is: tablet, vial, box.', max_length=30)),
                        ('category', models.CharField(blank=True, help_text='Drug class or group, e.g. Penicillins (matched against allergies).', max_length=100)),
                        ('unit_price', models.DecimalField(decimal_places=2, default=0, help_text='What a patient is billed for one unit.', max_digits=12)),
                        ('is_active', models.BooleanField(default=True, help_text='Items are deactivated, never deleted.', verbose_name='active')),
                        ('history_id', models.AutoField(primary_key=True, serialize=False)),
                        ('history_date', models.DateTimeField(db_index=True)),
                        ('history_change_reason', models.CharField(max_length=100, null=True)),
                        ('history_type', models.CharField(choices=[('+', 'Created'), ('~', 'Changed'), ('-', 'Deleted')], max_length=1)),
                        ('history_user', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                    ],
                    options={
                        'verbose_name': 'historical item',
                        'verbose_name_plural': 'historical items',
                        'db_table': 'inventory_historicalitem',
                        'ordering': ('-history_date', '-history_id'),
                        'get_latest_by': ('history_date', 'history_id'),
                    },
                    bases=(simple_history.models.HistoricalChanges, models.Model),
                ),
                migrations.CreateModel(
                    name='Item',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('kind', models.CharField(choices=[('medication', 'Medication'), ('supply', 'Supply'), ('equipment', 'Equipment')], default='medication', max_length=20)),
                        ('code', models.CharField(help_text="The chain's item code, e.g. an NDC for drugs.", max_length=30, unique=True)),
                        ('name', models.CharField(help_text='For medications the generic name, e.g. Amoxicillin.', max_length=200)),
                        ('form', models.CharField(blank=True, help_text='Tablet, capsule, syrup, injection...', max_length=50)),
                        ('strength', models.CharField(blank=True, help_text='e.g. 500 mg, 5 mg/mL.', max_length=50)),
                        ('unit', models.CharField(default='unit', help_text='What one unit of stock is: tablet, vial, box.', max_length=30)),
                        ('category', models.CharField(blank=True, help_text='Drug class or group, e.g. Penicillins (matched against allergies).', max_length=100)),
                        ('unit_price', models.DecimalField(decimal_places=2, default=0, help_text='What a patient is billed for one unit.', max_digits=12)),
                        ('is_active', models.BooleanField(default=True, help_text='Items are deactivated, never deleted.', verbose_name='active')),
                    ],
                    options={
                        'db_table': 'inventory_item',
                        'ordering': ['name', 'strength', 'code'],
                        'indexes': [models.Index(fields=['kind', 'name'], name='item_kind_name_idx')],
                        'constraints': [models.CheckConstraint(condition=models.Q(('unit_price__gte', 0)), name='item_unit_price_not_negative', violation_error_message='The unit price cannot be negative.')],
                    },
                ),
            ],
        ),
        migrations.RunPython(forwards, backwards),
    ]
