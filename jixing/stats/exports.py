"""Dashboard tables: the same figures feed the page, its charts and the Excel exports."""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.http import Http404, HttpResponse
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from jixing.core.db_router import heavy_reads
from jixing.core.excel import Percent, XlsxStream

from . import intake_queries, queries, rollup
from .queries import StatsScope


@dataclass
class Table:
    key: str
    title: str
    headers: list[str]
    rows: list[list[Any]]


def pct(value: Decimal | None) -> Percent | str:
    """A ratio as a percentage: a number formatted 0.0% in Excel, "63.8%" on the page."""
    return "—" if value is None else Percent(value)


def light_label(light: str | None) -> str:
    return {"green": _("on track"), "yellow": _("slightly behind"), "red": _("behind")}.get(light or "", "—")


def dashboard_tables(scope: StatsScope, *, year: int, today: dt.date) -> dict[str, Any]:
    rollup.refresh()  # on the primary; the reads below wait for the replica to have replayed it
    with heavy_reads():
        progress = queries.progress_rows(scope, year=year, today=today, refresh=False)
        ranking = queries.city_ranking(scope, year=year, today=today) if not scope.action_numbers else []
        trend = queries.monthly_trend(scope, year=year)
        by_action = queries.action_breakdown(scope, year=year)
        by_county = queries.county_breakdown(scope, year=year) if scope.region_prefix else []
        funnel = queries.funnel(scope, year=year, today=today)
        colleges = queries.college_checks(scope, year=year) if scope.action_numbers is None else []
        by_origin = queries.origin_breakdown(scope, year=year)
        by_fund_source = intake_queries.fund_source_breakdown(scope, year=year)
        by_department = intake_queries.department_breakdown(scope, year=year)
    tables = {
        "progress": Table("progress", _("Progress against every target"), [
            _("Training action"), _("Target"), _("Period"), _("Actual"), _("Target value"), _("Completion"),
            _("Time progress"), _("Gap"), _("Status"),
        ], [[
            r.target.action.number if r.target.action else "", r.target.name,
            str(r.year) if r.year else r.target.period, int(r.progress.actual),
            "" if r.progress.target is None else int(r.progress.target), pct(r.progress.completion),
            pct(r.progress.time_share), pct(r.progress.gap), light_label(r.progress.light),
        ] for r in progress]),
        "ranking": Table("ranking", _("City ranking"), [
            _("Rank"), _("City"), _("Actual"), pgettext("allocated task", "Allocation"), _("Completion"), _("Time progress"), _("Status"),
        ], [[
            r["rank"], r["city"].name, int(r["progress"].actual),
            "" if r["progress"].target is None else int(r["progress"].target), pct(r["progress"].completion),
            pct(r["progress"].time_share), light_label(r["progress"].light),
        ] for r in ranking]),
        "trend": Table("trend", _("Completions by month"), [_("Month"), _("Person-times")],
                       [[f"{year}-{m:02d}", n] for m, n in enumerate(trend, start=1)]),
        "actions": Table("actions", _("By action"), [_("Training action"), _("Person-times")],
                         [[str(a["action"]), a["count"]] for a in by_action]),
        "counties": Table("counties", _("By county"), [_("County"), _("Person-times")],
                          [[c["county"].name, c["count"]] for c in by_county]),
        "origins": Table("origins", _("By household region"),
                         [_("Household region"), _("Person-times")],
                         [[o["region"].name, o["count"]] for o in by_origin]),
        "fund_sources": Table("fund_sources", _("By fund source"), [_("Fund source"), _("Person-times")],
                              [[r["name"], r["count"]] for r in by_fund_source]),
        "departments": Table("departments", _("By department"), [_("Department"), _("Person-times")],
                             [[r["name"], r["count"]] for r in by_department]),
        "funnel": Table("funnel", _("From enrollment to employment"), [_("Stage"), pgettext("count", "Persons")],
                        [[s["label"], s["count"]] for s in funnel]),
        "colleges": Table("colleges", _("Vocational colleges: social training vs enrolled students"), [
            _("College"), _("Trained"), _("Enrolled students"), _("Ratio"), _("Meets 1×"),
        ], [[c["organisation"].name, c["trained"], c["enrolled"], c["ratio"], _("yes") if c["meets"] else _("no")]
            for c in colleges]),
    }
    overall = next((r for r in progress if r.target.code == "overall_subsidized"), None)
    return {
        "progress_rows": progress, "ranking": ranking, "trend": trend, "by_action": by_action,
        "by_county": by_county, "by_origin": by_origin, "funnel": funnel, "colleges": colleges, "tables": tables, "overall": overall,
        "year_total": sum(trend), "by_fund_source": by_fund_source, "by_department": by_department,
    }


def chart_payload(data: dict[str, Any]) -> dict[str, Any]:
    """Plain JSON for the ECharts on the dashboard."""
    progress = [r for r in data["progress_rows"] if r.progress.completion is not None]
    return {
        "progress": {
            "names": [(f"（{r.target.action.number}）" if r.target.action else "") + r.target.name[:8] for r in progress],
            "completion": [float(r.progress.completion * 100) for r in progress],
            "time": [float(r.progress.time_share * 100) for r in progress],
        },
        "ranking": {
            "names": [r["city"].short_name or r["city"].name for r in data["ranking"]],
            "values": [int(r["progress"].actual) for r in data["ranking"]],
        },
        "trend": data["trend"],
        "actions": [{"name": a["action"].name, "value": a["count"]} for a in data["by_action"]],
        "funnel": [{"name": s["label"], "value": s["count"]} for s in data["funnel"]],
        "labels": {
            "completion": _("completion %"),
            "time": _("time progress %"),
            "months": [date_format(dt.date(2000, m, 1), "M") for m in range(1, 13)],  # Jan / 一月
        },
    }


def table_response(data: dict[str, Any], key: str, *, filename: str) -> HttpResponse:
    table: Table | None = data["tables"].get(key)
    if table is None:
        raise Http404
    buffer = io.BytesIO()
    with XlsxStream(buffer, sheet_name=table.title) as out:
        out.header(table.headers)
        for row in table.rows[: settings.JIXING_EXPORT_MAX_ROWS]:
            out.row(row)
    response = HttpResponse(buffer.getvalue(), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = f'attachment; filename="{filename}.xlsx"'
    return response
