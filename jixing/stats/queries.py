"""Read side of the statistics: progress against every target, rankings, trend, funnel.

Every function takes the viewer's ``StatsScope``; figures are read from the incremental
rollups (``rollup.refresh()`` runs first, so numbers are live) and each figure can be
drilled down to the enrollments behind it (``counted_enrollments``).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import Any, TypeVar

from django.db.models import Count, F, Model, OuterRef, Q, QuerySet, Subquery, Sum
from django.db.models.functions import Coalesce, ExtractMonth, ExtractYear
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from jixing.core.access import Scope, code_within, scope_for, within_region
from jixing.core.actor import Viewer
from jixing.evaluation.engineer_queries import digital_line_extra
from jixing.plan.models import Action, Target, TargetAllocation, TargetUnit
from jixing.registry.models import HOME_PREFIX, Organisation, OrganisationKind, Region, RegionLevel
from jixing.training.models import Enrollment, EnrollmentStatus

from . import rollup
from .models import CityProgressRollup, CountedEnrollment, LineRollup, OrganiserRollup, ProgressRollup
from .rules import Progress, period_bounds, time_progress

M = TypeVar("M", bound=Model)

COLLEGE_KINDS = (OrganisationKind.VOCATIONAL_COLLEGE, OrganisationKind.TECHNICAL_SCHOOL)
PROGRAMME_YEARS = (2025, 2026, 2027)


@dataclass(frozen=True)
class StatsScope:
    """What part of the province a viewer's statistics cover."""

    region_prefix: str | None = None  # None = whole province
    action_numbers: frozenset[int] | None = None  # None = every action
    region: Region | None = None
    allowed: bool = True
    until: dt.date | None = None  # figures as of this day (dispatch reports of past months)

    @property
    def city_code(self) -> str | None:
        if self.region_prefix and len(self.region_prefix) >= 4:
            return self.region_prefix[:4] + "00"
        return None

    @property
    def is_province(self) -> bool:
        return self.region_prefix is None and self.action_numbers is None

    def label(self) -> str:
        if self.action_numbers is not None:
            return _("Actions of your department")
        return self.region.name if self.region else _("Shandong Province")

    def apply(self, qs: QuerySet[M], *, region: str | None = None, code: str | None = None,
              action: str | None = None, month: str | None = None) -> QuerySet[M]:
        """``qs`` narrowed to this scope, from the paths the model declares (STYLE 14): ``region``
        a FK to ``registry.Region``, ``code`` a column holding a region code (``Region``'s own
        ``code``), ``action`` a field holding the action's number (``action_number``,
        ``…__action__number``), ``month`` a first-of-month date cut at ``until``. A path not
        given is not narrowed on: a department's lines, chains and colleges are read by region
        only (docs/statistics.md). The region filter itself is core's (``within_region``)."""
        if self.region_prefix and region is not None:
            qs = qs.filter(within_region(region, self.region_prefix))
        if self.region_prefix and code is not None:
            qs = qs.filter(code_within(code, self.region_prefix))
        if self.action_numbers is not None and action is not None:
            qs = qs.filter(**{f"{action}__in": self.action_numbers})
        if self.until is not None and month is not None:
            qs = qs.filter(**{f"{month}__lte": self.until.replace(day=1)})
        return qs


def stats_scope(user: Viewer, *, region_code: str | None = None) -> StatsScope:
    """The viewer's scope, optionally narrowed to a region inside it (drill to a city/county)."""
    scope: Scope = scope_for(user)
    if scope.department_id:
        # The department rule: their actions, within their region below the province.
        below_province = scope.region_prefix if scope.region_prefix and scope.region_prefix != "37" else None
        return StatsScope(action_numbers=scope.action_numbers, region_prefix=below_province)
    if scope.everything:
        base: str | None = None
    elif scope.region_prefix:
        base = scope.region_prefix
    else:
        return StatsScope(allowed=False)
    if region_code:
        from jixing.core.access import region_prefix

        wanted = region_prefix(region_code)
        if wanted == "37":
            wanted = None  # type: ignore[assignment]
        if base is not None and (wanted is None or not wanted.startswith(base)):
            return StatsScope(allowed=False)
        base = wanted
    region = Region.objects.filter(code=_code_for_prefix(base)).first() if base else None
    return StatsScope(region_prefix=base, region=region)


