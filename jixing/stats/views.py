"""Statistics pages: the dashboard (province, city, county or department scope), the
records behind every figure, dispatch reports."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from jixing.accounts.models import Role
from jixing.core import audit
from jixing.core.access import get_for_user
from jixing.core.pages import run_action
from jixing.core.permissions import AuthedRequest, public, require_roles

from . import actions, exports, queries, rollup
from .forms import PeriodForm
from .models import DispatchReport, InstitutionSelection, SelectionStatus
from .queries import PROGRAMME_YEARS
from .roles import STATS_ROLES


def _today() -> dt.date:
    return timezone.localdate()


def _year(request: HttpRequest, today: dt.date) -> int:
    try:
        year = int(request.GET.get("year", today.year))
    except ValueError:
        raise Http404 from None
    if year not in PROGRAMME_YEARS:
        raise Http404
    return year


def _scope(request: HttpRequest) -> queries.StatsScope:
    scope = queries.stats_scope(request.user, region_code=request.GET.get("region") or None)
    if not scope.allowed:
        raise Http404
    return scope


@require_roles(*STATS_ROLES)
def dashboard(request: AuthedRequest) -> HttpResponse:
    today = _today()
    year = _year(request, today)
    scope = _scope(request)
    data = exports.dashboard_tables(scope, year=year, today=today)
    table = request.GET.get("export")
    if table:
        audit.record("stats.export", actor=request.user, object_type="stats.table", object_id=table,
                     detail={"year": year, "region": scope.region_prefix or "37"})
        return exports.table_response(data, table, filename=f"jixing-{table}-{year}")
    context: dict[str, Any] = {
        "scope": scope, "year": year, "years": PROGRAMME_YEARS, "today": today, **data,
        "region": request.GET.get("region", ""),
        "chart_data": exports.chart_payload(data),
    }
    return TemplateResponse(request, "stats/dashboard.html", context)


@require_roles(*STATS_ROLES)
def records(request: AuthedRequest) -> HttpResponse:
    """The enrollments behind a figure, within the viewer's scope."""
    scope = _scope(request)
    params = request.GET

    def month(name: str) -> dt.date | None:
        raw = params.get(name)
        if not raw:
            return None
        try:
            return dt.datetime.strptime(raw, "%Y-%m").date()
        except ValueError:
            raise Http404 from None

    rollup.refresh()
    try:
        year = int(params["year"]) if params.get("year") else None
        action = int(params["action"]) if params.get("action") else None
    except ValueError:
        raise Http404 from None
    qs = queries.counted_enrollments(
        scope, year=year, month=month("month"), date_from=month("from"), date_to=month("to"),
        county=params.get("county") or None, action=action, target_code=params.get("target") or None,
    ).select_related("person", "training_class__project__organiser", "training_class__project__action").order_by("-completed_on", "id")
    page = Paginator(qs, 50).get_page(params.get("page"))
    return TemplateResponse(request, "stats/records.html", {"page": page, "scope": scope, "query": params.urlencode()})


@require_roles(*STATS_ROLES)
def reports(request: AuthedRequest) -> HttpResponse:
    form = PeriodForm(request.GET or None)
    history = DispatchReport.objects.order_by("-period", "-generated_at")[:50]
    return TemplateResponse(request, "stats/reports.html", {"form": form, "reports": history})


@require_POST
@require_roles(Role.HRSS_OFFICER)
def generate_report(request: AuthedRequest) -> HttpResponse:
    if queries.stats_scope(request.user).region_prefix is not None:
        raise Http404  # dispatch reports are the province's
    form = PeriodForm(request.POST)
    if not form.is_valid():
        history = DispatchReport.objects.order_by("-period", "-generated_at")[:50]
        return TemplateResponse(request, "stats/reports.html", {"form": form, "reports": history}, status=422)
    report = actions.generate_dispatch_report(period=form.cleaned_data["period"], by=request.user, today=_today())
    return redirect("stats:report", pk=report.pk)


