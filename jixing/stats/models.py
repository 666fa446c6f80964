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
from django.utils.translation import pgettext_lazy

from jixing.core.access import scope_for, scope_q
from jixing.core.actor import Actor


class CountedEnrollment(models.Model):
    enrollment = models.OneToOneField("training.Enrollment", primary_key=True, on_delete=models.PROTECT, related_name="+")
    month = models.DateField()
    county = models.ForeignKey("registry.Region", on_delete=models.PROTECT, related_name="+")
    action_number = models.PositiveSmallIntegerField()
    target_code = models.CharField(max_length=60, blank=True)
    organiser = models.ForeignKey("registry.Organisation", on_delete=models.PROTECT, related_name="+")
    # every target line the person-time counts toward (the project's line and the lines whose
    # definition names a group of the person), comma-joined, sorted; and the project's fund source
    lines = models.CharField(max_length=300, blank=True, default="")
    fund_source = models.CharField(max_length=40, blank=True, default="")
    # the enrollment's person (never changes), so a persons-per-year line counts distinct persons
    # from this table's index alone instead of scanning every counted enrollment
    person = models.ForeignKey("registry.Person", on_delete=models.PROTECT, related_name="+", db_index=False)

    class Meta:
        indexes = [models.Index(fields=["target_code", "month", "county", "action_number", "person"], name="counted_line_persons")]

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


class CityProgressRollup(models.Model):
    """``ProgressRollup`` summed over each city's counties (month × city × action × target line),
    kept by the same deltas: the province and city dashboards read this table, about a tenth of
    the county rows (docs/statistics.md, "Live numbers")."""

    month = models.DateField(_("month"))
    city_code = models.CharField(max_length=6)
    action_number = models.PositiveSmallIntegerField(_("action"))
    target_code = models.CharField(max_length=60, blank=True)
    count = models.IntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["month", "city_code", "action_number", "target_code"],
                                    name="city_rollup_bucket_unique"),
            models.CheckConstraint(name="city_rollup_count_not_negative", condition=models.Q(count__gte=0)),
        ]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} {self.city_code} {self.action_number} {self.target_code}: {self.count}"


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
    margin_scanned_at = models.DateTimeField(null=True)

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


class SelectionStatus(models.TextChoices):
    PROPOSED = "proposed", pgettext_lazy("selection status", "proposed")
    APPROVED = "approved", _("selected (优选)")
    REJECTED = "rejected", _("not selected")
    REVOKED = "revoked", pgettext_lazy("selection status", "revoked")


class InstitutionSelectionQuerySet(models.QuerySet):
    def visible_to(self, user: Actor | None) -> InstitutionSelectionQuerySet:
        """The institution its own; officers their region's; a sector officer nothing (no action path)."""
        return self.filter(scope_q(scope_for(user), region=["organisation__county"], organisation=["organisation"]))

    def current(self, day: object) -> InstitutionSelectionQuerySet:
        return self.filter(status=SelectionStatus.APPROVED, valid_until__gte=day)


class InstitutionSelection(models.Model):
    """The training-institution 优选计划 (seed 二(一)): a city proposes, the province selects."""

    organisation = models.ForeignKey("registry.Organisation", on_delete=models.PROTECT, related_name="selections")
    year = models.PositiveSmallIntegerField(_("selection year"))
    score = models.DecimalField(_("score when proposed"), max_digits=5, decimal_places=1)
    scorecard = models.JSONField(_("scorecard when proposed"))
    reason = models.TextField(_("reason for the proposal"))
    status = models.CharField(_("status"), max_length=10, choices=SelectionStatus.choices, default=SelectionStatus.PROPOSED)
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    proposed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    decision_reason = models.TextField(pgettext_lazy("selection", "decision reason"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = InstitutionSelectionQuerySet.as_manager()

    TRANSITIONS = {
        (SelectionStatus.PROPOSED, SelectionStatus.APPROVED),
        (SelectionStatus.PROPOSED, SelectionStatus.REJECTED),
        (SelectionStatus.APPROVED, SelectionStatus.REVOKED),
    }

    class Meta:
        ordering = ["-year", "-score"]
        verbose_name = _("institution selection")
        verbose_name_plural = _("institution selections")
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "year"], condition=~models.Q(status="rejected"), name="selection_once_per_year"
            ),
            models.CheckConstraint(
                name="selection_approved_has_validity",
                condition=~models.Q(status="approved") | models.Q(valid_until__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organisation} {self.year} {self.get_status_display()}"


class QualityThreshold(models.Model):
    """Dated thresholds of project quality review (seed 二(六)): the row in force on a day is
    the latest whose ``effective_from`` is not after it. A rate below its minimum, or a count
    above its maximum, puts the project in the review queue (stats/quality.py)."""

    effective_from = models.DateField(_("effective from"), unique=True)
    min_attendance_rate = models.DecimalField(_("minimum attendance rate"), max_digits=4, decimal_places=3)
    min_completion_rate = models.DecimalField(_("minimum completion rate"), max_digits=4, decimal_places=3)
    min_pass_rate_vs_peers = models.DecimalField(
        _("minimum pass rate against peers"), max_digits=4, decimal_places=3,
        help_text=_("The project's certificate pass rate divided by that of other projects of the same occupation."))
    min_employment_rate = models.DecimalField(_("minimum employment within 6 months"), max_digits=4, decimal_places=3)
    max_open_findings = models.PositiveIntegerField(_("maximum open supervision findings"))
    min_trainees = models.PositiveIntegerField(_("minimum trainees before rates count"), default=10)
    note = models.CharField(_("source"), max_length=200, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-effective_from"]
        verbose_name = _("quality review threshold")
        verbose_name_plural = _("quality review thresholds")
        constraints = [
            models.CheckConstraint(
                name="quality_threshold_rates_range",
                condition=models.Q(min_attendance_rate__gte=0, min_attendance_rate__lte=1,
                                   min_completion_rate__gte=0, min_completion_rate__lte=1,
                                   min_pass_rate_vs_peers__gte=0, min_pass_rate_vs_peers__lte=2,
                                   min_employment_rate__gte=0, min_employment_rate__lte=1),
            ),
        ]

    def __str__(self) -> str:
        return str(self.effective_from)


from .models_intake import (  # noqa: E402  (a topic module; the models of the app are re-exported here)
    DepartmentTraining,
    IntakeStatus,
    LineRollup,
    SourceRollup,
)

__all__ = [
    "CityProgressRollup", "CountedEnrollment", "DepartmentTraining", "DispatchReport", "InstitutionSelection", "IntakeStatus", "LineRollup",
    "OrganiserRollup", "ProgressRollup", "QualityThreshold", "RollupState", "SelectionStatus", "SourceRollup",
]