def _code_for_prefix(prefix: str) -> str:
    return prefix.ljust(6, "0")


# The paths of the rollups and counted rows (month × county × action).
ROLLUP_PATHS = {"region": "county", "action": "action_number", "month": "month"}


def _rollups(scope: StatsScope) -> QuerySet[ProgressRollup]:
    return scope.apply(ProgressRollup.objects.all(), **ROLLUP_PATHS)


def _city_rollups(scope: StatsScope) -> QuerySet[Any]:
    """Month × city × action × line counts in scope: the city table for the province and a city
    (a tenth of the county rows), the county table below a city. Both have the same columns."""
    if scope.region_prefix and len(scope.region_prefix) > 4:
        return _rollups(scope)
    return scope.apply(CityProgressRollup.objects.all(), code="city_code", action="action_number", month="month")


def line_counts(scope: StatsScope, *, year: int) -> dict[str, int]:
    """Person-times per target line in ``year``: each completion once per line it meets (the
    project's line, or a line whose definition names the person's group; docs/statistics.md).
    A department's view is not narrowed by action here: its lines are already its own."""
    qs = scope.apply(LineRollup.objects.filter(_year_q(year)), region="county", month="month")
    return dict(qs.values("target_code").annotate(n=Sum("count")).values_list("target_code", "n"))


def _year_q(year: int) -> Q:
    return Q(month__gte=dt.date(year, 1, 1), month__lte=dt.date(year, 12, 1))


DIGITAL_TARGET = "digital"  # reference/targets.csv: 数字类培训, person-times per year (action 1)
EDUCATION_TARGET = "frontline_education"  # reference/targets.csv: 求学圆梦 persons per year


@dataclass
class TargetRow:
    target: Target
    year: int | None
    progress: Progress
    note: str = ""
    drill: dict[str, str] = field(default_factory=dict)

    @property
    def behind(self) -> Decimal | None:
        """Person-times still missing to be on schedule (negative = ahead)."""
        p = self.progress
        if p.target is None:
            return None
        return (p.target * p.time_share - p.actual).quantize(Decimal("1"))


def _scoped_target_value(target: Target, scope: StatsScope, year: int | None) -> tuple[Decimal | None, str]:
    if scope.is_province:
        return target.value, ""
    if scope.action_numbers is not None:
        return target.value, ""
    city = scope.city_code
    if city and scope.region_prefix and len(scope.region_prefix) == 4:
        alloc = (
            TargetAllocation.objects.filter(target=target, city_id=city, year=year).first()
            or TargetAllocation.objects.filter(target=target, city_id=city, year__isnull=True).first()
        )
        if alloc:
            return alloc.value, ""
        return None, _("no allocation to this city yet")
    return None, _("targets are allocated to cities only")


