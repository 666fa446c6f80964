"""Writes of the statistics app: generating dispatch reports (调度通报)."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from jixing.accounts.models import User
from jixing.core import audit
from jixing.core.db_router import heavy_reads
from jixing.core.events import publish
from jixing.core.excel import Percent, write_cell
from jixing.core.overdue import overdue_todos_by_county

from . import intake_queries, queries, rollup
from .models import DispatchReport
from .rules import period_bounds, time_progress


def _month_end(period: dt.date) -> dt.date:
    nxt = (period.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    return nxt - dt.timedelta(days=1)


def dispatch_figures(*, period: dt.date, today: dt.date) -> dict[str, Any]:
    """The report's figures for a month: as of the month's end (or today if earlier)."""
    as_of = min(_month_end(period), today)
    scope = queries.StatsScope(until=as_of)
    year = period.year
    rollup.refresh()  # on the primary; the reads below wait for the replica to have replayed it
    with heavy_reads():
        progress = queries.progress_rows(scope, year=year, today=as_of, refresh=False)
        ranking = queries.city_ranking(scope, year=year, today=as_of)
        trend = queries.monthly_trend(scope, year=year)
    start, end = period_bounds("yearly", year)
    month_total = sum(trend[period.month - 1: period.month])
    return {
        "period": f"{period:%Y-%m}",
        "as_of": as_of.isoformat(),
        "time_progress": str(time_progress(start, end, as_of)),
        "headline": {
            "year_total": sum(trend[: period.month]),
            "month_total": month_total,
            "overall": next(({
                "actual": str(r.progress.actual), "target": str(r.progress.target),
                "completion": str(r.progress.completion), "time_progress": str(r.progress.time_share),
            } for r in progress if r.target.code == "overall_subsidized"), None),
        },
        "targets": [{
            "code": r.target.code, "action": r.target.action.number if r.target.action else None,
            "name": r.target.name, "year": r.year, "actual": str(r.progress.actual),
            "target": None if r.progress.target is None else str(r.progress.target),
            "completion": None if r.progress.completion is None else str(r.progress.completion),
            "time_progress": str(r.progress.time_share), "gap": None if r.progress.gap is None else str(r.progress.gap),
            "light": r.progress.light, "note": r.note,
        } for r in progress],
        "cities": [{
            "rank": r["rank"], "code": r["city"].code, "name": r["city"].name, "actual": str(r["progress"].actual),
            "allocation": None if r["progress"].target is None else str(r["progress"].target),
            "completion": None if r["progress"].completion is None else str(r["progress"].completion),
            "light": r["progress"].light,
        } for r in ranking],
        "actions": [{"number": a["action"].number, "name": a["action"].name, "count": a["count"]}
                    for a in queries.action_breakdown(scope, year=year)],
        "lagging": [r.target.name for r in progress if r.progress.light == "red"]
        + [r["city"].name for r in ranking if r["progress"].light == "red"],
        "supervision": _supervision_summary(as_of),
        "overdue_todos": _overdue_todos(today),
        "risk_approvals": _risk_approvals_by_city(period, as_of),
        "class_filings": _class_filings(period, as_of),
        # seed 三: every funded training, by fund source and by reporting department
        "fund_sources": [{"code": r["code"], "name": r["name"], "count": r["count"]}
                         for r in intake_queries.fund_source_breakdown(scope, year=year)],
        "departments": [{"code": r["code"], "name": r["name"], "count": r["count"]}
                        for r in intake_queries.department_breakdown(scope, year=year)],
        "programmes": _programmes(scope, as_of),
    }


def _programmes(scope: queries.StatsScope, as_of: dt.date) -> list[dict[str, Any]]:
    """Named programmes' person-times over their own period (issue 17; chain_progress)."""
    from .chain_progress import programme_rows

    return [{
        "code": r.programme.code, "name": r.programme.name, "department": r.programme.department.short_name,
        "action": r.programme.action.number if r.programme.action else None,
        "period": f"{r.programme.starts_on:%Y-%m-%d}–{r.programme.ends_on:%Y-%m-%d}", "projects": r.projects,
        "actual": str(r.progress.actual), "target": None if r.progress.target is None else str(r.progress.target),
        "completion": None if r.progress.completion is None else str(r.progress.completion),
        "time_progress": str(r.progress.time_share),
    } for r in programme_rows(scope, today=as_of)]


