"""The double-entry, append-only ledger: accounts, postings and their lines."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from jixing.core.access import scope_for

from .budgets import Budget
from .common import MONEY, ZERO, LedgerImmutable


class AccountKind(models.TextChoices):
    TREASURY = "treasury", _("treasury funding")
    AVAILABLE = "available", _("available")
    COMMITTED = "committed", _("committed")
    PAID = "paid", _("paid")
    RECEIVABLE = "receivable", _("recovery receivable")
    WRITTEN_OFF = "written_off", _("written off")


BUDGET_ACCOUNT_KINDS = (
    AccountKind.AVAILABLE, AccountKind.COMMITTED, AccountKind.PAID, AccountKind.RECEIVABLE, AccountKind.WRITTEN_OFF,
)
CREDIT_NORMAL_KINDS = frozenset({AccountKind.TREASURY})


class Account(models.Model):
    """A ledger account. ``balance`` is the balance on the account's normal side, kept in step
    with its lines by ``ledger.post`` under a row lock; it may never go below zero."""

    kind = models.CharField(_("kind"), max_length=20, choices=AccountKind.choices)
    budget = models.ForeignKey(Budget, null=True, blank=True, on_delete=models.PROTECT, related_name="accounts")
    fund_source = models.ForeignKey("plan.FundSource", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    balance = models.DecimalField(_("balance"), default=ZERO, **MONEY)

    class Meta:
        ordering = ["id"]
        verbose_name = _("ledger account")
        verbose_name_plural = _("ledger accounts")
        constraints = [
            models.UniqueConstraint(fields=["budget", "kind"], condition=Q(budget__isnull=False), name="account_once_per_budget_kind"),
            models.UniqueConstraint(
                fields=["fund_source"], condition=Q(kind="treasury"), name="account_one_treasury_per_source"
            ),
            models.CheckConstraint(name="account_balance_not_negative", condition=Q(balance__gte=0)),
            models.CheckConstraint(
                name="account_owner_matches_kind",
                condition=(Q(kind="treasury") & Q(budget__isnull=True) & Q(fund_source__isnull=False))
                | (~Q(kind="treasury") & Q(budget__isnull=False)),
            ),
        ]

    def __str__(self) -> str:
        owner = self.budget if self.budget_id else self.fund_source
        return f"{owner} · {self.get_kind_display()}"

    @property
    def sign(self) -> int:
        """+1 if a debit raises the balance, -1 if a credit does."""
        return -1 if self.kind in CREDIT_NORMAL_KINDS else 1


class PostingKind(models.TextChoices):
    APPROPRIATION = "appropriation", _("appropriation from the treasury")
    ALLOCATION = "allocation", _("allocation to a lower region")
    COMMITMENT = "commitment", _("commitment for an approved claim")
    RELEASE = "release", _("release of a commitment")
    PAYMENT = "payment", _("payment")
    PAYMENT_FAILED = "payment_failed", _("failed payment returned")
    RECOVERY_RAISED = "recovery_raised", _("recovery raised")
    RECOVERY_RECEIVED = "recovery_received", _("recovered money received")
    RECOVERY_WRITTEN_OFF = "recovery_written_off", _("recovery written off")
    REVERSAL = "reversal", _("reversal")


class ReferenceType(models.TextChoices):
    ALLOCATION = "allocation", _("allocation")
    CLAIM = "claim", _("claim")
    PAYMENT_ORDER = "payment_order", _("payment order")
    RECOVERY_ORDER = "recovery_order", _("recovery order")
    RECOVERY_INSTALMENT = "recovery_instalment", _("recovery instalment")
    POSTING = "posting", _("posting")


class AppendOnlyQuerySet(models.QuerySet):
    def update(self, **kwargs: Any) -> int:
        raise LedgerImmutable("Ledger rows are append-only; post a reversal instead.")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise LedgerImmutable("Ledger rows are append-only; post a reversal instead.")


class AppendOnlyModel(models.Model):
    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise LedgerImmutable("Ledger rows are append-only; post a reversal instead.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        raise LedgerImmutable("Ledger rows are append-only; post a reversal instead.")


class PostingQuerySet(AppendOnlyQuerySet):
    def visible_to(self, user: Any) -> PostingQuerySet:
        scope = scope_for(user)
        if scope.everything:
            return self
        if scope.region_prefix and not scope.department_id:
            return self.filter(scope.region_q("lines__account__budget__region")).distinct()
        return self.none()


class Posting(AppendOnlyModel):
    """One balanced movement of money. Lines sum to zero (checked in ``ledger.post`` and, on
    PostgreSQL, by a deferred constraint trigger at commit); rows are never updated or deleted."""

    kind = models.CharField(_("kind"), max_length=30, choices=PostingKind.choices)
    reference_type = models.CharField(_("caused by"), max_length=30, choices=ReferenceType.choices)
    reference_id = models.CharField(_("reference"), max_length=40)
    reverses = models.OneToOneField(
        "self", verbose_name=_("reverses"), null=True, blank=True, on_delete=models.PROTECT, related_name="reversed_by"
    )
    memo = models.CharField(_("memo"), max_length=300, blank=True)
    posted_at = models.DateTimeField(_("posted at"), auto_now_add=True, db_index=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")

    objects = PostingQuerySet.as_manager()

    class Meta:
        ordering = ["id"]
        verbose_name = _("posting")
        verbose_name_plural = _("postings")
        indexes = [models.Index(fields=["reference_type", "reference_id"])]

    def __str__(self) -> str:
        return f"#{self.pk} {self.get_kind_display()} ({self.get_reference_type_display()} {self.reference_id})"


class PostingLine(AppendOnlyModel):
    posting = models.ForeignKey(Posting, on_delete=models.PROTECT, related_name="lines")
    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="lines")
    amount = models.DecimalField(_("amount (debit +, credit −)"), **MONEY)

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        ordering = ["id"]
        verbose_name = _("posting line")
        verbose_name_plural = _("posting lines")
        constraints = [models.CheckConstraint(name="posting_line_not_zero", condition=~Q(amount=0))]

    def __str__(self) -> str:
        return f"{self.account_id}: {self.amount}"
