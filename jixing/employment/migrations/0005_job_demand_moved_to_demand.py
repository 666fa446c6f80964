"""JobDemand now belongs to the demand app (see demand 0001): the referral's FK names it there
and employment forgets the model. State only: no table is dropped or altered."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("demand", "0001_job_demand_from_employment"),
        ("employment", "0004_held_benefit_periods"),
        ("training", "0012_job_demand_in_demand_app"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="referral",
                    name="demand",
                    field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name="referrals",
                                            to="demand.jobdemand", verbose_name="job demand"),
                ),
                migrations.DeleteModel(name="JobDemand"),
            ],
            database_operations=[],
        ),
    ]
