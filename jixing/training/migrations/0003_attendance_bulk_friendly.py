# Attendance arrives by the million: no FK triggers or indexes on the columns copied from the
# enrollment (person, training_class); a BRIN index on recorded_at (PostgreSQL only) for
# supervision's incremental scans.

import django.db.models.deletion
from django.db import migrations, models


def brin_forwards(apps, schema_editor):  # noqa: ANN001, ARG001
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            "CREATE INDEX IF NOT EXISTS training_attendance_recorded_brin ON training_attendance USING brin (recorded_at)"
        )


def brin_backwards(apps, schema_editor):  # noqa: ANN001, ARG001
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS training_attendance_recorded_brin")


class Migration(migrations.Migration):

    dependencies = [
        ('registry', '0001_initial'),
        ('training', '0002_lifecycle_fields'),
    ]

    operations = [
        migrations.AlterField(
            model_name='attendance',
            name='person',
            field=models.ForeignKey(db_constraint=False, db_index=False, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='registry.person'),
        ),
        migrations.AlterField(
            model_name='attendance',
            name='training_class',
            field=models.ForeignKey(db_constraint=False, db_index=False, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='training.trainingclass'),
        ),
        migrations.RunPython(brin_forwards, brin_backwards),
    ]
