"""Supervision lists for the shared list machinery (jixing/core/listing.py): findings, cases."""

from __future__ import annotations

from django.http import QueryDict
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from jixing.core.actor import Actor
from jixing.core.listing import Column, Filtered, Kind, ListSpec, date_range, describe_choice, register

from . import queries, rules
from .models import Case, CaseStatus, Finding, FindingStatus, Severity
from .roles import EVERY_VIEWER as VIEWERS

STATUS = pgettext_lazy("supervision", "status")


def rule_label(code: str) -> str:
    """A rule code with its name: "R01 同一人同一年度重复享受补贴"."""
    rule = rules.by_code().get(code)
    return f"{code} {rule.title}" if rule is not None else code


def finding_rows(user: Actor, params: QueryDict) -> Filtered:
    code = params.get("rule", "")
    code = code if code in rules.by_code() else ""
    status = params.get("status", "unresolved")
    try:
        org = int(params.get("organisation") or 0) or None
    except ValueError:
        org = None
    qs = queries.findings_for(user, code=code, status=status, organisation=org, county=params.get("region", "")[:6])
    described: list[tuple[str, str]] = []
    if code:
        described.append((str(_("rule")), rule_label(code)))
    if status == "unresolved":
        described.append((str(STATUS), str(_("unresolved"))))
    else:
        described += describe_choice(params, "status", STATUS, FindingStatus.choices)
    described += describe_choice(params, "severity", _("severity"), Severity.choices)
    if params.get("severity") in Severity.values:
        qs = qs.filter(severity=params["severity"])
    qs, dates = date_range(qs, params, "created_at", _("found"))
    return Filtered(qs, described + dates)


FINDINGS = register(ListSpec(
    name="supervision.findings",
    title=_("Findings"),
    roles=VIEWERS,
    rows=finding_rows,
    columns=(
        Column("rule", _("rule"), lambda f: rule_label(f.code), sort="code", width=30),
        Column("subject", _("subject"), lambda f: f.subject_label, sort="subject_label", width=30),
        Column("organisation", _("institution"), lambda f: f.organisation.name if f.organisation else "",
               sort="organisation__name", width=24),
        Column("county", _("county"), lambda f: f.county.name if f.county else "", sort="county__code"),
        Column("severity", _("severity"), lambda f: f.get_severity_display(), sort="severity"),
        Column("status", STATUS, lambda f: f.get_status_display(), sort="status"),
        Column("case", _("case"), lambda f: f.case.number if f.case else "", kind=Kind.ID_TEXT),
        Column("found", _("found"), lambda f: f.created_at, sort="created_at", kind=Kind.DATETIME, width=18),
        Column("last_seen", _("last seen"), lambda f: f.last_seen_at, sort="last_seen_at", kind=Kind.DATETIME, width=18),
    ),
    default_sort="-found",
))


def case_rows(user: Actor, params: QueryDict) -> Filtered:
    status = params.get("status", "active")
    qs = queries.cases_for(user, status=status)
    if status == "active":
        described = [(str(STATUS), str(pgettext_lazy("supervision", "active")))]
    else:
        described = describe_choice(params, "status", STATUS, CaseStatus.choices)
    qs, dates = date_range(qs, params, "created_at", _("opened"))
    return Filtered(qs, described + dates)


def _assignee(c: Case) -> str:
    return (c.assigned_to.get_full_name() or c.assigned_to.username) if c.assigned_to else ""


CASES = register(ListSpec(
    name="supervision.cases",
    title=_("Supervision cases"),
    roles=VIEWERS,
    rows=case_rows,
    columns=(
        Column("number", _("case number"), lambda c: c.number, sort="number", kind=Kind.ID_TEXT, width=20),
        Column("title", _("title"), lambda c: c.title, sort="title", width=30),
        Column("organisation", _("institution"), lambda c: c.organisation.name if c.organisation else "",
               sort="organisation__name", width=24),
        Column("county", _("county"), lambda c: c.county.name, sort="county__code"),
        Column("findings", _("findings"), lambda c: c.finding_count, sort="finding_count", kind=Kind.INTEGER),
        Column("assigned", _("assigned to"), _assignee),
        Column("status", STATUS, lambda c: c.get_status_display(), sort="status"),
        Column("due", _("explanation due"), lambda c: c.explanation_due, sort="explanation_due", kind=Kind.DATE),
        Column("opened", _("opened"), lambda c: c.created_at, sort="created_at", kind=Kind.DATETIME, width=18),
    ),
    default_sort="-opened",
))

__all__ = ["CASES", "FINDINGS", "Finding", "rule_label"]