def _class_filings(period: dt.date, as_of: dt.date) -> list[dict[str, Any]]:
    """Class filings (开班备案) made in the month, per county: filed, accepted, returned, pending,
    at short notice (stats reads training; training knows nothing of stats)."""
    from jixing.training.queries import filings_by_county

    return filings_by_county(since=period.replace(day=1), until=as_of)


def _overdue_todos(today: dt.date) -> list[dict[str, Any]]:
    """To-dos past their deadline on the day the report is made, by county (a snapshot: the
    waiting items are today's, whatever month the report is for)."""
    from jixing.registry.models import Region

    counts = overdue_todos_by_county(today)
    names = dict(Region.objects.filter(code__in=counts).values_list("code", "name"))
    rows = [{"code": code, "name": names.get(code, code), "count": n} for code, n in counts.items() if n]
    return sorted(rows, key=lambda r: (-r["count"], r["code"]))


def _risk_approvals_by_city(period: dt.date, as_of: dt.date) -> dict[str, int]:
    """Claim decisions taken this month while a high-severity finding was open (issue 13), per
    city code (the claim's county's city)."""
    from jixing.funds.models import RiskApproval

    counts: dict[str, int] = {}
    for county in RiskApproval.objects.filter(
        at__date__gte=period.replace(day=1), at__date__lte=as_of,
    ).values_list("claim__county_id", flat=True):
        city = f"{county[:4]}00"
        counts[city] = counts.get(city, 0) + 1
    return counts


def _supervision_summary(as_of: dt.date) -> dict[str, Any]:
    """Supervision in the report: findings by rule and status, cases, recoveries (seed 二(六))."""
    from django.db.models import Count, Sum

    from jixing.funds.models import RecoveryOrder
    from jixing.supervision import rules
    from jixing.supervision.models import Case, CaseStatus, Finding, FindingStatus

    names = {code: str(rule.title) for code, rule in rules.by_code().items()}
    findings = Finding.objects.filter(created_at__date__lte=as_of)
    by_rule = dict(findings.values("code").annotate(n=Count("id")).values_list("code", "n"))
    recoveries = RecoveryOrder.objects.filter(created_at__date__lte=as_of)
    amounts = recoveries.aggregate(raised=Sum("amount"))
    summary: dict[str, Any] = {
        _("Findings"): findings.count(),
        _("Open findings"): findings.filter(status__in=[FindingStatus.OPEN, FindingStatus.EXPLAINED, FindingStatus.IN_CASE]).count(),
        _("Confirmed violations"): findings.filter(status=FindingStatus.CONFIRMED).count(),
        _("Cases"): Case.objects.filter(created_at__date__lte=as_of).count(),
        _("Cases with a violation"): Case.objects.filter(created_at__date__lte=as_of, status__in=[CaseStatus.VIOLATION, CaseStatus.CLOSED]).count(),
        _("Recovery orders"): recoveries.count(),
        _("Amount to recover (yuan)"): str(amounts["raised"] or 0),
    }
    for code in sorted(by_rule):
        summary[_("Findings of rule %(code)s %(name)s") % {"code": code, "name": names.get(code, "")}] = by_rule[code]
    return summary


def _pct(value: str | None) -> Percent | str:
    """A ratio as a number cell formatted 0.0% (a negative gap too: no leading apostrophe)."""
    return "—" if value is None or value == "None" else Percent(Decimal(value))


