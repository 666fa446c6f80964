"""The policy's targets on the workbench: every target with its number, its source sentence,
time progress, and (for city and county officers) their city's allocation."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from jixing.accounts.roles import READERS
from jixing.core.permissions import AuthedRequest
from jixing.core.workbench import WorkbenchCard

from . import queries


def _targets(request: AuthedRequest) -> dict[str, Any]:
    today = timezone.localdate()
    targets = queries.targets_with_quotes()
    region = request.user.region
    city = region.city_code if region is not None and region.code != "370000" else None
    shares = queries.city_allocations(city, today.year) if city else {}
    for t in targets:
        t.time_progress = queries.target_time_progress(t, today)  # type: ignore[attr-defined]
        t.city_share = shares.get(t.pk)  # type: ignore[attr-defined]
    return {
        "targets": targets,
        "city": region.parent if city and region is not None and region.level == "county" else (region if city else None),
        "overall_progress": queries.time_progress(queries.PERIOD_START, queries.PERIOD_END, today),
        "year_progress": queries.time_progress(today.replace(month=1, day=1), today.replace(month=12, day=31), today),
        "today": today,
    }


CARDS = [WorkbenchCard(template="plan/cards/targets.html", roles=READERS, order=50, context=_targets)]