def progress_rows(scope: StatsScope, *, year: int, today: dt.date, refresh: bool = True) -> list[TargetRow]:
    """Every target line visible in the scope: actual vs target vs time progress."""
    if refresh:
        rollup.refresh()
    rows: list[TargetRow] = []
    targets = Target.objects.select_related("action").order_by("id")
    if scope.action_numbers is not None:
        targets = targets.filter(action__number__in=scope.action_numbers)
    base = _city_rollups(scope)
    # Two grouped reads serve every person-time line: per target code this year, per year overall.
    # Target lines count person-based (LineRollup): every line whose definition a completion meets.
    by_target = line_counts(scope, year=year)
    by_year = dict(base.annotate(y=ExtractYear("month")).values("y").annotate(n=Sum("count")).values_list("y", "n"))
    for target in targets:
        row_year = year if target.is_yearly else None
        start, end = period_bounds(target.period, row_year)
        share = time_progress(start, end, today)
        value, note = _scoped_target_value(target, scope, row_year)
        drill: dict[str, str] = {}
        if target.unit == TargetUnit.PERSON_TIMES:
            actual = sum(n for y, n in by_year.items() if start.year <= y <= end.year)
            drill = {"from": f"{start:%Y-%m}", "to": f"{end:%Y-%m}"}
        elif target.unit == TargetUnit.PERSON_TIMES_PER_YEAR:
            actual = by_target.get(target.code, 0)
            if target.code == DIGITAL_TARGET and (extra := digital_line_extra(
                    year=year, region_prefix=scope.region_prefix or "", until=scope.until)):
                actual += extra  # 数字技术工程师 certified outside a counted training (docs/digital_engineers.md)
                note = _("includes %(n)d digital technology engineer certificates not from a counted training") % {
                    "n": extra}
            drill = {"year": str(year), "target": target.code}
        elif target.unit == TargetUnit.PERSONS_PER_YEAR:
            actual = len(_persons_for_target(scope, target.code, year))
            drill = {"year": str(year), "target": target.code}
        elif target.unit == TargetUnit.RATIO_TO_ENROLLED:
            colleges = _colleges(scope, year=year).aggregate(
                total=Count("pk"), meets=Count("pk", filter=Q(trained__gte=F("enrolled_students"))))
            actual = colleges["meets"]
            value = Decimal(colleges["total"]) if colleges["total"] else None
            note = _("colleges whose social training reaches their enrolled students")
        else:  # share of staff education funds spent on frontline workers
            actual, value, note = _frontline_share(scope, year)
        rows.append(TargetRow(target, row_year, Progress(Decimal(actual), value, share), note, drill))
    return rows


def _persons_for_target(scope: StatsScope, code: str, year: int) -> set[int]:
    """Distinct persons behind a persons-per-year target: trained in its projects and, for
    求学圆梦 (``frontline_education``: 学历与能力提升), also paid the education subsidy for an
    academic study (funds) — one person counted once."""
    # The same rows as ``counted_enrollments(scope, year=year, target_code=code)``, read from the
    # counted rows' (target, month, county, person) index instead of joining every enrollment.
    persons = set(scope.apply(CountedEnrollment.objects.filter(target_code=code, month__year=year),
                              region="county", action="action_number").values_list("person_id", flat=True).distinct())
    if code == EDUCATION_TARGET:
        from jixing.funds.queries import education_subsidised_persons

        persons |= education_subsidised_persons(year=year, region_prefix=scope.region_prefix)
    return persons


def _frontline_share(scope: StatsScope, year: int) -> tuple[Decimal, Decimal | None, str]:
    """Enterprises spending at least 60% of staff education funds on frontline workers
    (seed 二(五): 确保60%以上用于一线职工教育和培训; "以上" includes the number itself,
    民法典 第1259条), among those that reported a spend — the same line funds flags below."""
    from jixing.funds.models import StaffEducationReport

    reports = scope.apply(StaffEducationReport.objects.filter(year=year, spent__gt=0), region="enterprise__county")
    counts = reports.aggregate(total=Count("pk"), compliant=Count(
        "pk", filter=Q(spent_frontline__gte=F("spent") * Decimal("0.6"))))
    total, compliant = counts["total"], counts["compliant"]
    if not total:
        return Decimal(0), None, _("no staff education fund reports yet")
    return Decimal(compliant), Decimal(total), _("enterprises spending at least 60 percent on frontline workers")


def _colleges(scope: StatsScope, *, year: int) -> QuerySet[Organisation]:
    """Colleges with students in scope, each with its person-times of ``year`` (``trained``) from
    the organiser rollup: one query."""
    trained = OrganiserRollup.objects.filter(year=year, organiser=OuterRef("pk")).values("count")[:1]
    return scope.apply(Organisation.objects.filter(kind__in=COLLEGE_KINDS, enrolled_students__gt=0), region="county") \
        .annotate(trained=Coalesce(Subquery(trained), 0))


