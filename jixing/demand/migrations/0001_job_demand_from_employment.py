"""JobDemand moves from employment to demand (issue 14, build 2): state only.

The table ``employment_jobdemand`` is kept as it is (``Meta.db_table``), with its rows, its
constraints and the foreign keys that point at it; only Django's idea of which app owns the
model changes. The content type follows, so status changes and permissions keep pointing at
the same rows. Audit rows are append-only: those written before keep ``employment.jobdemand``
as their object type (``core.display`` reads both).
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def move_content_type(apps, schema_editor):
    content_type = apps.get_model("contenttypes", "ContentType")
    if not content_type.objects.filter(app_label="demand", model="jobdemand").exists():
        content_type.objects.filter(app_label="employment", model="jobdemand").update(app_label="demand")


def move_content_type_back(apps, schema_editor):
    content_type = apps.get_model("contenttypes", "ContentType")
    if not content_type.objects.filter(app_label="employment", model="jobdemand").exists():
        content_type.objects.filter(app_label="demand", model="jobdemand").update(app_label="employment")


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("employment", "0004_held_benefit_periods"),
        ("registry", "0009_restriction_lifting_and_origin"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="JobDemand",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("created_at", models.DateTimeField(auto_now_add=True, db_index=True, verbose_name="created at")),
                        ("updated_at", models.DateTimeField(auto_now=True, db_index=True, verbose_name="updated at")),
                        ("title", models.CharField(max_length=100, verbose_name="post title")),
                        ("posts", models.PositiveIntegerField(verbose_name="number of posts")),
                        ("wage_min", models.DecimalField(decimal_places=2, max_digits=10, verbose_name="monthly wage from (yuan)")),
                        ("wage_max", models.DecimalField(decimal_places=2, max_digits=10, verbose_name="monthly wage to (yuan)")),
                        ("deadline", models.DateField(verbose_name="deadline")),
                        ("description", models.TextField(blank=True, verbose_name="description")),
                        ("status", models.CharField(choices=[("open", "open"), ("filled", "filled"), ("closed", "closed")],
                                                    default="open", max_length=10, verbose_name="status")),
                        ("county", models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name="+",
                                                     to="registry.region", verbose_name="county")),
                        ("created_by", models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name="+",
                                                         to=settings.AUTH_USER_MODEL)),
                        ("employer", models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name="job_demands",
                                                       to="registry.organisation", verbose_name="employer")),
                        ("level", models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT,
                                                    to="registry.skilllevel", verbose_name="skill level")),
                        ("occupation", models.ForeignKey(on_delete=django.db.models.deletion.PROTECT,
                                                         to="registry.occupation", verbose_name="occupation")),
                    ],
                    options={
                        "verbose_name": "job demand",
                        "verbose_name_plural": "job demands",
                        "db_table": "employment_jobdemand",
                        "ordering": ["-created_at"],
                        "constraints": [
                            models.CheckConstraint(condition=models.Q(("posts__gt", 0)), name="job_demand_posts_positive"),
                            models.CheckConstraint(condition=models.Q(("wage_min__gte", 0), ("wage_max__gte", models.F("wage_min"))),
                                                   name="job_demand_wage_range"),
                        ],
                    },
                ),
            ],
            database_operations=[],
        ),
        migrations.RunPython(move_content_type, move_content_type_back),
    ]
