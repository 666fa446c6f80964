"""Key-project milestone payments (揭榜领题, seed 二(一); issue 16 Build 2): when the province
decides a milestone of an awarded topic, funds records the tranche as released (the payable
amount the decision fixed) and withheld (the rest). One row per milestone, written by the
listener of ``training.key_milestone.accepted`` / ``failed``; archived, never deleted."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from jixing.core.access import scope_for, scope_q
from jixing.core.models import TimeStampedModel

from .common import MONEY


class MilestonePaymentStatus(models.TextChoices):
    RELEASED = "released", _("released")  # the whole tranche is payable
    PARTLY_WITHHELD = "partly_withheld", _("partly withheld")  # failed or cut: part of the tranche is payable
    WITHHELD = "withheld", _("withheld")  # nothing of the tranche is payable


class MilestonePaymentQuerySet(models.QuerySet):
    def visible_to(self, user: Any) -> MilestonePaymentQuerySet:
        return self.filter(scope_q(scope_for(user), region=("project__county",), organisation=("organisation",),
                                   action="project__action"))


class MilestonePayment(TimeStampedModel):
    milestone = models.OneToOneField("training.KeyMilestone", verbose_name=_("milestone"), on_delete=models.PROTECT,
                                     related_name="funds_payment")
    project = models.ForeignKey("training.TrainingProject", verbose_name=_("project"), on_delete=models.PROTECT,
                                related_name="milestone_payments")
    organisation = models.ForeignKey("registry.Organisation", verbose_name=_("institution"), on_delete=models.PROTECT,
                                     related_name="+")
    tranche = models.DecimalField(_("tranche (yuan)"), **MONEY)
    released = models.DecimalField(_("released (yuan)"), **MONEY)
    withheld = models.DecimalField(_("withheld (yuan)"), **MONEY)
    status = models.CharField(_("status"), max_length=20, choices=MilestonePaymentStatus.choices)
    is_final = models.BooleanField(_("final acceptance"), default=False)
    reason = models.TextField(_("reason"), blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")
    event_id = models.CharField(_("event"), max_length=40, blank=True)

    objects = MilestonePaymentQuerySet.as_manager()

    class Meta:
        ordering = ["project", "milestone"]
        verbose_name = _("milestone payment")
        verbose_name_plural = _("milestone payments")
        constraints = [
            models.CheckConstraint(
                condition=Q(released__gte=0) & Q(withheld__gte=0) & Q(tranche=F("released") + F("withheld")),
                name="funds_milestone_payment_adds_up"),
            models.CheckConstraint(
                condition=(Q(status="released", withheld=0) | Q(status="withheld", released=0)
                           | Q(status="partly_withheld", released__gt=0, withheld__gt=0)),
                name="funds_milestone_payment_status_matches"),
        ]

    def __str__(self) -> str:
        return f"{self.milestone_id}: {self.released}/{self.tranche}"
