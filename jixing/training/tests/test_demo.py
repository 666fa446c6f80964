"""The training demo: every action and city, the lifecycle's states, demand-linked order
projects, rosters decided by the rules, completions in two years, sessions running today."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from jixing.core.demo import new_context
from jixing.registry.models import RegionLevel
from jixing.training import demo
from jixing.training.models import (
    TYPES_NEEDING_DEMAND,
    Attendance,
    Enrollment,
    ProjectStatus,
    TrainingProject,
    TrainingSession,
)

pytestmark = pytest.mark.django_db
TODAY = dt.datetime(2026, 6, 15, 10, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))


def test_it_seeds_a_training_year_across_the_province(reference, settings, tmp_path):
    from jixing.employment import demo as employment_demo
    from jixing.registry import demo as registry_demo
    from jixing.registry import demo_accounts as accounts_demo

    settings.VAR_DIR = tmp_path
    with time_machine.travel(TODAY, tick=False):
        ctx = new_context("small", 2025)
        for module in (registry_demo, accounts_demo, employment_demo, demo):
            module.seed(ctx)
        today = dt.date(2026, 6, 15)
        assert TrainingSession.objects.filter(starts_at__date=today).exists()
    projects = TrainingProject.objects.all()
    assert set(projects.values_list("action__number", flat=True)) == set(range(1, 11))
    cities = {c.code[:4] for c in ctx.shared["cities"]}
    assert {code[:4] for code in projects.values_list("county_id", flat=True)} == cities
    assert set(projects.values_list("status", flat=True)) == set(ProjectStatus.values)
    assert projects.filter(target__isnull=False).exists()
    for project in projects.filter(project_type__in=TYPES_NEEDING_DEMAND):
        assert project.job_demand is not None and project.job_demand.employer_id == project.partner_id
    years = set(Enrollment.objects.filter(completed_on__isnull=False).values_list("completed_on__year", flat=True))
    assert {2025, 2026} <= years
    assert all(e.eligibility for e in Enrollment.objects.all())
    assert Enrollment.objects.filter(eligible=False).exists()
    assert Attendance.objects.filter(check_out_at__isnull=True).exists()
    assert {"projects", "classes", "enrollments"} <= set(ctx.shared)
    assert all(k.county.level == RegionLevel.COUNTY for k in ctx.shared["classes"])
