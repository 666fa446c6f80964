"""The person on each counted enrollment (filled from the enrollment), and the index that lets a
persons-per-year line count distinct persons without scanning every counted enrollment."""

import django.db.models.deletion
from django.db import migrations, models
from django.db.models import OuterRef, Subquery


def fill_person(apps, schema_editor):
    counted = apps.get_model("stats", "CountedEnrollment")
    enrollment = apps.get_model("training", "Enrollment")
    counted.objects.update(person_id=Subquery(enrollment.objects.filter(pk=OuterRef("enrollment_id")).values("person_id")[:1]))


class Migration(migrations.Migration):

    dependencies = [
        ('registry', '0010_organisation_above_size_list_year'),
        ('stats', '0005_department_intake'),
        ('training', '0008_class_filing'),
    ]

    operations = [
        migrations.AddField(
            model_name='countedenrollment',
            name='person',
            field=models.ForeignKey(null=True, db_index=False, on_delete=django.db.models.deletion.PROTECT,
                                    related_name='+', to='registry.person'),
        ),
        migrations.RunPython(fill_person, migrations.RunPython.noop),
    ]
