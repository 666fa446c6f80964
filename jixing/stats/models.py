"""Read-side rollups for live progress (issue 7), maintained incrementally.

Definition (docs/statistics.md): a *subsidised training person-time* is an enrollment that
reached completion (status ``completed``) in a subsidised project while eligible for the
subsidy (``Enrollment.subsidised``), counted in the month of ``completed_on``.

``CountedEnrollment`` remembers which bucket each counted enrollment was added to, so a
refresh can diff any changed enrollment against what was counted and apply exact +/-1
deltas to ``ProgressRollup``: the rollup always equals a from-scratch recount.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class CountedEnrollment(models.Model):
    enrollment = models.OneToOneField("training.Enrollment", primary_key=True, on_delete=models.PROTECT, related_name="+")
    month = models.DateField()
    county = models.ForeignKey("registry.Region", on_delete=models.PROTECT, related_name="+")
    action_number = models.PositiveSmallIntegerField()
    target_code = models.CharField(max_length=60, blank=True)
    organiser = models.ForeignKey("registry.Organisation", on_delete=models.PROTECT, related_name="+")

    def __str__(self) -> str:
        return f"{self.enrollment_id} → {self.month:%Y-%m} {self.county_id} {self.action_number}"


class ProgressRollup(models.Model):
    month = models.DateField(_("month"))
    county = models.ForeignKey("registry.Region", on_delete=models.PROTECT, related_name="+")
    city_code = models.CharField(max_length=6)
    action_number = models.PositiveSmallIntegerField(_("action"))
    target_code = models.CharField(max_length=60, blank=True)
    count = models.IntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["month", "county", "action_number", "target_code"], name="rollup_bucket_unique"),
            models.CheckConstraint(name="rollup_count_not_negative", condition=models.Q(count__gte=0)),
        ]
        indexes = [models.Index(fields=["city_code", "month"]), models.Index(fields=["action_number", "month"])]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} {self.county_id} {self.action_number} {self.target_code}: {self.count}"


class OrganiserRollup(models.Model):
    year = models.PositiveSmallIntegerField()
    organiser = models.ForeignKey("registry.Organisation", on_delete=models.PROTECT, related_name="+")
    count = models.IntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["year", "organiser"], name="organiser_rollup_unique"),
            models.CheckConstraint(name="organiser_rollup_not_negative", condition=models.Q(count__gte=0)),
        ]

    def __str__(self) -> str:
        return f"{self.year} {self.organiser_id}: {self.count}"


class RollupState(models.Model):
    name = models.CharField(max_length=40, primary_key=True)
    watermark = models.DateTimeField(null=True)

    def __str__(self) -> str:
        return f"{self.name} @ {self.watermark}"


class DispatchReport(models.Model):
    """A generated dispatch report (调度通报) for a month; history is kept."""

    period = models.DateField(_("period (month)"))
    generated_at = models.DateTimeField(_("generated at"), auto_now_add=True)
    generated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    as_of = models.DateField(_("figures as of"))
    data = models.JSONField(_("figures"))
    workbook = models.BinaryField(_("Excel workbook"))

    class Meta:
        ordering = ["-period", "-generated_at"]
        verbose_name = _("dispatch report")
        verbose_name_plural = _("dispatch reports")

    def __str__(self) -> str:
        return f"{self.period:%Y-%m}"
