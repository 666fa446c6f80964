"""Subsidy items and the versioned subsidy rule tables of each city (鲁人社字〔2025〕37号)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from jixing.core.models import TimeStampedModel

from .common import MONEY, ZERO


class SubsidyItem(models.TextChoices):
    VOCATIONAL_TRAINING = "vocational_training", _("vocational training subsidy (职业培训补贴)")
    SKILL_UPGRADE = "skill_upgrade", _("skill upgrading subsidy (技能提升补贴)")
    APPRENTICESHIP = "apprenticeship", _("new enterprise apprenticeship subsidy (企业新型学徒制补贴)")
    ENTREPRENEURSHIP = "entrepreneurship", _("entrepreneurship training subsidy (创业培训补贴)")
    LIVING_ALLOWANCE = "living_allowance", _("living allowance (生活费补贴)")
    EDUCATION = "education", _("education subsidy (求学圆梦)")
    EVALUATION = "evaluation", _("skill evaluation subsidy (技能评价补贴)")
    SELF_TRAINING = "self_training", _("self-arranged training subsidy (自主参训补贴)")


class PayeeKind(models.TextChoices):
    INSTITUTION = "institution", _("training institution")
    ENTERPRISE = "enterprise", _("enterprise")
    PERSON = "person", pgettext_lazy("party kind", "person")


class CertificateType(models.TextChoices):
    SKILL_LEVEL = "skill_level", _("vocational skill level certificate (职业技能等级证书)")
    SPECIAL_ABILITY = "special_ability", _("special vocational ability certificate (专项职业能力证书)")
    TRAINING = "training", _("training completion certificate (培训合格证明)")


class UpliftKind(models.TextChoices):
    SHORTAGE = "shortage", _("occupation on the city's shortage list")
    TARGET_GROUP = "target_group", _("target group")
    EMPLOYED_6M = "employed_6m", _("employed within 6 months of finishing")


class RuleTableQuerySet(models.QuerySet):
    def visible_to(self, user: Any) -> RuleTableQuerySet:
        # Subsidy standards are published policy: every signed-in user may read them.
        if getattr(user, "is_authenticated", False):
            return self
        return self.none()


class InsuranceMonthsRule(TimeStampedModel):
    """技能提升补贴: months of unemployment-insurance contributions required on the certificate's
    issue date, from ``valid_from`` on, for one city (blank: the national rule every city follows
    unless it has its own row). Rows are added, never edited: the history stays."""

    city = models.CharField(_("city code (blank: national)"), max_length=4, blank=True, default="")
    valid_from = models.DateField(_("valid from"))
    months = models.PositiveSmallIntegerField(_("months required"))
    basis = models.CharField(_("basis (document)"), max_length=200)
    verified = models.BooleanField(_("source text verified"), default=False)

    class Meta:
        ordering = ["city", "valid_from"]
        verbose_name = _("unemployment-insurance months rule")
        verbose_name_plural = _("unemployment-insurance months rules")
        constraints = [models.UniqueConstraint(fields=["city", "valid_from"], name="insurance_months_rule_once")]

    def __str__(self) -> str:
        return f"{self.city or '全国'} {self.valid_from} {self.months}"


class SubsidyRuleTable(TimeStampedModel):
    """One dated version of a city's subsidy standards (鲁人社字〔2025〕37号: 各市 set amounts).

    A version is valid from ``valid_from`` until the next version's ``valid_from``. Once a
    claim line has used it (``first_used_at``), it is never edited: publish a new version.
    """

    city = models.ForeignKey("registry.Region", verbose_name=_("city"), on_delete=models.PROTECT, related_name="+")
    version = models.PositiveIntegerField(_("version"))
    valid_from = models.DateField(_("valid from"))
    name = models.CharField(_("name"), max_length=150)
    basis = models.CharField(_("basis (document)"), max_length=200, blank=True)
    public_notice_days = models.PositiveSmallIntegerField(_("public notice days (公示)"), default=7)
    # 求学圆梦 (trade-union notices 2025, docs/education_subsidy.md): persons newly enrolled on or
    # after this day are funded; the amount is the EDUCATION rate, capped at tuition only if set.
    education_enrolled_from = models.DateField(
        _("求学圆梦: enrolled on or after"), default=dt.date(2024, 9, 1),
        help_text=_("Newly enrolled students from this day are funded (2024-09-01 in the 2025 notices)."),
    )
    education_tuition_cap = models.BooleanField(
        _("求学圆梦: cap at the tuition paid"), default=False,
        help_text=_("The 2025 notices pay a fixed amount; tick only if the city's rules cap it at the tuition."),
    )
    # Issue 13 (money counts evidence): declared attendance (roll-call, unsigned uploads) counts
    # towards a claim line's rate for at most this share of the class's sessions; beyond it the
    # sessions need a clean spot check. 20 % is an assumption (docs/rules/attendance_evidence.md).
    declared_attendance_share = models.DecimalField(
        _("declared attendance share"), max_digits=4, decimal_places=3, default=Decimal("0.200"),
        help_text=_("Share of a class's sessions for which declared (not system-captured) attendance counts."),
    )
    shortage_occupations = models.ManyToManyField(
        "registry.Occupation", verbose_name=_("shortage occupations (紧缺职业)"), blank=True, related_name="+"
    )
    first_used_at = models.DateTimeField(_("first used at"), null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    objects = RuleTableQuerySet.as_manager()

    class Meta:
        ordering = ["city_id", "-valid_from"]
        verbose_name = _("subsidy rule table")
        verbose_name_plural = _("subsidy rule tables")
        constraints = [
            models.UniqueConstraint(fields=["city", "version"], name="rule_table_version_once_per_city"),
            models.UniqueConstraint(fields=["city", "valid_from"], name="rule_table_start_once_per_city"),
            models.CheckConstraint(name="rule_table_notice_days_range", condition=Q(public_notice_days__lte=60)),
            models.CheckConstraint(name="rule_table_declared_share_range",
                                   condition=Q(declared_attendance_share__gte=0) & Q(declared_attendance_share__lte=1)),
        ]

    def __str__(self) -> str:
        return f"{self.city} v{self.version} ({self.valid_from:%Y-%m-%d})"

    @property
    def is_used(self) -> bool:
        return self.first_used_at is not None

    def save(self, *args: Any, **kwargs: Any) -> None:
        # Safety net under the actions: a used version is frozen (only first_used_at is set once).
        if not self._state.adding and self.pk:
            stored = type(self).objects.filter(pk=self.pk).values_list("first_used_at", flat=True).first()
            if stored is not None:
                raise PermissionError("This rule version has been used by claims; publish a new version instead.")
        super().save(*args, **kwargs)


class _FrozenWhenTableUsed(models.Model):
    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self._table_used():
            raise PermissionError("This rule version has been used by claims; publish a new version instead.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        if self._table_used():
            raise PermissionError("This rule version has been used by claims; publish a new version instead.")
        return super().delete(*args, **kwargs)

    def _table_used(self) -> bool:
        return SubsidyRuleTable.objects.filter(pk=self.table_id, first_used_at__isnull=False).exists()  # type: ignore[attr-defined]


class SubsidyRate(_FrozenWhenTableUsed):
    """A base amount. Blank criteria match anything; the most specific matching row wins."""

    table = models.ForeignKey(SubsidyRuleTable, on_delete=models.CASCADE, related_name="rates")
    item = models.CharField(_("subsidy item"), max_length=30, choices=SubsidyItem.choices)
    payee_kind = models.CharField(_("payee"), max_length=20, choices=PayeeKind.choices, blank=True)
    certificate_type = models.CharField(_("certificate type"), max_length=20, choices=CertificateType.choices, blank=True)
    level = models.ForeignKey("registry.SkillLevel", verbose_name=_("skill level"), null=True, blank=True, on_delete=models.PROTECT)
    occupation = models.ForeignKey(
        "registry.Occupation", verbose_name=_("occupation"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    target_group = models.ForeignKey(
        "registry.TargetGroup", verbose_name=_("target group"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    amount = models.DecimalField(_("amount (yuan per person)"), **MONEY)
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        ordering = ["table_id", "item", "id"]
        verbose_name = _("subsidy rate")
        verbose_name_plural = _("subsidy rates")
        constraints = [models.CheckConstraint(name="rate_amount_not_negative", condition=Q(amount__gte=0))]

    def __str__(self) -> str:
        return f"{self.get_item_display()} {self.amount}"


class SubsidyUplift(_FrozenWhenTableUsed):
    """An uplift on the base amount: a percentage and/or a fixed amount."""

    table = models.ForeignKey(SubsidyRuleTable, on_delete=models.CASCADE, related_name="uplifts")
    kind = models.CharField(_("kind"), max_length=20, choices=UpliftKind.choices)
    item = models.CharField(_("subsidy item"), max_length=30, choices=SubsidyItem.choices, blank=True)
    target_group = models.ForeignKey(
        "registry.TargetGroup", verbose_name=_("target group"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    percent = models.DecimalField(_("percent of base"), max_digits=5, decimal_places=2, default=Decimal("0"))
    fixed_amount = models.DecimalField(_("fixed amount (yuan)"), default=ZERO, **MONEY)
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        ordering = ["table_id", "kind", "id"]
        verbose_name = _("subsidy uplift")
        verbose_name_plural = _("subsidy uplifts")
        constraints = [
            models.CheckConstraint(
                name="uplift_values_range",
                condition=Q(percent__gte=0) & Q(percent__lte=200) & Q(fixed_amount__gte=0),
            ),
            models.CheckConstraint(
                name="uplift_group_when_group_kind",
                condition=~Q(kind="target_group") | Q(target_group__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} +{self.percent}% +{self.fixed_amount}"
