"""Plan pages: the ten actions, the targets with their source sentences, and the province's
allocation of targets to cities."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from jixing.accounts.roles import READERS
from jixing.core import audit
from jixing.core.models import AuditOutcome
from jixing.core.pages import run_action
from jixing.core.permissions import ANY_ROLE, AuthedRequest, require_roles

from . import access, actions, queries
from .forms import AllocationForm
from .models import Target


@require_roles(ANY_ROLE)
def action_list(request: AuthedRequest) -> HttpResponse:
    return TemplateResponse(request, "plan/action_list.html", {"actions": queries.actions_with_departments()})


@require_roles(ANY_ROLE)
def target_list(request: AuthedRequest) -> HttpResponse:
    today = timezone.localdate()
    totals = queries.allocation_totals()
    targets = queries.targets_with_quotes()
    for t in targets:
        t.time_progress = queries.target_time_progress(t, today)  # type: ignore[attr-defined]
        t.allocatable = queries.is_allocatable(t)  # type: ignore[attr-defined]
        year = queries.default_allocation_year(t, today)
        t.allocation_year = year  # type: ignore[attr-defined]
        t.allocated = totals.get((t.pk, year))  # type: ignore[attr-defined]
    return TemplateResponse(request, "plan/target_list.html", {
        "targets": targets, "today": today, "may_see_allocations": request.user.role in READERS})


def _year_param(request: HttpRequest, target: Target) -> int | None:
    years = queries.allocation_years(target)
    raw = request.GET.get("year", "")
    if not raw:
        return queries.default_allocation_year(target, timezone.localdate())
    try:
        year = int(raw)
    except ValueError:
        raise Http404 from None
    if year not in years:
        raise Http404
    return year


@require_roles(ANY_ROLE)
def target_allocations(request: AuthedRequest, code: str) -> HttpResponse:
    """Missing and forbidden answer alike (404): a role that may not read allocations learns
    nothing about which targets exist (README; STYLE.md habit 1)."""
    if request.user.role not in READERS:
        raise Http404
    target = get_object_or_404(Target.objects.select_related("action"), code=code)
    if not queries.is_allocatable(target):
        raise Http404
    year = _year_param(request, target)
    summary = queries.allocation_summary(target, year)
    cities = [row.city for row in summary.rows]
    editable = access.can_allocate(request.user)
    initial = {f"city_{row.city.code}": None if row.value is None else int(row.value) for row in summary.rows}
    form = AllocationForm(request.POST if request.method == "POST" else None, cities=cities, initial=initial)
    if request.method == "POST":
        if not editable:
            audit.record("authorization.denied", actor=request.user, object_type="url", object_id=request.path[:64],
                         outcome=AuditOutcome.DENIED, detail={"needs": "province HRSS officer"})
            raise PermissionDenied
        if form.is_valid():
            url = reverse("plan:target_allocations", args=[target.code])
            done = run_action(request, lambda: actions.set_allocations(target, by=request.user, year=year, values=form.values()),
                              form=form, rename={row.city.code: f"city_{row.city.code}" for row in summary.rows},
                              success=_("The allocation was saved."), then=redirect(f"{url}?year={year}" if year else url))
            if done:
                return done
    rows = [(row, form[f"city_{row.city.code}"]) for row in summary.rows]
    target.display_value = queries.display_value(target)  # type: ignore[attr-defined]
    target.display_period = queries.display_period(target)  # type: ignore[attr-defined]
    return TemplateResponse(request, "plan/target_allocations.html", {
        "target": target, "summary": summary, "rows": rows, "form": form, "editable": editable,
        "year": year, "years": queries.allocation_years(target),
        "user_city": request.user.region.city_code if request.user.region is not None else "",
    }, status=400 if request.method == "POST" and form.errors else 200)
