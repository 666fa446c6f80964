"""Budgets by fund source × year × region (× action), and allocations down the region tree."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from jixing.core.models import TimeStampedModel

from .common import MONEY, ZERO, _region_scope_q


class BudgetQuerySet(models.QuerySet):
    def visible_to(self, user: Any) -> BudgetQuerySet:
        return self.filter(_region_scope_q(user, "region"))


class Budget(TimeStampedModel):
    """Money of one fund source for one year in one region (optionally earmarked for one action).

    Its balances live in its ledger accounts; ``parent`` is the budget it was allocated from.
    """

    fund_source = models.ForeignKey("plan.FundSource", verbose_name=_("fund source"), on_delete=models.PROTECT)
    year = models.PositiveSmallIntegerField(_("year"))
    region = models.ForeignKey("registry.Region", verbose_name=_("region"), on_delete=models.PROTECT, related_name="+")
    action = models.ForeignKey(
        "plan.Action", verbose_name=_("action"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    parent = models.ForeignKey(
        "self", verbose_name=_("allocated from"), null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    note = models.CharField(_("note"), max_length=200, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    objects = BudgetQuerySet.as_manager()

    class Meta:
        ordering = ["year", "region_id", "fund_source_id", "action_id"]
        verbose_name = _("budget")
        verbose_name_plural = _("budgets")
        constraints = [
            models.UniqueConstraint(
                fields=["fund_source", "year", "region", "action"], condition=Q(action__isnull=False),
                name="budget_once_per_source_year_region_action",
            ),
            models.UniqueConstraint(
                fields=["fund_source", "year", "region"], condition=Q(action__isnull=True),
                name="budget_once_per_source_year_region",
            ),
            models.CheckConstraint(name="budget_year_range", condition=Q(year__gte=2000) & Q(year__lte=2100)),
        ]

    def __str__(self) -> str:
        label = f"{self.year} {self.region} {self.fund_source}"
        if self.action_id:
            label += f" · {self.action}"
        return label

    def balance(self, kind: str) -> Decimal:
        for account in self.accounts.all():
            if account.kind == kind:
                return account.balance
        return ZERO


class Allocation(TimeStampedModel):
    """Money moved into a budget: from the treasury (``source`` empty: an appropriation) or
    from the parent budget (allocation down the region tree)."""

    source = models.ForeignKey(
        Budget, verbose_name=_("from budget"), null=True, blank=True, on_delete=models.PROTECT, related_name="allocations_out"
    )
    target = models.ForeignKey(Budget, verbose_name=_("to budget"), on_delete=models.PROTECT, related_name="allocations_in")
    amount = models.DecimalField(_("amount (yuan)"), **MONEY)
    document = models.CharField(_("document number"), max_length=100, blank=True)
    note = models.CharField(_("note"), max_length=200, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("allocation")
        verbose_name_plural = _("allocations")
        constraints = [models.CheckConstraint(name="allocation_amount_positive", condition=Q(amount__gt=0))]

    def __str__(self) -> str:
        return f"{self.source or _('treasury')} → {self.target}: {self.amount}"