@require_roles(*STATS_ROLES)
def report(request: AuthedRequest, pk: int) -> HttpResponse:
    report = get_object_or_404(DispatchReport, pk=pk)
    return TemplateResponse(request, "stats/report.html", {"report": report, "data": report.data})


@require_roles(*STATS_ROLES)
def report_download(request: AuthedRequest, pk: int) -> HttpResponse:
    report = get_object_or_404(DispatchReport, pk=pk)
    audit.record("stats.report_download", actor=request.user, obj=report)
    response = HttpResponse(
        bytes(report.workbook),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f'attachment; filename="dispatch-{report.period:%Y-%m}.xlsx"'
    return response


# ---------------------------------------------------------------- scorecards and 优选计划


@require_roles(*STATS_ROLES)
def institution_scorecards(request: AuthedRequest) -> HttpResponse:
    from .scorecards import ranked_institutions

    today = _today()
    year = _year(request, today)
    scope = _scope(request)
    ranked = ranked_institutions(scope, year=year, today=today)
    selections = {
        s.organisation_id: s for s in InstitutionSelection.objects.filter(year=year).exclude(status=SelectionStatus.REJECTED)
    }
    rows = [{"r": r, "selection": selections.get(r.organisation.pk)} for r in ranked]
    return TemplateResponse(request, "stats/scorecards.html", {
        "rows": rows, "year": year, "years": PROGRAMME_YEARS, "scope": scope,
        "can_propose": request.user.role == Role.HRSS_OFFICER,
    })


@require_roles(*STATS_ROLES)
def evaluator_scorecards(request: AuthedRequest) -> HttpResponse:
    from .scorecards import evaluator_rows

    today = _today()
    year = _year(request, today)
    scope = _scope(request)
    return TemplateResponse(request, "stats/evaluators.html", {
        "rows": evaluator_rows(scope, year=year), "year": year, "years": PROGRAMME_YEARS, "scope": scope,
    })


@require_POST
@require_roles(Role.HRSS_OFFICER)
def propose(request: AuthedRequest, organisation_id: int) -> HttpResponse:
    from jixing.registry.models import Organisation

    organisation = get_for_user(Organisation.objects.all(), request.user, organisation_id)
    today = _today()
    try:
        run_action(request, lambda: actions.propose_selection(organisation=organisation, year=_year(request, today),
                                                              by=request.user, today=today,
                                                              reason=request.POST.get("reason", "")),
                   success=_("%(name)s was proposed for the selection.") % {"name": organisation.name})
    except PermissionDenied:  # an organisation outside the officer's remit: as if missing
        raise Http404 from None
    return redirect(f"{reverse('stats:scorecards')}?year={_year(request, today)}")


@require_roles(*STATS_ROLES)
def selections(request: AuthedRequest) -> HttpResponse:
    qs = InstitutionSelection.objects.visible_to(request.user).select_related("organisation", "proposed_by", "decided_by")
    return TemplateResponse(request, "stats/selections.html", {"selections": qs[:200]})


@require_POST
@require_roles(Role.HRSS_OFFICER)
def decide(request: AuthedRequest, pk: int) -> HttpResponse:
    selection = get_for_user(InstitutionSelection.objects.all(), request.user, pk)
    try:
        run_action(request, lambda: actions.decide_selection(selection, approve=request.POST.get("decision") == "approve",
                                                             reason=request.POST.get("reason", ""), by=request.user,
                                                             today=_today()))
    except PermissionDenied as exc:
        if not str(exc):
            raise Http404 from None
        return TemplateResponse(request, "web/error.html", {"code": 403, "message": str(exc)}, status=403)
    return redirect("stats:selections")


@public
def institution_profile(request: HttpRequest, organisation_id: int) -> HttpResponse:
    """Public profile of a training institution: its 优选 status and headline outcomes."""
    from jixing.registry.models import Organisation

    organisation = get_object_or_404(Organisation.objects.active(), pk=organisation_id)
    current = InstitutionSelection.objects.current(_today()).filter(organisation=organisation).order_by("-year").first()
    return TemplateResponse(request, "stats/profile.html", {"organisation": organisation, "selection": current})
