"""JobDemand lives in demand (below training) on its old table; employment still names it."""

from __future__ import annotations

import pytest
from django.contrib.contenttypes.models import ContentType

from jixing.core.display import object_kind
from jixing.demand.models import JobDemand
from jixing.employment import models as employment_models
from jixing.training.models import TrainingProject, job_demand_model


def test_it_keeps_the_table_and_the_names_callers_use():
    assert JobDemand._meta.db_table == "employment_jobdemand" and JobDemand._meta.app_label == "demand"
    assert employment_models.JobDemand is JobDemand
    assert TrainingProject._meta.get_field("job_demand").related_model is JobDemand is job_demand_model()
    assert employment_models.Referral._meta.get_field("demand").related_model is JobDemand


@pytest.mark.django_db
def test_it_names_the_content_type_in_demand_and_reads_old_audit_labels():
    assert ContentType.objects.get_for_model(JobDemand).app_label == "demand"
    assert object_kind("employment.jobdemand") == object_kind("demand.jobdemand") == str(JobDemand._meta.verbose_name)