def college_checks(scope: StatsScope, *, year: int) -> list[dict[str, Any]]:
    """Action 8: a vocational college's yearly social training ≥ its enrolled students."""
    result = []
    for college in _colleges(scope, year=year).only("pk", "name", "enrolled_students").order_by("name"):
        n: int = college.trained  # type: ignore[attr-defined]  # the annotation of _colleges
        ratio = Decimal(n) / Decimal(college.enrolled_students or 1)
        result.append({
            "organisation": college, "trained": n, "enrolled": college.enrolled_students,
            "ratio": ratio.quantize(Decimal("0.01")), "meets": n >= (college.enrolled_students or 0),
        })
    return result


def city_ranking(scope: StatsScope, *, year: int, today: dt.date, target_code: str | None = None) -> list[dict[str, Any]]:
    """Cities ranked by completion of their allocation (or by volume where none is set)."""
    qs = _city_rollups(scope).filter(_year_q(year))
    if target_code:
        qs = qs.filter(target_code=target_code)
    actual = dict(qs.values("city_code").annotate(n=Sum("count")).values_list("city_code", "n"))
    target = Target.objects.filter(code=target_code or "overall_subsidized").first()
    allocations: dict[str, Decimal] = {}
    if target is not None:
        for a in TargetAllocation.objects.filter(target=target).filter(Q(year=year) | Q(year__isnull=True)):
            # A yearly allocation wins over a whole-period one; a period one is spread evenly.
            value = a.value if a.year else (a.value / len(target.years)).quantize(Decimal("1"))
            if a.year or a.city_id not in allocations:
                allocations[a.city_id] = value
    start, end = period_bounds("yearly", year)
    share = time_progress(start, end, today)
    cities: QuerySet[Region] = Region.objects.home().filter(level=RegionLevel.CITY).order_by("code")
    if scope.region_prefix:  # a county's viewer sees its city's row
        cities = replace(scope, region_prefix=scope.region_prefix[:4]).apply(cities, code="code")
    rows: list[dict[str, Any]] = []
    for city in cities:
        p = Progress(Decimal(actual.get(city.code, 0)), allocations.get(city.code), share)
        rows.append({"city": city, "progress": p})
    rows.sort(key=lambda r: (-(r["progress"].completion or Decimal(-1)), -r["progress"].actual, r["city"].code))
    for rank, row in enumerate(rows, start=1):
        row["rank"] = rank
    return rows


def monthly_trend(scope: StatsScope, *, year: int) -> list[int]:
    by_month = dict(
        _city_rollups(scope).filter(_year_q(year)).annotate(m=ExtractMonth("month"))
        .values("m").annotate(n=Sum("count")).values_list("m", "n")
    )
    return [by_month.get(m, 0) for m in range(1, 13)]


def action_breakdown(scope: StatsScope, *, year: int) -> list[dict[str, Any]]:
    counts = dict(
        _city_rollups(scope).filter(_year_q(year)).values("action_number").annotate(n=Sum("count"))
        .values_list("action_number", "n")
    )
    actions = Action.objects.order_by("number")
    if scope.action_numbers is not None:
        actions = actions.filter(number__in=scope.action_numbers)
    return [{"action": a, "count": counts.get(a.number, 0)} for a in actions]


def county_breakdown(scope: StatsScope, *, year: int) -> list[dict[str, Any]]:
    counts = dict(
        _rollups(scope).filter(_year_q(year)).values("county_id").annotate(n=Sum("count"))
        .values_list("county_id", "n")
    )
    counties = scope.apply(Region.objects.home().filter(level=RegionLevel.COUNTY).order_by("code"), code="code")
    return [{"county": c, "count": counts.get(c.code, 0)} for c in counties]


