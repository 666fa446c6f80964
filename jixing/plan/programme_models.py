"""Named programmes (鲁人社字〔2025〕87号 一(四), 一(五), 一(八)): a named, dated, departmental
grouping of training projects with an optional target of its own — 巾帼家政, 家政劳务品牌,
高校学生就业能力提升"双千"计划, 微专业, 宏志助航计划, 送技能进校园, "短平快" …

And young people's self-arranged training (自主参训, 一(五): "支持高校毕业生等青年根据职业规划、
求职意向自主参加技能培训"): recorded with evidence, reviewed by an officer, and claimable where the
city's rule (a dated per-city parameter, ``SelfTrainingCityRule``) allows."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from jixing.core.access import scope_for, scope_q
from jixing.core.models import TimeStampedModel


class Programme(models.Model):
    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=100)
    action = models.ForeignKey("plan.Action", verbose_name=_("action"), null=True, blank=True,
                               on_delete=models.PROTECT, related_name="programmes")
    department = models.ForeignKey("registry.Department", verbose_name=_("responsible department"),
                                   on_delete=models.PROTECT, related_name="programmes")
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))
    target_person_times = models.PositiveIntegerField(_("target person-times"), null=True, blank=True,
                                                      help_text=_("blank when the policy sets no figure of its own"))
    description = models.TextField(_("description"), blank=True)
    source = models.TextField(_("source"), help_text=_("the clause the programme comes from, or why it is an assumption"))
    is_active = models.BooleanField(_("active"), default=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["action__number", "code"]
        verbose_name = _("programme")
        verbose_name_plural = _("programmes")
        constraints = [
            models.CheckConstraint(name="programme_period_ordered", condition=Q(ends_on__gte=models.F("starts_on"))),
            models.CheckConstraint(name="programme_target_positive",
                                   condition=Q(target_person_times__isnull=True) | Q(target_person_times__gt=0)),
        ]

    def __str__(self) -> str:
        return self.name


class SelfTrainingCityRule(models.Model):
    """Whether, from a date, a city subsidises its young people's self-arranged training, and up to
    how much. Shandong leaves subsidy rules to the cities (reference/subsidy_rules.md): this is a
    dated parameter per city, edited in the admin with history, never a constant."""

    city = models.ForeignKey("registry.Region", verbose_name=_("city"), on_delete=models.PROTECT, related_name="+")
    valid_from = models.DateField(_("valid from"))
    valid_to = models.DateField(_("valid to"), null=True, blank=True)
    claimable = models.BooleanField(_("claimable"))
    max_amount = models.DecimalField(_("maximum amount (yuan)"), max_digits=10, decimal_places=2, null=True, blank=True)
    max_age = models.PositiveSmallIntegerField(_("maximum age on the first training day"), null=True, blank=True)
    source = models.TextField(_("source"), help_text=_("the city's document, or 'assumption' with why"))
    history = HistoricalRecords()

    class Meta:
        ordering = ["city", "-valid_from"]
        verbose_name = _("self-arranged training rule of a city")
        verbose_name_plural = _("self-arranged training rules of cities")
        constraints = [
            models.UniqueConstraint(fields=["city", "valid_from"], name="self_training_rule_once_per_start"),
            models.CheckConstraint(name="self_training_rule_period_ordered",
                                   condition=Q(valid_to__isnull=True) | Q(valid_to__gte=models.F("valid_from"))),
            models.CheckConstraint(name="self_training_rule_amount_positive",
                                   condition=Q(max_amount__isnull=True) | Q(max_amount__gt=0)),
        ]

    def __str__(self) -> str:
        return f"{self.city_id} {self.valid_from}"


class SelfTrainingStatus(models.TextChoices):
    SUBMITTED = "submitted", _("submitted")
    APPROVED = "approved", _("approved")
    REJECTED = "rejected", _("rejected")


class SelfArrangedTrainingQuerySet(models.QuerySet):
    def visible_to(self, user: Any) -> SelfArrangedTrainingQuerySet:
        """The trainee sees their own; officers their region's (by the city the record is filed in)."""
        return self.filter(scope_q(scope_for(user), region=["county"], person=["person"]))


def self_training_evidence_path(instance: SelfArrangedTraining, filename: str) -> str:
    return f"self_training/{instance.person_id}/{filename}"


class SelfArrangedTraining(TimeStampedModel):
    person = models.ForeignKey("registry.Person", verbose_name=_("person"), on_delete=models.PROTECT,
                               related_name="self_trainings")
    county = models.ForeignKey("registry.Region", verbose_name=_("county"), on_delete=models.PROTECT, related_name="+",
                               help_text=_("the person's current county when filed: the reviewing office"))
    programme = models.ForeignKey(Programme, verbose_name=_("programme"), null=True, blank=True,
                                  on_delete=models.PROTECT, related_name="self_trainings")
    provider = models.CharField(_("training provider"), max_length=120)
    course = models.CharField(_("course"), max_length=120)
    occupation = models.ForeignKey("registry.Occupation", verbose_name=_("occupation"), null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")
    starts_on = models.DateField(_("first training day"))
    ends_on = models.DateField(_("last training day"))
    hours = models.PositiveIntegerField(_("hours"))
    fee = models.DecimalField(_("fee paid (yuan)"), max_digits=10, decimal_places=2)
    certificate_number = models.CharField(_("certificate number"), max_length=60, blank=True)
    evidence = models.FileField(_("evidence"), upload_to=self_training_evidence_path, max_length=300)
    evidence_name = models.CharField(_("evidence file name"), max_length=200)
    evidence_sha256 = models.CharField(max_length=64)
    status = models.CharField(_("status"), max_length=20, choices=SelfTrainingStatus.choices,
                              default=SelfTrainingStatus.SUBMITTED)
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+")
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)
    review_reason = models.TextField(_("review reason"), blank=True)
    # The claim decision, computed on approval from the city's rule in force (rules.py); funds reads it.
    claimable = models.BooleanField(_("claimable"), null=True, blank=True)
    claimable_amount = models.DecimalField(_("claimable amount (yuan)"), max_digits=10, decimal_places=2,
                                           null=True, blank=True)
    claim_reasons = models.JSONField(_("reasons of the claim decision"), default=list, blank=True)
    city_rule = models.ForeignKey(SelfTrainingCityRule, null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    objects = SelfArrangedTrainingQuerySet.as_manager()

    TRANSITIONS = {
        (SelfTrainingStatus.SUBMITTED, SelfTrainingStatus.APPROVED),
        (SelfTrainingStatus.SUBMITTED, SelfTrainingStatus.REJECTED),
    }

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("self-arranged training")
        verbose_name_plural = _("self-arranged trainings")
        constraints = [
            models.CheckConstraint(name="self_training_period_ordered", condition=Q(ends_on__gte=models.F("starts_on"))),
            models.CheckConstraint(name="self_training_hours_positive", condition=Q(hours__gt=0)),
            models.CheckConstraint(name="self_training_fee_not_negative", condition=Q(fee__gte=0)),
            models.CheckConstraint(name="self_training_claim_only_when_approved",
                                   condition=Q(status="approved") | Q(claimable__isnull=True)),
            models.UniqueConstraint(fields=["person", "provider", "course", "starts_on"],
                                    name="self_training_once_per_course_start"),
        ]

    def __str__(self) -> str:
        return f"{self.person.name} · {self.course}"