def _number(value: str | None) -> Decimal | str:
    """A figure kept as a string in the report's JSON, back to a number for Excel."""
    if value in (None, "", "None"):
        return ""
    try:
        return Decimal(str(value))
    except InvalidOperation:
        return str(value)


def dispatch_workbook(data: dict[str, Any]) -> bytes:
    """The report as an Excel workbook (every string a text cell, formulas escaped)."""
    import xlsxwriter

    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True, "strings_to_formulas": False, "strings_to_urls": False})
    bold = book.add_format({"bold": True, "bg_color": "#F2F2F2"})
    title = book.add_format({"bold": True, "font_size": 14})
    formats = {"percent": book.add_format({"num_format": "0.0%"}), "date": book.add_format({"num_format": "yyyy-mm-dd"}),
               "datetime": book.add_format({"num_format": "yyyy-mm-dd hh:mm"})}

    def sheet(name: str, heading: str, headers: list[str], rows: list[list[Any]]) -> None:
        ws = book.add_worksheet(name[:31])
        ws.write_string(0, 0, heading, title)
        for c, h in enumerate(headers):
            ws.write_string(2, c, h, bold)
            ws.set_column(c, c, 16 if c else 34)
        for r, row in enumerate(rows, start=3):
            for c, v in enumerate(row):
                write_cell(ws, r, c, v, **formats)

    head = data["headline"]
    heading = _("Dispatch report %(period)s (figures as of %(day)s)") % {"period": data["period"], "day": data["as_of"]}
    overall = head["overall"] or {}
    sheet(_("Summary"), heading, [_("Item"), pgettext("sheet", "Value")], [
        [_("Subsidised person-times 2025–2027"), int(float(overall.get("actual", 0) or 0))],
        [_("Three-year target"), _number(overall.get("target"))],
        [_("Completion"), _pct(overall.get("completion"))],
        [_("Time progress of the action"), _pct(overall.get("time_progress"))],
        [_("Completions this year"), head["year_total"]],
        [_("Completions this month"), head["month_total"]],
        [_("Lagging items"), "；".join(data["lagging"]) or _("none")],
    ])
    sheet(_("By target"), heading, [_("Target"), _("Year"), _("Actual"), _("Target value"), _("Completion"), _("Time progress"), _("Gap")], [
        [t["name"], t["year"] or "2025-2027", int(float(t["actual"])), _number(t["target"]) if t["target"] else t["note"], _pct(t["completion"]),
         _pct(t["time_progress"]), _pct(t["gap"])] for t in data["targets"]
    ])
    risky = data.get("risk_approvals", {})
    sheet(_("By city"), heading, [_("City"), _("Rank"), _("Actual"), pgettext("allocated task", "Allocation"), _("Completion"),
                                  _("Claims approved despite open high-severity findings")], [
        [c["name"], c["rank"], int(float(c["actual"])), _number(c["allocation"]), _pct(c["completion"]), risky.get(c["code"], 0)]
        for c in data["cities"]
    ])
    sheet(_("By action"), heading, [_("Training action"), _("Person-times")], [[f"（{a['number']}）{a['name']}", a["count"]] for a in data["actions"]])
    if data["supervision"]:
        sheet(_("Supervision"), heading, [_("Item"), pgettext("sheet", "Value")],
              [[k, _number(v) if isinstance(v, str) else v] for k, v in data["supervision"].items()])
    sheet(_("Class filings"), heading, [_("County"), _("Code"), _("Filed"), _("Accepted"), _("Returned"), _("Pending"),
                                        _("At short notice")],
          [[r["name"], r["code"], r["filed"], r["accepted"], r["returned"], r["pending"], r["short_notice"]]
           for r in data.get("class_filings", [])])
    sheet(_("By fund source"), heading, [_("Fund source"), _("Person-times")],
          [[r["name"], r["count"]] for r in data.get("fund_sources", [])])
    sheet(_("By department"), heading, [_("Department"), _("Person-times")],
          [[r["name"], r["count"]] for r in data.get("departments", [])])
    sheet(_("Programmes"), heading, [_("Programme"), _("Responsible department"), _("Period"), _("Projects"), _("Actual"),
                                     _("Target value"), _("Completion"), _("Time progress")],
          [[p["name"], p["department"], p["period"], p["projects"], int(float(p["actual"])), _number(p["target"]),
            _pct(p["completion"]), _pct(p["time_progress"])] for p in data.get("programmes", [])])
    sheet(_("Overdue to-dos"), heading, [_("County"), _("Code"), _("Overdue to-dos")],
          [[r["name"], r["code"], r["count"]] for r in data.get("overdue_todos", [])])
    book.close()
    return buffer.getvalue()


