"""Budget pages: list, create, detail, allocate and appropriate."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from jixing.core.access import get_for_user
from jixing.core.pages import run_action
from jixing.core.permissions import AuthedRequest, require_roles
from jixing.registry.models import RegionLevel

from .. import actions, queries
from ..forms import AllocationForm, AppropriationForm, BudgetForm
from ..models import Budget
from ..queries import BUDGET_READERS, BUDGET_WRITERS
from .common import _page


@require_roles(*BUDGET_READERS)
def budget_list(request: AuthedRequest) -> HttpResponse:
    try:
        year = int(request.GET.get("year") or timezone.localdate().year)
    except ValueError:
        year = timezone.localdate().year
    budgets = list(queries.budgets_for(request.user, year=year, fund_source=request.GET.get("source", "")))
    balances = queries.balances_of(budgets)
    rows = [(b, balances[b.pk]) for b in budgets]
    form = BudgetForm(user=request.user, initial={"year": year}) if request.user.role in BUDGET_WRITERS else None
    return TemplateResponse(request, "funds/budget_list.html", {
        "rows": rows, "year": year, "years": range(2025, max(2027, timezone.localdate().year) + 1),
        "totals": queries.budget_summary(request.user, year=year), "form": form,
        "blocked": queries.open_issues_blocking(request.user.region_id).exists() if request.user.region_id else False,
    })


@require_POST
@require_roles(*BUDGET_WRITERS)
def budget_create(request: AuthedRequest) -> HttpResponse:
    form = BudgetForm(request.POST, user=request.user)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, str(error))  # an ErrorList yields its messages as str
        return redirect("funds:budget_list")
    d = form.cleaned_data
    return run_action(request, lambda: actions.create_budget(
        by=request.user, fund_source=d["fund_source"], year=d["year"], region=d["region"], action=d["action"],
        amount=d["amount"], document=d["document"]), success=_("Budget created."),
        then=lambda budget: redirect("funds:budget_detail", pk=budget.pk), fallback=redirect("funds:budget_list"),
        show_forbidden=True)


@require_roles(*BUDGET_READERS)
def budget_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    budget = get_for_user(Budget.objects.select_related("fund_source", "region", "action", "parent"), request.user, pk)
    children = list(budget.children.select_related("region").order_by("region_id"))
    balances = queries.balances_of([budget, *children])
    can_write = request.user.role in BUDGET_WRITERS
    lines = _page(request, queries.postings_for_budget(budget), size=30)
    for line in lines:
        line.ref_url = queries.posting_reference_url(line.posting)
    return TemplateResponse(request, "funds/budget_detail.html", {
        "budget": budget, "balance": balances[budget.pk], "children": [(c, balances[c.pk]) for c in children],
        "page_obj": lines, "can_write": can_write,
        "allocate_form": AllocationForm(parent_region=budget.region) if can_write and budget.region.level != RegionLevel.COUNTY else None,
        "appropriate_form": AppropriationForm() if can_write else None,
        "claims": budget.claims.order_by("-id")[:20],
    })


@require_POST
@require_roles(*BUDGET_WRITERS)
def budget_allocate(request: AuthedRequest, pk: int) -> HttpResponse:
    budget = get_for_user(Budget.objects.select_related("region", "fund_source"), request.user, pk)
    form = AllocationForm(request.POST, parent_region=budget.region)
    back = redirect("funds:budget_detail", pk=budget.pk)
    if not form.is_valid():
        messages.error(request, _("Check the region and the amount."))
        return back
    d = form.cleaned_data
    return run_action(request, lambda: actions.allocate(budget, by=request.user, region=d["region"], amount=d["amount"],
                                                        document=d["document"]),
                      success=_("Allocated."), then=back, show_forbidden=True)


@require_POST
@require_roles(*BUDGET_WRITERS)
def budget_appropriate(request: AuthedRequest, pk: int) -> HttpResponse:
    budget = get_for_user(Budget.objects.select_related("region", "fund_source"), request.user, pk)
    form = AppropriationForm(request.POST)
    back = redirect("funds:budget_detail", pk=budget.pk)
    if not form.is_valid():
        messages.error(request, _("Check the amount."))
        return back
    d = form.cleaned_data
    return run_action(request, lambda: actions.appropriate(budget, by=request.user, amount=d["amount"], document=d["document"]),
                      success=_("Appropriation recorded."), then=back, show_forbidden=True)
