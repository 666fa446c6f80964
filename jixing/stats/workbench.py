"""Workbench tiles: live subsidised person-times against the target, in the viewer's scope."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils import timezone

from jixing.accounts.models import Role
from jixing.core.workbench import WorkbenchCard

from . import queries


def _progress(request: HttpRequest) -> dict[str, Any] | None:
    scope = queries.stats_scope(request.user)
    if not scope.allowed:
        return None
    today = timezone.localdate()
    if today.year not in queries.PROGRAMME_YEARS:
        return None
    rows = queries.progress_rows(scope, year=today.year, today=today)
    overall = next((r for r in rows if r.target.code == "overall_subsidized"), None)
    lagging = [r for r in rows if r.progress.light == "red"]
    return {"overall": overall, "lagging": lagging, "year": today.year,
            "year_total": sum(queries.monthly_trend(scope, year=today.year))}


CARDS = [
    WorkbenchCard(
        template="stats/cards/progress.html",
        roles=frozenset({Role.HRSS_OFFICER, Role.SECTOR_OFFICER, Role.FINANCE_OFFICER, Role.AUDITOR}),
        order=5, context=_progress, size="stat",
    ),
]
