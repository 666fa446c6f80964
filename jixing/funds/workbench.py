"""Workbench tiles: claims waiting for the officer, payments for the finance officer (and
whether reconciliation blocks them), the institution's claims, the trainee's subsidies."""

from __future__ import annotations

from typing import Any

from django.db.models import Sum

from jixing.accounts.models import Role
from jixing.core.permissions import AuthedRequest
from jixing.core.workbench import WorkbenchCard

from . import queries
from .models import ClaimStatus


def _reviewer(request: AuthedRequest) -> dict[str, Any]:
    return {"waiting": queries.review_queue(request.user).count(),
            "overdue": queries.overdue_recoveries(request.user).count()}


def _finance(request: AuthedRequest) -> dict[str, Any] | None:
    region = request.user.region_id
    if not region:
        return None
    payable = queries.payable_claims(region)
    return {"payable": payable.count(), "amount": payable.aggregate(s=Sum("amount"))["s"] or 0,
            "blocked": queries.open_issues_blocking(region).count()}


def _institution(request: AuthedRequest) -> dict[str, Any]:
    claims = queries.claims_for(request.user)
    return {"open": claims.filter(status__in=[ClaimStatus.DRAFT, ClaimStatus.RETURNED]).count(),
            "returned": claims.filter(status=ClaimStatus.RETURNED).count(),
            "paid": claims.filter(status=ClaimStatus.PAID).aggregate(s=Sum("amount"))["s"] or 0}


def _trainee(request: AuthedRequest) -> dict[str, Any]:
    lines = queries.my_subsidies(request.user).filter(status="live")
    return {"count": lines.count(), "paid": lines.filter(claim__status=ClaimStatus.PAID).aggregate(s=Sum("amount"))["s"] or 0}


CARDS = [
    WorkbenchCard(template="funds/cards/reviewer.html", roles=frozenset({Role.HRSS_OFFICER}), order=45,
                  context=_reviewer, size="stat"),
    WorkbenchCard(template="funds/cards/finance.html", roles=frozenset({Role.FINANCE_OFFICER}), order=45,
                  context=_finance, size="stat"),
    WorkbenchCard(template="funds/cards/institution.html", roles=frozenset({Role.INSTITUTION}), order=45,
                  context=_institution, size="stat"),
    WorkbenchCard(template="funds/cards/trainee.html", roles=frozenset({Role.TRAINEE}), order=45,
                  context=_trainee, size="stat"),
]
