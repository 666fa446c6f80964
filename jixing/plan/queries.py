from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Q, Sum
from django.utils.translation import gettext as _

from jixing.registry.models import Region, RegionLevel

from .models import Action, Target, TargetAllocation, TargetUnit
from .rules import time_progress  # the one definition of 时间进度 (docs/statistics.md)


def display_value(target: Target) -> str:
    if target.unit == TargetUnit.SHARE:
        return f"{target.value * 100:.0f}%"
    if target.unit == TargetUnit.RATIO_TO_ENROLLED:
        return _("%(ratio)s× enrolled students") % {"ratio": f"{target.value.normalize():f}"}
    return f"{int(target.value):,}"


def display_period(target: Target) -> str:
    return _("every year") if target.is_yearly else target.period


def targets_with_quotes() -> list[Target]:
    targets = list(Target.objects.select_related("action").order_by("id"))
    for t in targets:
        t.display_value = display_value(t)  # type: ignore[attr-defined]
        t.display_period = display_period(t)  # type: ignore[attr-defined]
    return targets


# ---------------------------------------------------------------- time progress and allocations

# The action runs from 2025 to the end of 2027 (seed 一: 从2025年到2027年底).
PERIOD_START = dt.date(2025, 1, 1)
PERIOD_END = dt.date(2027, 12, 31)
ALLOCATABLE_UNITS = frozenset({TargetUnit.PERSON_TIMES, TargetUnit.PERSON_TIMES_PER_YEAR, TargetUnit.PERSONS_PER_YEAR})


def target_time_progress(target: Target, day: dt.date) -> Decimal:
    if target.is_yearly:
        year = min(max(day.year, PERIOD_START.year), PERIOD_END.year)
        return time_progress(dt.date(year, 1, 1), dt.date(year, 12, 31), day)
    years = target.years
    return time_progress(dt.date(years[0], 1, 1), dt.date(years[-1], 12, 31), day)


def is_allocatable(target: Target) -> bool:
    """Counts can be split among cities; shares and ratios apply to each city as they are."""
    return target.unit in ALLOCATABLE_UNITS


def allocation_years(target: Target) -> list[int | None]:
    """Yearly targets are allocated year by year; a period target once for the whole period."""
    return list(target.years) if target.is_yearly else [None]


def default_allocation_year(target: Target, day: dt.date) -> int | None:
    years = allocation_years(target)
    return day.year if day.year in years else years[0]


@dataclass(frozen=True)
class AllocationRow:
    city: Region
    value: Decimal | None


@dataclass(frozen=True)
class AllocationSummary:
    target: Target
    year: int | None
    rows: list[AllocationRow]
    total: Decimal
    missing_cities: int

    @property
    def difference(self) -> Decimal:
        """Allocated minus the provincial target: negative = not yet fully allocated."""
        return self.total - self.target.value

    @property
    def gap(self) -> Decimal:
        return abs(self.difference)

    @property
    def state(self) -> str:
        if self.total == self.target.value:
            return "equal"
        return "over" if self.total > self.target.value else "under"


def allocation_summary(target: Target, year: int | None) -> AllocationSummary:
    values = dict(
        TargetAllocation.objects.filter(target=target, year=year).values_list("city_id", "value")
    )
    cities = list(Region.objects.home().filter(level=RegionLevel.CITY).order_by("code"))
    rows = [AllocationRow(city=c, value=values.get(c.code)) for c in cities]
    total = sum((v for v in values.values()), Decimal(0))
    return AllocationSummary(target=target, year=year, rows=rows, total=total,
                             missing_cities=sum(1 for r in rows if r.value is None))


def allocation_totals() -> dict[tuple[int, int | None], Decimal]:
    """(target id, year) → allocated total, for the target list."""
    totals = TargetAllocation.objects.values("target_id", "year").annotate(total=Sum("value"))
    return {(row["target_id"], row["year"]): row["total"] for row in totals}


def city_allocations(city_code: str, year: int) -> dict[int, Decimal]:
    """target id → this city's share for ``year`` (yearly targets) or the whole period."""
    rows = TargetAllocation.objects.filter(city_id=city_code).filter(Q(year=year) | Q(year__isnull=True))
    return {row.target_id: row.value for row in rows}


def actions_with_departments() -> list[Action]:
    return list(Action.objects.prefetch_related("departments", "targets").order_by("number"))
