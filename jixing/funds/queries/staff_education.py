"""Staff education fund reports and their statistics by city."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from jixing.registry.models import Region, RegionLevel

from ..models import ZERO, StaffEducationReport
from .common import city_code

# ---------------------------------------------------------------- staff education funds


@dataclass(frozen=True)
class StaffEducationStats:
    year: int
    reports: int
    extracted: Decimal
    spent: Decimal
    spent_frontline: Decimal
    below_minimum: int

    @property
    def frontline_share(self) -> Decimal | None:
        return (self.spent_frontline / self.spent).quantize(Decimal("0.0001")) if self.spent else None


def staff_education_reports(user: Any, *, year: int | None = None, below_only: bool = False) -> list[StaffEducationReport]:
    qs = StaffEducationReport.objects.visible_to(user).select_related("enterprise", "enterprise__county")
    if year:
        qs = qs.filter(year=year)
    reports = list(qs.order_by("-year", "enterprise__name"))
    if below_only:
        reports = [r for r in reports if r.below_frontline_minimum]
    return reports


def staff_education_stats(user: Any, *, year: int) -> StaffEducationStats:
    """Totals for a year in the user's scope, and how many enterprises spent less than 60% on
    frontline workers (中办发〔2022〕58号 §(十八))."""
    reports = staff_education_reports(user, year=year)
    return StaffEducationStats(
        year=year, reports=len(reports),
        extracted=sum((r.extracted for r in reports), ZERO),
        spent=sum((r.spent for r in reports), ZERO),
        spent_frontline=sum((r.spent_frontline for r in reports), ZERO),
        below_minimum=sum(1 for r in reports if r.below_frontline_minimum),
    )


def staff_education_by_city(user: Any, *, year: int) -> list[dict[str, Any]]:
    cities = dict(Region.objects.filter(level=RegionLevel.CITY).values_list("code", "name"))
    rows: dict[str, dict[str, Any]] = {}
    for r in staff_education_reports(user, year=year):
        code = city_code(r.enterprise.county_id)
        row = rows.setdefault(code, {"city": cities.get(code, code), "reports": 0, "spent": ZERO,
                                     "spent_frontline": ZERO, "below": 0})
        row["reports"] += 1
        row["spent"] += r.spent
        row["spent_frontline"] += r.spent_frontline
        row["below"] += 1 if r.below_frontline_minimum else 0
    for row in rows.values():
        row["share"] = (row["spent_frontline"] / row["spent"] * 100).quantize(Decimal("0.1")) if row["spent"] else None
    return [rows[k] for k in sorted(rows)]
