"""Budgets: create, appropriate and allocate down the region tree (seed 二(五) 资金保障)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from jixing.core import audit
from jixing.core.money import yuan
from jixing.plan.models import Action, FundSource
from jixing.registry.models import Region

from .. import ledger
from ..models import ZERO, AccountKind, Allocation, Budget, PostingKind, ReferenceType
from .common import _amount, _require_finance


def _budget_snapshot(budget: Budget) -> dict[str, Any]:
    return {"fund_source": budget.fund_source.code, "year": budget.year, "region": budget.region_id,
            "action": budget.action.number if budget.action is not None else None}


def create_budget(
    *, by: Any, fund_source: FundSource, year: int, region: Region, action: Action | None = None,
    amount: Decimal | str | int = 0, document: str = "", note: str = "",
) -> Budget:
    """A budget funded from the treasury (an appropriation of ``amount``, may be 0)."""
    _require_finance(by, region.code)
    if not 2000 <= int(year) <= 2100:
        raise ValidationError({"year": _("Enter a year such as 2026.")})
    appropriation = yuan(amount) if amount not in (None, "", 0) else ZERO
    if appropriation < 0:
        raise ValidationError({"amount": _("The amount must not be negative.")})
    if Budget.objects.filter(fund_source=fund_source, year=year, region=region, action=action).exists():
        raise ValidationError(_("A budget for this fund source, year, region and action already exists."))
    with transaction.atomic():
        budget = Budget.objects.create(
            fund_source=fund_source, year=year, region=region, action=action, note=note[:200], created_by=by,
        )
        ledger.open_budget_accounts(budget)
        if appropriation > 0:
            _appropriate(budget, by=by, amount=appropriation, document=document, note=note)
        audit.record("funds.budget.create", actor=by, obj=budget,
                     after={**_budget_snapshot(budget), "appropriation": str(appropriation)})
    return budget


def _appropriate(budget: Budget, *, by: Any, amount: Decimal, document: str, note: str) -> Allocation:
    allocation = Allocation.objects.create(
        source=None, target=budget, amount=amount, document=document[:100], note=note[:200], created_by=by,
    )
    ledger.post(
        kind=PostingKind.APPROPRIATION, reference_type=ReferenceType.ALLOCATION, reference_id=allocation.pk,
        legs=ledger.transfer(ledger.treasury_account(budget.fund_source), ledger.budget_account(budget, AccountKind.AVAILABLE), amount),
        by=by, memo=_("Appropriation %(doc)s") % {"doc": document or ""},
    )
    return allocation


def appropriate(budget: Budget, *, by: Any, amount: Decimal | str | int, document: str = "", note: str = "") -> Allocation:
    """More money from the treasury into a budget (e.g. a second tranche)."""
    _require_finance(by, budget.region_id)
    value = _amount(amount)
    with transaction.atomic():
        allocation = _appropriate(budget, by=by, amount=value, document=document, note=note)
        audit.record("funds.budget.appropriate", actor=by, obj=budget, after={"amount": str(value), "document": document})
    return allocation


def allocate(
    parent: Budget, *, by: Any, region: Region, amount: Decimal | str | int, document: str = "", note: str = "",
) -> Allocation:
    """Move money from ``parent`` to the budget of a child region (province → city → county),
    creating the child budget on first use. Never more than the parent's available balance."""
    _require_finance(by, parent.region_id)
    value = _amount(amount)
    if region.parent_id != parent.region_id:
        raise ValidationError({"region": _("Allocate only to a region directly below the budget's region.")})
    with transaction.atomic():
        child = Budget.objects.select_for_update().filter(
            fund_source=parent.fund_source, year=parent.year, region=region, action=parent.action
        ).first()
        if child is None:
            child = Budget.objects.create(
                fund_source=parent.fund_source, year=parent.year, region=region, action=parent.action,
                parent=parent, created_by=by,
            )
            ledger.open_budget_accounts(child)
        elif child.parent_id is None:
            child.parent = parent
            child.save(update_fields=["parent", "updated_at"])
        elif child.parent_id != parent.pk:
            raise ValidationError(_("That region's budget is allocated from another budget."))
        allocation = Allocation.objects.create(
            source=parent, target=child, amount=value, document=document[:100], note=note[:200], created_by=by,
        )
        try:
            ledger.post(
                kind=PostingKind.ALLOCATION, reference_type=ReferenceType.ALLOCATION, reference_id=allocation.pk,
                legs=ledger.transfer(
                    ledger.budget_account(parent, AccountKind.AVAILABLE), ledger.budget_account(child, AccountKind.AVAILABLE), value,
                ),
                by=by, memo=_("Allocation to %(region)s") % {"region": region.name},
            )
        except ledger.InsufficientFunds:
            raise ValidationError(
                _("The allocation of %(amount)s yuan exceeds the available balance of %(budget)s (%(balance)s yuan).")
                % {"amount": value, "budget": parent, "balance": parent.balance(AccountKind.AVAILABLE)}
            )
        audit.record("funds.budget.allocate", actor=by, obj=parent,
                     after={"to": region.code, "amount": str(value), "child_budget": child.pk})
    return allocation
