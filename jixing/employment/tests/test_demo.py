"""The demo seeds: demands for the demo enterprises (before training), then outcomes (after
training and evaluation) that the outcome report can read."""

from __future__ import annotations

import datetime as dt

import pytest

from jixing.core.demo import new_context
from jixing.employment import demo, demo_outcomes, queries
from jixing.employment.models import (
    HeldContribution,
    InsuranceContribution,
    JobDemand,
    Placement,
    PlacementSource,
    Referral,
    SkillPayReport,
)
from jixing.registry.models import Organisation

from . import factories as f

pytestmark = pytest.mark.django_db


def test_it_seeds_demands_then_outcomes_deterministically(employers):
    p = employers.p
    ctx = new_context("small", 7)
    ctx.shared["organisations"] = list(Organisation.objects.order_by("id"))
    demo.seed(ctx)
    assert ctx.shared["job_demands"] and all(d.employer.kind == "enterprise" for d in ctx.shared["job_demands"])
    assert JobDemand.objects.filter(employer=employers.other_ent).exists()  # every enterprise, every city
    for i, person in enumerate([p.lixia_person, p.shizhong_person, p.qingdao_person]):
        f.completed_training(person, p.institution, p.dave, start=dt.date(2025, 1, 6 + i),
                             completed_on=dt.date(2025, 3, 20 + i))

    demo_outcomes.seed(ctx)

    assert InsuranceContribution.objects.exists() and HeldContribution.objects.exists()
    assert not InsuranceContribution.objects.filter(month__gte=dt.date(2025, 12, 1)).exists()  # today: 2025-12-01
    assert SkillPayReport.objects.filter(year=2024).exists() and SkillPayReport.objects.filter(year=2023).exists()
    sources = set(Placement.objects.values_list("source", flat=True))
    assert sources  # at least one placement from the seeded facts
    assert sources <= set(PlacementSource.values)
    assert Referral.objects.filter(demand=employers.demand).count() == 3  # the first open demand fits all three
    rows, total = queries.outcome_report(p.alice, "city")
    assert total.completers == 3