def origin_breakdown(scope: StatsScope, *, year: int) -> list[dict[str, Any]]:
    """Person-times counted in ``year`` by the trainee's 户籍 (household region): Shandong's by
    city, every other province's persons together under their province (a migrant from Henan
    counts under 河南省)."""
    rollup.refresh()
    counted = counted_enrollments(scope, year=year)
    households = Counter(
        counted.values_list("person__household_region_id", flat=True)
    )
    by_origin: Counter[str] = Counter()
    for code, n in households.items():
        by_origin[code[:4] + "00" if code.startswith(HOME_PREFIX) else code[:2] + "0000"] += n
    names = {r.code: r for r in Region.objects.filter(code__in=list(by_origin))}
    rows = [{"region": names[code], "count": n, "home": code.startswith(HOME_PREFIX)}
            for code, n in by_origin.items() if code in names]
    rows.sort(key=lambda r: (not r["home"], -r["count"] if not r["home"] else 0, r["region"].code))
    return rows


def _scoped_enrollments(scope: StatsScope) -> QuerySet[Enrollment]:
    return scope.apply(Enrollment.objects.all(), region="training_class__project__county",
                       action="training_class__project__action__number")


def counted_enrollments(
    scope: StatsScope, *, year: int | None = None, month: dt.date | None = None, date_from: dt.date | None = None,
    date_to: dt.date | None = None, county: str | None = None, action: int | None = None, target_code: str | None = None,
) -> QuerySet[Enrollment]:
    """The enrollments behind a figure: what the rollup counted, filtered the same way."""
    counted = scope.apply(CountedEnrollment.objects.all(), region="county", action="action_number")
    if year:
        counted = counted.filter(month__year=year)
    if month:
        counted = counted.filter(month=month)
    if date_from:
        counted = counted.filter(month__gte=date_from)
    if date_to:
        counted = counted.filter(month__lte=date_to)
    if county:
        counted = counted.filter(within_region("county", county))
    if action:
        counted = counted.filter(action_number=action)
    if target_code:
        counted = counted.filter(target_code=target_code)
    return Enrollment.objects.filter(pk__in=counted.values("enrollment_id"))


def funnel(scope: StatsScope, *, year: int, today: dt.date) -> list[dict[str, Any]]:
    """enrolled → started training → completed → certified → employed within 6 months, for
    enrollments (not withdrawn) in classes starting in ``year``; each stage is a subset of
    the one before."""
    qs = _scoped_enrollments(scope).filter(training_class__start_date__year=year).exclude(status=EnrollmentStatus.WITHDRAWN)
    counts = qs.aggregate(
        enrolled=Count("id"),
        started=Count("id", filter=Q(training_class__start_date__lte=today)),
        completed=Count("id", filter=Q(status=EnrollmentStatus.COMPLETED)),
    )
    completed_ids = list(qs.filter(status=EnrollmentStatus.COMPLETED).values_list("id", flat=True))
    certified = _certified_count(completed_ids)
    employed = _employed_count(completed_ids)
    steps = [
        ("enrolled", pgettext("funnel", "enrolled"), counts["enrolled"]),
        ("started", _("started training"), counts["started"]),
        ("completed", _("completed"), counts["completed"]),
        ("certified", _("certified"), certified),
        ("employed", _("employed within 6 months"), employed),
    ]
    return [{"key": k, "label": label, "count": n} for k, label, n in steps if n is not None]


def _certified_count(enrollment_ids: list[int]) -> int | None:
    """Completed enrollments whose person holds a valid certificate of the project's
    occupation issued within a year of completion."""
    from django.db.models import Exists, OuterRef

    from jixing.evaluation.models import Certificate

    cert = Certificate.objects.filter(
        person_id=OuterRef("person_id"),
        occupation_id=OuterRef("training_class__project__occupation_id"),
        status="valid",
    )
    total = 0
    for i in range(0, len(enrollment_ids), 5000):
        chunk = enrollment_ids[i:i + 5000]
        total += Enrollment.objects.filter(pk__in=chunk).filter(Exists(cert)).count()
    return total


def _employed_count(enrollment_ids: list[int]) -> int | None:
    from jixing.employment.queries import employed_within_6_months

    result = employed_within_6_months(enrollment_ids)
    return sum(1 for v in result.values() if v)
