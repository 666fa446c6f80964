"""Programmes of technical schools and training institutions (鲁人社字〔2025〕87号 一(八)).

- 预备技师（技师）班: "支持技工院校面向未就业大学生开设全日制预备技师（技师）班，纳入技工院校年度
  招生计划" — a full-time programme of a technical school for unemployed graduates, in the
  school's yearly enrolment plan, leading to the 技师 level.
- 职业训练院: "支持有条件的技工院校建设职业训练院" — a designation of a technical school.
- "短平快": "能短期实现就业的'短平快'式职业技能培训项目" — short programmes for quick employment
  (the maximum length is a dated parameter, docs/bases.md).

Scope: like the organisations themselves — a school's staff its own, officers their region's.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from jixing.core.access import scope_for, scope_q
from jixing.core.models import ArchivableModel, ArchivableQuerySet


class ProgrammeKind(models.TextChoices):
    PREPARATORY_TECHNICIAN = "preparatory_technician", _("preparatory technician (technician) class")
    SHORT_COURSE = "short_course", _("short quick-employment programme (短平快)")


class ProgrammeQuerySet(ArchivableQuerySet):
    def visible_to(self, user: Any) -> ProgrammeQuerySet:
        scope = scope_for(user)
        if getattr(user, "role", None) == "trainee":
            return self.none()
        return self.filter(scope_q(scope, region=["provider__county"], organisation=["provider"]))


class SchoolProgramme(ArchivableModel):
    provider = models.ForeignKey("registry.Organisation", verbose_name=_("school or institution"),
                                 on_delete=models.PROTECT, related_name="programmes")
    kind = models.CharField(_("kind"), max_length=30, choices=ProgrammeKind.choices)
    name = models.CharField(_("name"), max_length=120)
    occupation = models.ForeignKey("registry.Occupation", verbose_name=_("occupation"), on_delete=models.PROTECT,
                                   related_name="+")
    level = models.ForeignKey("registry.SkillLevel", verbose_name=_("certificate level it leads to"),
                              on_delete=models.PROTECT, related_name="+")
    cohort_year = models.PositiveSmallIntegerField(_("cohort (year of intake)"))
    cohort_size = models.PositiveIntegerField(_("cohort size"))
    duration_days = models.PositiveIntegerField(_("duration (days)"))
    full_time = models.BooleanField(_("full-time"), default=True)
    in_enrolment_plan = models.BooleanField(_("in the school's yearly enrolment plan"), default=False)
    target_group = models.CharField(_("who it is for"), max_length=120, blank=True)

    objects = ProgrammeQuerySet.as_manager()

    class Meta:
        ordering = ["-cohort_year", "name"]
        verbose_name = _("school programme")
        verbose_name_plural = _("school programmes")
        constraints = [
            models.UniqueConstraint(fields=["provider", "name", "cohort_year"], name="programme_unique_per_cohort"),
            models.CheckConstraint(name="programme_cohort_positive", condition=Q(cohort_size__gt=0)),
            models.CheckConstraint(name="programme_duration_positive", condition=Q(duration_days__gt=0)),
            models.CheckConstraint(name="programme_cohort_year_range",
                                   condition=Q(cohort_year__gte=2020) & Q(cohort_year__lte=2035)),
            # 一(八): a 预备技师（技师）班 is full-time and in the enrolment plan
            models.CheckConstraint(name="programme_preparatory_full_time_planned",
                                   condition=~Q(kind="preparatory_technician") | (Q(full_time=True) & Q(in_enrolment_plan=True))),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.cohort_year})"


class TrainingCollegeDesignation(models.Model):
    """A technical school designated a 职业训练院 (or 职业技能培训中心), with the decision's number."""

    school = models.OneToOneField("registry.Organisation", verbose_name=_("technical school"), on_delete=models.PROTECT,
                                  related_name="training_college")
    name = models.CharField(_("name of the training college"), max_length=120)
    designated_on = models.DateField(_("designated on"))
    document = models.CharField(_("decision document number"), max_length=100)
    designated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("vocational training college (职业训练院)")
        verbose_name_plural = _("vocational training colleges (职业训练院)")

    def __str__(self) -> str:
        return self.name
