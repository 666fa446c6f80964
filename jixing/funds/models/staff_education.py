"""Enterprises' staff education fund reports (中办发〔2022〕58号 §(十八): 60% to frontline workers)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from jixing.core.access import scope_for
from jixing.core.models import TimeStampedModel

from .common import MONEY

# 中办发〔2022〕58号 §(十八): "60%以上用于一线职工教育和培训" (subsidy_rules.md 2.5 [V]).
FRONTLINE_MIN_SHARE = Decimal("0.60")


class StaffEducationReportQuerySet(models.QuerySet):
    def visible_to(self, user: Any) -> StaffEducationReportQuerySet:
        scope = scope_for(user)
        if scope.everything:
            return self
        if scope.organisation_id:
            return self.filter(enterprise_id=scope.organisation_id)
        if scope.region_prefix and not scope.department_id:
            return self.filter(scope.region_q("enterprise__county"))
        return self.none()


class StaffEducationReport(TimeStampedModel):
    """An enterprise's yearly report on its staff education fund (企业职工教育经费, seed 二(五)).

    8% of payroll is only the corporate-income-tax deduction ceiling (财税〔2018〕51号), not a
    required extraction rate, so no extraction rate is enforced here (subsidy_rules.md 2.5).
    """

    enterprise = models.ForeignKey(
        "registry.Organisation", verbose_name=_("enterprise"), on_delete=models.PROTECT, related_name="staff_education_reports"
    )
    year = models.PositiveSmallIntegerField(_("year"))
    payroll_total = models.DecimalField(_("total payroll (yuan)"), null=True, blank=True, **MONEY)
    extracted = models.DecimalField(_("extracted (yuan)"), **MONEY)
    spent = models.DecimalField(_("spent (yuan)"), **MONEY)
    spent_frontline = models.DecimalField(_("spent on frontline workers (yuan)"), **MONEY)
    note = models.CharField(_("note"), max_length=300, blank=True)
    reported_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    objects = StaffEducationReportQuerySet.as_manager()

    class Meta:
        ordering = ["-year", "enterprise_id"]
        verbose_name = _("staff education fund report")
        verbose_name_plural = _("staff education fund reports")
        constraints = [
            models.UniqueConstraint(fields=["enterprise", "year"], name="staff_education_once_per_year"),
            models.CheckConstraint(
                name="staff_education_amounts_valid",
                condition=Q(extracted__gte=0) & Q(spent__gte=0) & Q(spent_frontline__gte=0)
                & Q(spent_frontline__lte=models.F("spent")),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.enterprise} {self.year}"

    @property
    def frontline_share(self) -> Decimal | None:
        if not self.spent:
            return None
        return (self.spent_frontline / self.spent).quantize(Decimal("0.0001"))

    @property
    def below_frontline_minimum(self) -> bool:
        share = self.frontline_share
        return share is not None and share < FRONTLINE_MIN_SHARE
