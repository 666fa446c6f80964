"""Recovery orders (追回, seed 二(六)), their parts and instalments."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from jixing.core.access import scope_for
from jixing.core.models import ArchivableModel, ArchivableQuerySet, TimeStampedModel

from .budgets import Budget
from .claims import Claim
from .common import MONEY, ZERO
from .postings import Posting


class RecoveryStatus(models.TextChoices):
    OPEN = "open", _("open")
    PARTIALLY_RECEIVED = "partially_received", _("partially received")
    RECEIVED = "received", _("received")
    OVERDUE = "overdue", _("overdue")
    WRITTEN_OFF = "written_off", _("written off")


OPEN_RECOVERY_STATUSES = frozenset({RecoveryStatus.OPEN, RecoveryStatus.PARTIALLY_RECEIVED, RecoveryStatus.OVERDUE})


class RecoveryOrderQuerySet(ArchivableQuerySet):
    def visible_to(self, user: Any) -> RecoveryOrderQuerySet:
        scope = scope_for(user)
        if scope.everything:
            return self
        if scope.organisation_id:
            return self.filter(payer_organisation_id=scope.organisation_id)
        if scope.person_id:
            return self.filter(payer_person_id=scope.person_id)
        if scope.region_prefix and not scope.department_id:
            return self.filter(scope.region_q("county"))
        return self.none()

    def outstanding(self) -> RecoveryOrderQuerySet:
        return self.filter(status__in=list(OPEN_RECOVERY_STATUSES))

    def overdue_on(self, day: dt.date) -> RecoveryOrderQuerySet:
        return self.outstanding().filter(deadline__lt=day)


class RecoveryOrder(ArchivableModel):
    """Money to be recovered from a payer (追回补贴资金, seed 二(六)); split into parts per
    paid claim so that received money flows back into each claim's budget."""

    number = models.CharField(_("recovery number"), max_length=30, unique=True)
    payer_organisation = models.ForeignKey(
        "registry.Organisation", verbose_name=_("payer organisation"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="recovery_orders",
    )
    payer_person = models.ForeignKey(
        "registry.Person", verbose_name=_("payer person"), null=True, blank=True, on_delete=models.PROTECT, related_name="recovery_orders"
    )
    claim = models.ForeignKey(Claim, verbose_name=_("claim"), null=True, blank=True, on_delete=models.PROTECT, related_name="recovery_orders")
    county = models.ForeignKey("registry.Region", verbose_name=_("county"), on_delete=models.PROTECT, related_name="+")
    amount = models.DecimalField(_("amount to recover (yuan)"), **MONEY)
    received_amount = models.DecimalField(_("received (yuan)"), default=ZERO, **MONEY)
    written_off_amount = models.DecimalField(_("written off (yuan)"), default=ZERO, **MONEY)
    reason = models.TextField(_("reason"))
    deadline = models.DateField(_("deadline"))
    case_ref = models.CharField(_("supervision case"), max_length=60, blank=True)
    status = models.CharField(_("status"), max_length=20, choices=RecoveryStatus.choices, default=RecoveryStatus.OPEN)
    write_off_reason = models.TextField(_("write-off reason"), blank=True)
    escalated_at = models.DateTimeField(_("escalated at"), null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    objects = RecoveryOrderQuerySet.as_manager()

    TRANSITIONS = {
        (RecoveryStatus.OPEN, RecoveryStatus.PARTIALLY_RECEIVED),
        (RecoveryStatus.OPEN, RecoveryStatus.RECEIVED),
        (RecoveryStatus.OPEN, RecoveryStatus.OVERDUE),
        (RecoveryStatus.OPEN, RecoveryStatus.WRITTEN_OFF),
        (RecoveryStatus.PARTIALLY_RECEIVED, RecoveryStatus.RECEIVED),
        (RecoveryStatus.PARTIALLY_RECEIVED, RecoveryStatus.OVERDUE),
        (RecoveryStatus.PARTIALLY_RECEIVED, RecoveryStatus.WRITTEN_OFF),
        (RecoveryStatus.OVERDUE, RecoveryStatus.RECEIVED),
        (RecoveryStatus.OVERDUE, RecoveryStatus.WRITTEN_OFF),
    }

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("recovery order")
        verbose_name_plural = _("recovery orders")
        constraints = [
            models.CheckConstraint(
                name="recovery_one_payer",
                condition=(Q(payer_organisation__isnull=False) & Q(payer_person__isnull=True))
                | (Q(payer_organisation__isnull=True) & Q(payer_person__isnull=False)),
            ),
            models.CheckConstraint(name="recovery_amount_positive", condition=Q(amount__gt=0)),
            models.CheckConstraint(
                name="recovery_settled_within_amount",
                condition=Q(received_amount__gte=0) & Q(written_off_amount__gte=0)
                & Q(amount__gte=models.F("received_amount") + models.F("written_off_amount")),
            ),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def payer(self) -> Any:
        return self.payer_organisation if self.payer_organisation_id else self.payer_person

    @property
    def outstanding(self) -> Decimal:
        return self.amount - self.received_amount - self.written_off_amount


class RecoveryPart(models.Model):
    """The share of a recovery charged to one paid claim (and so to that claim's budget)."""

    recovery = models.ForeignKey(RecoveryOrder, on_delete=models.PROTECT, related_name="parts")
    claim = models.ForeignKey(Claim, on_delete=models.PROTECT, related_name="recovery_parts")
    budget = models.ForeignKey(Budget, on_delete=models.PROTECT, related_name="+")
    amount = models.DecimalField(**MONEY)
    received = models.DecimalField(default=ZERO, **MONEY)
    written_off = models.DecimalField(default=ZERO, **MONEY)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(
                name="recovery_part_within_amount",
                condition=Q(amount__gt=0) & Q(received__gte=0) & Q(written_off__gte=0)
                & Q(amount__gte=models.F("received") + models.F("written_off")),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.recovery_id}/{self.claim_id}: {self.amount}"

    @property
    def outstanding(self) -> Decimal:
        return self.amount - self.received - self.written_off


class RecoveryInstalment(TimeStampedModel):
    recovery = models.ForeignKey(RecoveryOrder, on_delete=models.PROTECT, related_name="instalments")
    amount = models.DecimalField(_("amount (yuan)"), **MONEY)
    received_on = models.DateField(_("received on"))
    reference = models.CharField(_("bank reference"), max_length=64, blank=True)
    posting = models.OneToOneField(Posting, null=True, on_delete=models.PROTECT, related_name="+")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["received_on", "id"]
        verbose_name = _("recovery instalment")
        verbose_name_plural = _("recovery instalments")
        constraints = [models.CheckConstraint(name="instalment_amount_positive", condition=Q(amount__gt=0))]
