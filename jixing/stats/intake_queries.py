"""Read side of department intake: person-times by fund source and by reporting department
(seed 三; issue 16 build 4), from ``SourceRollup``, and the department records a user sees."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet, Sum
from django.utils.translation import gettext as _

from jixing.core.actor import Actor
from jixing.plan.models import FundSource
from jixing.registry.models import Department

from .models import DepartmentTraining, SourceRollup
from .queries import ROLLUP_PATHS, StatsScope


def _sources(scope: StatsScope, *, year: int) -> QuerySet[SourceRollup]:
    return scope.apply(SourceRollup.objects.filter(month__year=year), **ROLLUP_PATHS)


def fund_source_breakdown(scope: StatsScope, *, year: int) -> list[dict[str, Any]]:
    counts = dict(_sources(scope, year=year).values("fund_source").annotate(n=Sum("count")).values_list("fund_source", "n"))
    return [{"name": f.name, "code": f.code, "count": counts.get(f.code, 0)} for f in FundSource.objects.order_by("id")]


def department_breakdown(scope: StatsScope, *, year: int) -> list[dict[str, Any]]:
    """Jixing's own projects first, then each department that reported records."""
    counts = dict(_sources(scope, year=year).values("department").annotate(n=Sum("count")).values_list("department", "n"))
    rows = [{"name": _("Projects in jixing"), "code": "", "count": counts.pop("", 0)}]
    names = {d.code: d.short_name for d in Department.objects.filter(code__in=list(counts))}
    rows += [{"name": names.get(code, code), "code": code, "count": n} for code, n in sorted(counts.items())]
    return rows


def department_trainings(user: Actor | None, *, status: str = "", q: str = "") -> QuerySet[DepartmentTraining]:
    qs = DepartmentTraining.objects.visible_to(user).select_related(
        "department", "county", "occupation", "fund_source", "duplicate_of__department", "duplicate_enrollment__training_class")
    if status:
        qs = qs.filter(status=status)
    if q:
        qs = qs.filter(Q(name__icontains=q) | Q(programme__icontains=q))
    return qs
