"""The policy as data: the ten actions, their departments, the seed's targets and the
provincial targets' allocation to cities (鲁人社字〔2025〕87号 section 一)."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


class Action(models.Model):
    number = models.PositiveSmallIntegerField(_("number"), unique=True)
    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=60)
    summary = models.TextField(_("summary"), blank=True)
    departments = models.ManyToManyField("registry.Department", related_name="actions", verbose_name=_("responsible departments"))
    history = HistoricalRecords(m2m_fields=[departments])

    class Meta:
        ordering = ["number"]
        verbose_name = _("action")
        verbose_name_plural = _("actions")

    def __str__(self) -> str:
        return f"（{self.number}）{self.name}"


class TargetUnit(models.TextChoices):
    PERSON_TIMES = "person_times", _("person-times")
    PERSON_TIMES_PER_YEAR = "person_times_per_year", _("person-times per year")
    PERSONS_PER_YEAR = "persons_per_year", _("persons per year")
    RATIO_TO_ENROLLED = "ratio_to_enrolled_students", _("ratio to enrolled students")
    SHARE = "share", _("share")


class Comparison(models.TextChoices):
    AT_LEAST = "at_least", _("at least")
    EQUAL = "equal", _("equal to")
    MORE_THAN = "more_than", _("more than")


class Target(models.Model):
    """A quantitative target of the seed, with the sentence it comes from."""

    code = models.SlugField(_("code"), max_length=60, unique=True)
    action = models.ForeignKey(Action, null=True, blank=True, on_delete=models.PROTECT, related_name="targets",
                               verbose_name=_("action"))
    name = models.CharField(_("name"), max_length=120)
    unit = models.CharField(_("unit"), max_length=40, choices=TargetUnit.choices)
    value = models.DecimalField(_("value"), max_digits=12, decimal_places=2)
    period = models.CharField(_("period"), max_length=20, help_text=_("yearly, or a year range such as 2025-2027"))
    comparison = models.CharField(_("comparison"), max_length=20, choices=Comparison.choices)
    seed_quote = models.TextField(_("quote from the policy"))
    # Seed 三 / issue 16: a line whose definition is a group of people (农村转移劳动力, 青年 …)
    # counts every completion of a person of the group, whatever line the project was filed
    # under; a line without groups counts its own projects only (docs/statistics.md).
    counted_groups = models.ManyToManyField(
        "registry.TargetGroup", blank=True, related_name="counted_by_targets", verbose_name=_("groups counted by definition"),
        help_text=_("A completion by a person of one of these groups counts toward this line whatever the project's line."))
    history = HistoricalRecords()

    class Meta:
        ordering = ["id"]
        verbose_name = _("target")
        verbose_name_plural = _("targets")

    def __str__(self) -> str:
        return self.name

    @property
    def is_yearly(self) -> bool:
        return self.period == "yearly"

    @property
    def years(self) -> list[int]:
        if self.is_yearly:
            return [2025, 2026, 2027]
        start, _sep, end = self.period.partition("-")
        return list(range(int(start), int(end or start) + 1))


class TargetAllocation(models.Model):
    """A provincial target's share for one city and year (set by the province)."""

    target = models.ForeignKey(Target, on_delete=models.PROTECT, related_name="allocations")
    city = models.ForeignKey("registry.Region", on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField(_("year"), null=True, blank=True, help_text=_("blank for the whole period"))
    value = models.DecimalField(_("value"), max_digits=12, decimal_places=2)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("target allocation")
        verbose_name_plural = _("target allocations")
        constraints = [
            models.UniqueConstraint(fields=["target", "city", "year"], name="allocation_once_per_city_year"),
            models.UniqueConstraint(
                fields=["target", "city"], condition=Q(year__isnull=True), name="allocation_once_per_city_period"
            ),
            models.CheckConstraint(name="allocation_value_not_negative", condition=Q(value__gte=0)),
        ]

    def __str__(self) -> str:
        return f"{self.target} · {self.city} · {self.year or self.target.period}: {self.value}"


class FundSource(models.Model):
    """A source of money for subsidised training (seed 二(五): 就业补助资金, 失业保险基金,
    企业职工教育经费, sector departments' and mass organisations' funds)."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=60)
    history = HistoricalRecords()

    class Meta:
        ordering = ["id"]
        verbose_name = _("fund source")
        verbose_name_plural = _("fund sources")

    def __str__(self) -> str:
        return self.name


# Models of the plan's topics live in their own modules (chains and studios; programmes).
from .chain_models import (  # noqa: E402, F401
    ChainLeader,
    ChainTier,
    IndustrialChain,
    MasterStudio,
    StudioLevel,
    StudioMember,
    StudioRole,
)
from .programme_models import (  # noqa: E402, F401
    Programme,
    SelfArrangedTraining,
    SelfTrainingCityRule,
    SelfTrainingStatus,
)
