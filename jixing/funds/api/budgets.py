"""Budgets API: list, detail, allocate."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Schema, Status

from jixing.core.access import get_for_user
from jixing.core.api_contract import Year
from jixing.core.permissions import require_api_roles
from jixing.registry.models import Region

from .. import actions, queries
from ..models import Budget
from ..queries import BUDGET_READERS, BUDGET_WRITERS
from .common import router

# ---------------------------------------------------------------- budgets


class BalancesOut(Schema):
    available: Decimal
    committed: Decimal
    paid: Decimal
    receivable: Decimal
    written_off: Decimal


class BudgetOut(Schema):
    id: int
    fund_source: str = Field(description="fund source code")
    year: int
    region: str = Field(description="GB/T 2260 code")
    action: int | None = Field(None, description="action number, or null for all actions")
    parent: int | None
    balances: BalancesOut


def _budget_out(budget: Budget, balances: dict[str, Decimal]) -> dict[str, Any]:
    return {"id": budget.pk, "fund_source": budget.fund_source.code, "year": budget.year, "region": budget.region_id,
            "action": budget.action.number if budget.action is not None else None, "parent": budget.parent_id,
            "balances": balances}


@router.get("/budgets", response=list[BudgetOut])
def list_budgets(request: HttpRequest, year: Year | None = None, fund_source: str = "") -> Any:
    require_api_roles(request, *BUDGET_READERS)
    budgets = list(queries.budgets_for(request.user, year=year, fund_source=fund_source)[:1000])
    balances = queries.balances_of(budgets)
    return [_budget_out(b, balances[b.pk]) for b in budgets]


@router.get("/budgets/{budget_id}", response=BudgetOut)
def get_budget(request: HttpRequest, budget_id: int) -> Any:
    require_api_roles(request, *BUDGET_READERS)
    budget = get_for_user(Budget.objects.select_related("fund_source", "action"), request.user, budget_id)
    return _budget_out(budget, queries.balances_of([budget])[budget.pk])


class AllocationIn(Schema):
    region: str = Field(max_length=6, description="code of a region directly below the budget's region")
    amount: Decimal = Field(gt=0, max_digits=16, decimal_places=2)
    document: str = Field("", max_length=100)


class BudgetAllocationOut(Schema):
    id: int
    source_budget: int | None
    target_budget: int
    amount: Decimal


@router.post("/budgets/{budget_id}/allocations", response={201: BudgetAllocationOut})
def allocate(request: HttpRequest, budget_id: int, payload: AllocationIn) -> Any:
    require_api_roles(request, *BUDGET_WRITERS)
    budget = get_for_user(Budget.objects.select_related("region", "fund_source"), request.user, budget_id)
    region = Region.objects.filter(pk=payload.region).first()
    if region is None:
        raise ValidationError({"region": _("Unknown region code.")})
    allocation = actions.allocate(budget, by=request.user, region=region, amount=payload.amount, document=payload.document)
    return Status(201, {"id": allocation.pk, "source_budget": allocation.source_id, "target_budget": allocation.target_id,
                        "amount": allocation.amount})
