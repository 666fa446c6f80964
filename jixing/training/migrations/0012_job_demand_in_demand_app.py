"""The project's job demand is ``demand.JobDemand`` now (state only: the column and its
foreign key to ``employment_jobdemand`` stay as they are)."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("demand", "0001_job_demand_from_employment"),
        ("training", "0011_project_chain_programmes"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="trainingproject",
                    name="job_demand",
                    field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT,
                                            related_name="projects", to="demand.jobdemand", verbose_name="job demand"),
                ),
            ],
            database_operations=[],
        ),
    ]
