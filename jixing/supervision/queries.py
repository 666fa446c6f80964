"""Reads for the supervision pages and API: scoped finding and case lists, dashboard figures."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.db.models.functions import Substr, TruncWeek
from django.utils import timezone

from jixing.core.access import within_region
from jixing.core.actor import Actor
from jixing.registry.models import Region

from . import rules
from .models import Case, CaseStatus, Finding, FindingStatus, SupervisionRun

PAGE_SIZE = 50


def findings_for(user: Actor, *, code: str = "", status: str = "", organisation: int | None = None,
                 county: str = "") -> QuerySet[Finding]:
    qs = Finding.objects.visible_to(user).select_related("organisation", "county", "case")
    if code:
        qs = qs.filter(code=code)
    if status == "unresolved":
        qs = qs.unresolved()
    elif status:
        qs = qs.filter(status=status)
    if organisation:
        qs = qs.filter(organisation_id=organisation)
    if county:
        qs = qs.filter(within_region("county", county))
    return qs.order_by("-created_at", "-id")


def cases_for(user: Actor, *, status: str = "") -> QuerySet[Case]:
    qs = Case.objects.visible_to(user).select_related("organisation", "county", "assigned_to").annotate(
        finding_count=Count("findings"))
    if status == "active":
        qs = qs.exclude(status__in=[CaseStatus.CLEARED, CaseStatus.CLOSED, CaseStatus.OVERTURNED])
    elif status:
        qs = qs.filter(status=status)
    return qs.order_by("-created_at", "-id")


def dashboard(user: Actor, *, weeks: int = 12) -> dict[str, Any]:
    """Open findings by rule, city and institution; new findings by week."""
    visible = Finding.objects.visible_to(user)
    unresolved = visible.unresolved()
    registry = rules.by_code()
    counts = {r["code"]: r["n"] for r in unresolved.values("code").annotate(n=Count("id"))}
    high = {r["code"]: r["n"] for r in unresolved.filter(severity="high").values("code").annotate(n=Count("id"))}
    by_rule = [{"code": code, "title": str(rule.title), "open": counts.get(code, 0), "high": high.get(code, 0)}
               for code, rule in registry.items()]
    city_rows = (unresolved.exclude(county__isnull=True).annotate(city=Substr("county__code", 1, 4))
                 .values("city").annotate(n=Count("id")).order_by("-n"))
    city_names = dict(Region.objects.filter(level="city").values_list("code", "name"))
    by_city = [{"code": r["city"] + "00", "name": city_names.get(r["city"] + "00", r["city"]), "open": r["n"]}
               for r in city_rows]
    by_institution = list(
        unresolved.exclude(organisation__isnull=True).values("organisation_id", "organisation__name")
        .annotate(n=Count("id"), high=Count("id", filter=Q(severity="high"))).order_by("-n")[:15]
    )
    since = timezone.localdate() - dt.timedelta(weeks=weeks)
    weekly = (visible.filter(created_at__date__gte=since).annotate(week=TruncWeek("created_at"))
              .values("week", "code").annotate(n=Count("id")).order_by("week"))
    week_labels = sorted({timezone.localtime(r["week"]).date().isoformat() if isinstance(r["week"], dt.datetime)
                          else str(r["week"])[:10] for r in weekly})
    series: dict[str, list[int]] = {code: [0] * len(week_labels) for code in registry}
    for r in weekly:
        label = (timezone.localtime(r["week"]).date().isoformat() if isinstance(r["week"], dt.datetime)
                 else str(r["week"])[:10])
        series[r["code"]][week_labels.index(label)] += r["n"]
    return {
        "open_total": unresolved.count(),
        "high_total": unresolved.filter(severity="high").count(),
        "in_case": visible.filter(status=FindingStatus.IN_CASE).count(),
        "cases_active": Case.objects.visible_to(user).exclude(status__in=[CaseStatus.CLEARED, CaseStatus.CLOSED, CaseStatus.OVERTURNED]).count(),
        "by_rule": by_rule,
        "by_city": by_city,
        "by_institution": by_institution,
        "trend": {"weeks": week_labels, "series": [{"code": c, "data": d} for c, d in series.items() if any(d)]},
        "last_runs": last_runs(),
    }


def last_runs() -> list[SupervisionRun]:
    seen: dict[str, SupervisionRun] = {}
    for run in SupervisionRun.objects.order_by("-started_at")[:200]:
        seen.setdefault(run.code, run)
    names = {code: rule.title for code, rule in rules.by_code().items()}
    for code, run in seen.items():
        run.title = names.get(code, "")  # type: ignore[attr-defined]  # shown with the code, never the code alone
    return [seen[c] for c in sorted(seen)]


def institution_overview(user: Actor) -> dict[str, Any]:
    return {
        "awaiting": Case.objects.visible_to(user).filter(status=CaseStatus.AWAITING_EXPLANATION).order_by("explanation_due"),
        "cases": Case.objects.visible_to(user).order_by("-created_at")[:50],
        "findings": Finding.objects.visible_to(user).order_by("-created_at")[:200],
    }
