"""The person is now on every counted enrollment (0006 filled it; a separate migration so the
deferred foreign-key checks of the fill have run before the column is altered on PostgreSQL)."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('stats', '0006_counted_person'),
    ]

    operations = [
        migrations.AlterField(
            model_name='countedenrollment',
            name='person',
            field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.PROTECT,
                                    related_name='+', to='registry.person'),
        ),
        migrations.AddIndex(
            model_name='countedenrollment',
            index=models.Index(fields=['target_code', 'month', 'county', 'action_number', 'person'], name='counted_line_persons'),
        ),
    ]
