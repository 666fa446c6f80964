"""Payment batches and orders, bank returns and reconciliation issues."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from jixing.core.models import TimeStampedModel

from .claims import Claim
from .common import MONEY, ZERO, _region_scope_q
from .payees import PayeeAccount
from .postings import Posting


class BatchStatus(models.TextChoices):
    OPEN = "open", _("open")
    EXPORTED = "exported", _("bank file exported")
    RECONCILED = "reconciled", _("reconciled")
    MISMATCH = "mismatch", _("reconciliation mismatch")


class PaymentBatchQuerySet(models.QuerySet):
    def visible_to(self, user: Any) -> PaymentBatchQuerySet:
        return self.filter(_region_scope_q(user, "region"))


class PaymentBatch(TimeStampedModel):
    number = models.CharField(_("batch number"), max_length=30, unique=True)
    region = models.ForeignKey("registry.Region", verbose_name=_("region"), on_delete=models.PROTECT, related_name="+")
    status = models.CharField(_("status"), max_length=20, choices=BatchStatus.choices, default=BatchStatus.OPEN)
    total_amount = models.DecimalField(_("total (yuan)"), default=ZERO, **MONEY)
    order_count = models.PositiveIntegerField(_("orders"), default=0)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    exported_at = models.DateTimeField(_("exported at"), null=True, blank=True)
    exported_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    file_sha256 = models.CharField(_("bank file SHA-256"), max_length=64, blank=True)
    # The caller's key for creating this batch: the same key again returns this batch.
    idempotency_key = models.CharField(_("idempotency key"), max_length=100, unique=True, null=True, blank=True)

    objects = PaymentBatchQuerySet.as_manager()

    TRANSITIONS = {
        (BatchStatus.OPEN, BatchStatus.EXPORTED),
        (BatchStatus.EXPORTED, BatchStatus.RECONCILED),
        (BatchStatus.EXPORTED, BatchStatus.MISMATCH),
        (BatchStatus.MISMATCH, BatchStatus.RECONCILED),
    }

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("payment batch")
        verbose_name_plural = _("payment batches")
        constraints = [models.CheckConstraint(name="batch_total_not_negative", condition=Q(total_amount__gte=0))]

    def __str__(self) -> str:
        return self.number


class OrderStatus(models.TextChoices):
    ISSUED = "issued", _("issued")
    SUCCEEDED = "succeeded", _("paid by the bank")
    FAILED = "failed", _("failed")


class PaymentOrderQuerySet(models.QuerySet):
    def visible_to(self, user: Any) -> PaymentOrderQuerySet:
        return self.filter(claim__in=Claim.objects.visible_to(user))


class PaymentOrder(TimeStampedModel):
    """One payment of one claim. The idempotency key makes a retried request return the same
    order; a live (issued or succeeded) order per claim is unique in the database (G2)."""

    number = models.CharField(_("order number"), max_length=30, unique=True)
    idempotency_key = models.CharField(_("idempotency key"), max_length=100, unique=True)
    batch = models.ForeignKey(PaymentBatch, null=True, blank=True, on_delete=models.PROTECT, related_name="orders")
    claim = models.ForeignKey(Claim, on_delete=models.PROTECT, related_name="payment_orders")
    amount = models.DecimalField(_("amount (yuan)"), **MONEY)
    payee_name = models.CharField(_("payee"), max_length=120)
    payee_account = models.ForeignKey(PayeeAccount, on_delete=models.PROTECT, related_name="payment_orders")
    status = models.CharField(_("status"), max_length=20, choices=OrderStatus.choices, default=OrderStatus.ISSUED)
    posting = models.OneToOneField(Posting, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    failure_posting = models.OneToOneField(Posting, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    bank_reference = models.CharField(_("bank reference"), max_length=64, blank=True)
    returned_at = models.DateTimeField(_("bank result at"), null=True, blank=True)
    failure_reason = models.CharField(_("failure reason"), max_length=300, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    objects = PaymentOrderQuerySet.as_manager()

    TRANSITIONS = {
        (OrderStatus.ISSUED, OrderStatus.SUCCEEDED),
        (OrderStatus.ISSUED, OrderStatus.FAILED),
    }

    class Meta:
        ordering = ["id"]
        verbose_name = _("payment order")
        verbose_name_plural = _("payment orders")
        constraints = [
            models.UniqueConstraint(
                fields=["claim"], condition=Q(status__in=["issued", "succeeded"]), name="payment_order_one_live_per_claim"
            ),
            models.CheckConstraint(name="payment_order_amount_positive", condition=Q(amount__gt=0)),
        ]

    def __str__(self) -> str:
        return self.number


class BankReturn(TimeStampedModel):
    """One bank return file read against a batch (G5). The same file twice is read once."""

    batch = models.ForeignKey(PaymentBatch, on_delete=models.PROTECT, related_name="returns")
    file_name = models.CharField(_("file"), max_length=200)
    file_sha256 = models.CharField(max_length=64)
    rows = models.PositiveIntegerField(_("rows"), default=0)
    matched = models.PositiveIntegerField(_("matched"), default=0)
    issue_count = models.PositiveIntegerField(_("mismatches"), default=0)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("bank return file")
        verbose_name_plural = _("bank return files")
        constraints = [models.UniqueConstraint(fields=["batch", "file_sha256"], name="bank_return_once_per_file")]


class IssueKind(models.TextChoices):
    UNKNOWN_ORDER = "unknown_order", _("unknown order")
    DUPLICATE_ORDER = "duplicate_order", _("duplicate order")
    AMOUNT_DIFFERS = "amount_differs", _("amount differs")
    FAILED_PAYMENT = "failed_payment", _("failed payment")
    BAD_ROW = "bad_row", _("unreadable row")


class ReconciliationIssueQuerySet(models.QuerySet):
    def open(self) -> ReconciliationIssueQuerySet:
        return self.filter(resolved_at__isnull=True)

    def visible_to(self, user: Any) -> ReconciliationIssueQuerySet:
        return self.filter(batch__in=PaymentBatch.objects.visible_to(user))


class ReconciliationIssue(TimeStampedModel):
    """A mismatch between a batch and the bank's return file; an open one blocks the next batch."""

    bank_return = models.ForeignKey(BankReturn, on_delete=models.PROTECT, related_name="issues")
    batch = models.ForeignKey(PaymentBatch, on_delete=models.PROTECT, related_name="issues")
    kind = models.CharField(_("kind"), max_length=20, choices=IssueKind.choices)
    row_number = models.PositiveIntegerField(_("row"))
    order = models.ForeignKey(PaymentOrder, null=True, blank=True, on_delete=models.PROTECT, related_name="issues")
    order_number = models.CharField(_("order number in file"), max_length=60, blank=True)
    expected_amount = models.DecimalField(_("expected amount"), null=True, blank=True, **MONEY)
    returned_amount = models.DecimalField(_("amount in file"), null=True, blank=True, **MONEY)
    detail = models.CharField(_("detail"), max_length=300)
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)
    resolved_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    resolution = models.CharField(_("resolution"), max_length=300, blank=True)

    objects = ReconciliationIssueQuerySet.as_manager()

    class Meta:
        ordering = ["id"]
        verbose_name = _("reconciliation issue")
        verbose_name_plural = _("reconciliation issues")
