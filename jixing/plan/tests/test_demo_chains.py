"""The issue-17 demo: chain leaders with studios and rolls, cities' rules, the demo trainee's
self-arranged trainings, and projects/job demands tagged with chains and programmes."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from jixing.core.demo import new_context
from jixing.plan.models import ChainLeader, MasterStudio, SelfArrangedTraining, StudioMember
from jixing.training.models import TrainingProject

pytestmark = pytest.mark.django_db


def test_the_demo_seeds_chains_studios_programmes_and_self_training(reference, settings, tmp_path):
    from jixing.employment import demo as employment_demo
    from jixing.employment import demo_chains
    from jixing.plan import demo as plan_demo
    from jixing.registry import demo as registry_demo
    from jixing.registry import demo_accounts
    from jixing.training import demo as training_demo

    settings.VAR_DIR = tmp_path
    settings.MEDIA_ROOT = tmp_path / "media"
    with time_machine.travel(dt.datetime(2026, 6, 15, 10, tzinfo=dt.UTC), tick=False):
        ctx = new_context("small", 2025)
        for module in (registry_demo, demo_accounts, plan_demo, employment_demo, training_demo, demo_chains):
            module.seed(ctx)
    assert ChainLeader.objects.exists() and MasterStudio.objects.exists()
    assert StudioMember.objects.filter(role="apprentice", master__isnull=False).exists()
    records = SelfArrangedTraining.objects.order_by("id")
    assert [r.status for r in records] == ["approved", "submitted"]
    assert records[0].claimable is not None and records[0].claim_reasons
    assert TrainingProject.objects.filter(chain__isnull=False).exists()
    assert TrainingProject.objects.filter(programmes__code__in=["jinguo_housekeeping", "housekeeping_brand"]).exists()
    assert ctx.counts["job_demands_with_chain"] > 0
