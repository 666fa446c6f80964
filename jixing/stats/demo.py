"""Demo: allocate every person-time target to the 16 cities (by county count, summing exactly
to the provincial figure), bring the rollups up to date and generate last month's report."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.utils import timezone

from jixing.core.demo import DemoContext
from jixing.plan.models import Target, TargetAllocation, TargetUnit
from jixing.registry.models import Region, RegionLevel

from . import rollup
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
    today = timezone.localdate()
    last_month = (today.replace(day=1) - dt.timedelta(days=1)).replace(day=1)
    if dt.date(2025, 1, 1) <= last_month <= dt.date(2027, 12, 1):
        generate_dispatch_report(period=last_month, by=None, today=today)
        ctx.counts["dispatch_reports"] = 1
