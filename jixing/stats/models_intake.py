"""Department intake (issue 16 build 4; seed 三 统计分析 "各行业"): the trainings sector
departments fund through their own programmes (agriculture, women's federation, trade union,
education …), imported so every funded person-time is counted once, and the per-line and
per-source rollups the dashboard reads (docs/statistics.md).

The records live in stats: counting them needs jixing's own enrollments (to de-duplicate) and
the rollups, and stats is the layer above both. Records are never deleted; a duplicate stays,
marked with what it duplicates and why.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from jixing.core.access import scope_for, within_region
from jixing.core.actor import Actor


class IntakeStatus(models.TextChoices):
    COUNTED = "counted", pgettext_lazy("intake status", "counted")
    # the same person, occupation and an overlapping period reported earlier by a department
    MERGED = "merged", _("merged into an earlier department record")
    # the same person, occupation and an overlapping period trained in a jixing project
    IN_JIXING = "in_jixing", _("already counted as a jixing enrollment")


class DepartmentTrainingQuerySet(models.QuerySet["DepartmentTraining"]):
    def visible_to(self, user: Actor | None) -> DepartmentTrainingQuerySet:
        """A sector officer sees their department's records (within their region below the
        province); HRSS officers their region's; everyone else nothing."""
        scope = scope_for(user)
        if scope.everything:
            return self
        if scope.department_id:
            qs = self.filter(department_id=scope.department_id)
            if scope.region_prefix and scope.region_prefix != "37":
                qs = qs.filter(within_region("county", scope.region_prefix))
            return qs
        if scope.region_prefix and not scope.organisation_id:
            return self.filter(within_region("county", scope.region_prefix))
        return self.none()

    def counted(self) -> DepartmentTrainingQuerySet:
        return self.filter(status=IntakeStatus.COUNTED)


class DepartmentTraining(models.Model):
    """One person's training in a sector department's programme, as the department reported it."""

    department = models.ForeignKey("registry.Department", verbose_name=_("department"), on_delete=models.PROTECT,
                                   related_name="+")
    county = models.ForeignKey("registry.Region", verbose_name=_("county"), on_delete=models.PROTECT, related_name="+")
    action = models.ForeignKey("plan.Action", verbose_name=_("action"), on_delete=models.PROTECT, related_name="+")
    programme = models.CharField(_("training programme"), max_length=120)
    fund_source = models.ForeignKey("plan.FundSource", verbose_name=_("fund source"), on_delete=models.PROTECT,
                                    related_name="+")
    occupation = models.ForeignKey("registry.Occupation", verbose_name=_("occupation"), on_delete=models.PROTECT,
                                   related_name="+")
    target = models.ForeignKey("plan.Target", verbose_name=_("programme's target line"), null=True, blank=True,
                               on_delete=models.PROTECT, related_name="+")
    name = models.CharField(_("trainee name"), max_length=50)
    id_number_hash = models.CharField(max_length=64, db_index=True, editable=False)
    masked_id_number = models.CharField(_("ID number (masked)"), max_length=20)
    person = models.ForeignKey("registry.Person", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    declared_groups = models.CharField(_("groups declared by the department"), max_length=200, blank=True)
    start_date = models.DateField(_("training start date"))
    end_date = models.DateField(_("training end date"))
    certificate_number = models.CharField(_("certificate number"), max_length=40, blank=True)
    status = models.CharField(_("status"), max_length=12, choices=IntakeStatus.choices, default=IntakeStatus.COUNTED)
    duplicate_of = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                                     verbose_name=_("duplicate of"))
    duplicate_enrollment = models.ForeignKey("training.Enrollment", null=True, blank=True, on_delete=models.PROTECT,
                                             related_name="+", verbose_name=_("duplicate of enrollment"))
    duplicate_reason = models.CharField(_("reason"), max_length=300, blank=True)
    # what the record counts toward, fixed when it was counted (rollup.py applies them)
    counted_month = models.DateField(_("counted in month"))
    lines = models.CharField(_("target lines counted"), max_length=300, blank=True)
    file_sha256 = models.CharField(max_length=64, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = DepartmentTrainingQuerySet.as_manager()

    class Meta:
        ordering = ["-end_date", "id"]
        verbose_name = _("department training record")
        verbose_name_plural = _("department training records")
        constraints = [
            models.UniqueConstraint(fields=["department", "id_number_hash", "occupation", "start_date"],
                                    name="department_training_natural_key"),
            models.CheckConstraint(name="department_training_period_ordered", condition=models.Q(end_date__gte=models.F("start_date"))),
            models.CheckConstraint(
                name="department_training_duplicate_explained",
                condition=models.Q(status="counted", duplicate_of__isnull=True, duplicate_enrollment__isnull=True)
                | models.Q(status="merged", duplicate_of__isnull=False)
                | models.Q(status="in_jixing", duplicate_enrollment__isnull=False),
            ),
        ]
        indexes = [models.Index(fields=["id_number_hash", "occupation"])]

    def __str__(self) -> str:
        return f"{self.department} {self.name} {self.start_date}–{self.end_date}"

    @property
    def line_codes(self) -> list[str]:
        return [c for c in self.lines.split(",") if c]


class LineRollup(models.Model):
    """Person-times per target line: a completion counts toward every line whose definition it
    meets (the project's line, or the person's group), once per line."""

    month = models.DateField()
    county = models.ForeignKey("registry.Region", on_delete=models.PROTECT, related_name="+")
    city_code = models.CharField(max_length=6)
    target_code = models.CharField(max_length=60)
    count = models.IntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["month", "county", "target_code"], name="line_rollup_bucket_unique"),
            models.CheckConstraint(name="line_rollup_count_not_negative", condition=models.Q(count__gte=0)),
        ]
        indexes = [models.Index(fields=["target_code", "month"])]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} {self.county_id} {self.target_code}: {self.count}"


class SourceRollup(models.Model):
    """Person-times per fund source and reporting department ('' = jixing's own projects)."""

    month = models.DateField()
    county = models.ForeignKey("registry.Region", on_delete=models.PROTECT, related_name="+")
    city_code = models.CharField(max_length=6)
    action_number = models.PositiveSmallIntegerField()
    fund_source = models.CharField(max_length=40)
    department = models.CharField(max_length=20, blank=True)
    count = models.IntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["month", "county", "action_number", "fund_source", "department"],
                                    name="source_rollup_bucket_unique"),
            models.CheckConstraint(name="source_rollup_count_not_negative", condition=models.Q(count__gte=0)),
        ]
        indexes = [models.Index(fields=["city_code", "month"])]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} {self.county_id} {self.fund_source}/{self.department}: {self.count}"