def generate_dispatch_report(*, period: dt.date, by: User | None, today: dt.date) -> DispatchReport:
    data = dispatch_figures(period=period, today=today)
    with transaction.atomic():
        report = DispatchReport.objects.create(
            period=period, generated_by=by if getattr(by, "is_authenticated", False) else None,
            as_of=dt.date.fromisoformat(data["as_of"]), data=data, workbook=dispatch_workbook(data),
        )
        audit.record("stats.dispatch_report", actor=by, obj=report, detail={"period": data["period"]})
        publish("stats.export.ready", obj=report, actor=None, period=data["period"])
    return report


# ---------------------------------------------------------------- 优选计划 selection

SELECTION_VALID_YEARS = 2


def propose_selection(*, organisation: Any, year: int, reason: str, by: User, today: dt.date) -> Any:
    """A city (or the province) proposes an institution with its current scorecard."""
    from django.core.exceptions import PermissionDenied, ValidationError

    from .models import InstitutionSelection
    from .rules import institution_scorecard
    from .scorecards import institution_facts

    if not reason.strip():
        raise ValidationError(_("Give the reason for the proposal."))
    if not queries.stats_scope(by, region_code=organisation.county_id).allowed:
        raise PermissionDenied
    card = institution_scorecard(institution_facts([organisation.pk], year=year, today=today)[organisation.pk])
    if not card.selectable:
        raise ValidationError(_("This institution cannot be proposed: it has no trainees this year or has confirmed violations."))
    with transaction.atomic():
        selection = InstitutionSelection.objects.create(
            organisation=organisation, year=year, score=card.score, reason=reason, proposed_by=by,
            scorecard={"rates": {k: None if v is None else str(v) for k, v in card.rates.items()},
                       "facts": {k: str(v) if isinstance(v, Decimal) else v for k, v in card.facts.__dict__.items()}, "reasons": list(card.reasons)},
        )
        audit.record("stats.selection_proposed", actor=by, obj=selection, after={"score": str(card.score)})
    return selection


def decide_selection(selection: Any, *, approve: bool, reason: str, by: User, today: dt.date) -> None:
    """The province decides; the proposer may not decide their own proposal (maker ≠ checker)."""
    from django.core.exceptions import PermissionDenied, ValidationError

    from jixing.core.workflow import move

    from .models import SelectionStatus

    if queries.stats_scope(by).region_prefix is not None:
        raise PermissionDenied
    if selection.proposed_by_id == by.pk:
        raise PermissionDenied(_("You cannot decide a proposal you made yourself."))
    if not approve and not reason.strip():
        raise ValidationError(_("Give the reason for not selecting the institution."))
    with transaction.atomic():
        selection.decided_by = by
        selection.decision_reason = reason
        if approve:
            selection.valid_until = dt.date(selection.year + SELECTION_VALID_YEARS - 1, 12, 31)
        selection.save(update_fields=["decided_by", "decision_reason", "valid_until", "updated_at"])
        move(selection, SelectionStatus.APPROVED if approve else SelectionStatus.REJECTED, by=by, reason=reason,
             event="stats.selection_decided")
