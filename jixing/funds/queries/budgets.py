"""Budget balances, summaries and postings for pages and the API."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.db.models import Q, QuerySet

from jixing.core.access import within_region

from ..models import ZERO, Account, AccountKind, Budget, Claim, PaymentOrder, Posting, PostingLine
from .common import city_code

# ---------------------------------------------------------------- budgets and balances


def balances_of(budgets: Iterable[Budget]) -> dict[int, dict[str, Decimal]]:
    ids = [b.pk for b in budgets]
    out: dict[int, dict[str, Decimal]] = {pk: {k: ZERO for k in AccountKind.values if k != AccountKind.TREASURY} for pk in ids}
    for budget_id, kind, balance in Account.objects.filter(budget_id__in=ids).values_list("budget_id", "kind", "balance"):
        out[budget_id][kind] = balance
    for pk, row in out.items():
        row["total"] = sum(row.values(), ZERO)
        out[pk] = row
    return out


def budget_for_claim(claim: Claim, year: int) -> Budget | None:
    """The budget a claim is charged to: same fund source and year, the claim's county, then
    its city, then the province; an action-earmarked budget before a general one."""
    county = claim.county_id
    regions = [county, city_code(county), county[:2] + "0000"]
    candidates = list(
        Budget.objects.filter(fund_source_id=claim.fund_source_id, year=year, region_id__in=regions)
        .filter(Q(action__isnull=True) | Q(action_id=claim.action_id))
    )

    def rank(b: Budget) -> tuple[int, int]:
        return (regions.index(b.region_id), 0 if b.action_id else 1)

    return min(candidates, key=rank, default=None)


def budgets_for(user: Any, *, year: int | None = None, fund_source: str = "", region: str = "") -> QuerySet[Budget]:
    qs = Budget.objects.visible_to(user).select_related("fund_source", "region", "action", "parent")
    if year:
        qs = qs.filter(year=year)
    if fund_source:
        qs = qs.filter(fund_source__code=fund_source)
    if region:
        qs = qs.filter(within_region("region", region))
    return qs.order_by("year", "region_id", "fund_source_id", "action_id")


def budget_summary(user: Any, *, year: int | None = None) -> dict[str, Decimal]:
    budgets = list(budgets_for(user, year=year))
    # Avoid double counting money allocated down the tree: sum every budget's own accounts
    # (allocated-out money has left the parent's available account already).
    totals = dict.fromkeys(("available", "committed", "paid", "receivable", "written_off"), ZERO)
    for row in balances_of(budgets).values():
        for k in totals:
            totals[k] += row[k]
    return totals


def postings_for_budget(budget: Budget) -> QuerySet[PostingLine]:
    return (
        PostingLine.objects.filter(account__budget=budget).select_related("posting", "account", "posting__created_by")
        .order_by("-posting__posted_at", "-id")
    )


def posting_reference_url(posting: Posting) -> str:
    from django.urls import reverse

    try:
        pk = int(posting.reference_id)
    except ValueError:
        return ""
    if posting.reference_type == "claim":
        return reverse("funds:claim_detail", args=[pk])
    if posting.reference_type == "recovery_order":
        return reverse("funds:recovery_detail", args=[pk])
    if posting.reference_type == "payment_order":
        order = PaymentOrder.objects.filter(pk=pk).only("batch_id").first()
        return reverse("funds:batch_detail", args=[order.batch_id]) if order and order.batch_id else ""
    if posting.reference_type == "allocation":
        return ""
    return ""
