"""Demo: allocate every person-time target to the 16 cities (by county count, summing exactly
to the provincial figure), bring the rollups up to date and generate last month's report."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.utils import timezone

from jixing.accounts.models import Role, User
from jixing.core.demo import DemoContext
from jixing.plan.models import Target, TargetAllocation, TargetUnit
from jixing.registry.models import Region, RegionLevel
from jixing.training import quality_actions
from jixing.training.models import ProjectStatus
from jixing.training.quality import QualityState

from . import quality, rollup
from .actions import generate_dispatch_report


def split(total: Decimal, weights: list[int]) -> list[Decimal]:
    """Largest-remainder split of a whole number over weights; the parts sum to ``total``."""
    whole = int(total)
    raw = [Decimal(whole) * w / sum(weights) for w in weights]
    parts = [int(r) for r in raw]
    for i in sorted(range(len(raw)), key=lambda i: raw[i] - parts[i], reverse=True)[: whole - sum(parts)]:
        parts[i] += 1
    return [Decimal(p) for p in parts]


def seed(ctx: DemoContext) -> None:
    cities = list(Region.objects.home().filter(level=RegionLevel.CITY).order_by("code"))
    weights = [city.children.count() for city in cities]
    allocations = []
    for target in Target.objects.filter(unit__in=[TargetUnit.PERSON_TIMES, TargetUnit.PERSON_TIMES_PER_YEAR]):
        years: list[int | None] = [None] if not target.is_yearly else [2025, 2026, 2027]
        for year in years:
            for city, value in zip(cities, split(target.value, weights), strict=True):
                allocations.append(TargetAllocation(target=target, city=city, year=year, value=value))
    TargetAllocation.objects.bulk_create(allocations)
    ctx.counts["target_allocations"] = len(allocations)
    rollup.rebuild()
    from .demo_intake import seed_department_intake

    ctx.counts["department_trainings"] = seed_department_intake(today=timezone.localdate())
    ctx.counts["quality_suspensions"] = _suspend_one(today=timezone.localdate())
    today = timezone.localdate()
    last_month = (today.replace(day=1) - dt.timedelta(days=1)).replace(day=1)
    if dt.date(2025, 1, 1) <= last_month <= dt.date(2027, 12, 1):
        generate_dispatch_report(period=last_month, by=None, today=today)
        ctx.counts["dispatch_reports"] = 1


def _suspend_one(*, today: dt.date) -> int:
    """Quality review: a running project under threshold (else the one with the lowest
    attendance among those with enough trainees) is suspended by the province, its indicators
    recorded with the decision."""
    officer = User.objects.filter(role=Role.HRSS_OFFICER, region_id="370000").order_by("id").first()
    if officer is None:
        return 0
    rows = [r for r in quality.review_queue(officer, today=today, include_all=True)
            if r.project.status == ProjectStatus.RUNNING and r.project.quality_state == QualityState.NORMAL
            and not r.project.is_provincial_key and r.indicators.trainees >= 10 and r.indicators.attendance_rate is not None]
    if not rows:
        return 0
    row = min(rows, key=lambda r: (-len(r.indicators.breaches), r.indicators.attendance_rate, r.project.pk))
    ind = row.indicators
    reasons = "、".join(row.breach_labels) or "出勤率"
    quality_actions.suspend(row.project, by=officer, indicators=ind.snapshot(), reason=(
        f"质效评估：{reasons}低于门槛（出勤率{ind.attendance_rate}）；暂停新开班和新增学员，已结业学员补贴照常办理。"))
    return 1
