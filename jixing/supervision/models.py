"""Supervision (seed 二(六), 三): risk rules, their runs, findings with evidence, cases.

A rule (``jixing.supervision.rules``) scans the training, evaluation and funds records for a
pattern the 2022 national audit found (fake trainees, overlapping classes, proxy sign-in,
lesson brushing, …) and yields *findings*: one per rule × subject × evidence key, identified
by a fingerprint so re-running never duplicates. Officers group findings into a *case*,
hear the institution's explanation and decide; a violation leads to measures (recovery
order, suspension / blacklist, certificate revocation, judicial referral).

Scope: officers see findings and cases of their region subtree (by the denormalised
county of the finding's subject), institutions and evaluation bodies only their own.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from jixing.core.access import Scope, scope_for, within_region
from jixing.core.actor import Viewer
from jixing.core.models import TimeStampedModel


class Severity(models.TextChoices):
    LOW = "low", pgettext_lazy("severity", "low")
    MEDIUM = "medium", pgettext_lazy("severity", "medium")
    HIGH = "high", pgettext_lazy("severity", "high")


SEVERITY_RANK = {Severity.LOW: 1, Severity.MEDIUM: 2, Severity.HIGH: 3}


class RuleSetting(TimeStampedModel):
    """An officer's settings for one rule: on/off, severity and parameter values.

    Values are validated against the ranges the rule declares (``rules.base.Param``);
    only an officer the security administrator approved (``RuleEditorGrant``) may edit.
    """

    code = models.CharField(_("rule code"), max_length=10, unique=True)
    enabled = models.BooleanField(_("enabled"), default=True)
    severity = models.CharField(_("severity"), max_length=10, choices=Severity.choices, blank=True,
                                help_text=_("Empty: the rule's default severity."))
    params = models.JSONField(_("parameters"), default=dict, blank=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")

    class Meta:
        ordering = ["code"]
        verbose_name = _("rule setting")
        verbose_name_plural = _("rule settings")

    def __str__(self) -> str:
        return self.code


class RuleEditorGrant(TimeStampedModel):
    """The security administrator's approval for an officer to edit rule settings."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="rule_editor_grants")
    granted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    revoked_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("rule editor approval")
        verbose_name_plural = _("rule editor approvals")
        constraints = [
            models.UniqueConstraint(fields=["user"], condition=Q(revoked_at__isnull=True),
                                    name="rule_editor_one_active_grant"),
        ]


class RunStatus(models.TextChoices):
    RUNNING = "running", pgettext_lazy("run status", "running")
    SUCCEEDED = "succeeded", pgettext_lazy("run status", "succeeded")
    FAILED = "failed", pgettext_lazy("run status", "failed")


class SupervisionRun(models.Model):
    """One execution of one rule. ``watermark`` is the moment the data it read was taken;
    the next incremental run of the same rule reads only what changed since then."""

    code = models.CharField(_("rule code"), max_length=10, db_index=True)
    full = models.BooleanField(_("full run"), default=False)
    since = models.DateTimeField(_("changes since"), null=True, blank=True)
    started_at = models.DateTimeField(_("started at"))
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    watermark = models.DateTimeField(_("watermark"), null=True, blank=True)
    status = models.CharField(pgettext_lazy("supervision", "status"), max_length=10, choices=RunStatus.choices, default=RunStatus.RUNNING)
    params = models.JSONField(_("parameters"), default=dict)
    hits = models.PositiveIntegerField(_("hits"), default=0)
    created = models.PositiveIntegerField(_("new findings"), default=0)
    updated = models.PositiveIntegerField(_("updated findings"), default=0)
    seconds = models.FloatField(_("seconds"), default=0)
    error = models.TextField(_("error"), blank=True)
    started_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")

    class Meta:
        ordering = ["-started_at", "-id"]
        verbose_name = _("supervision run")
        verbose_name_plural = _("supervision runs")
        indexes = [models.Index(fields=["code", "status", "-started_at"])]

    def __str__(self) -> str:
        return f"{self.code} {self.started_at:%Y-%m-%d %H:%M}"


class FindingStatus(models.TextChoices):
    OPEN = "open", pgettext_lazy("finding status", "open")
    EXPLAINED = "explained", pgettext_lazy("finding status", "explained by the institution")
    IN_CASE = "in_case", pgettext_lazy("finding status", "in a case")
    CLEARED = "cleared", pgettext_lazy("finding status", "cleared")
    CONFIRMED = "confirmed", pgettext_lazy("finding status", "confirmed violation")


def _finding_scope_q(scope: Scope, prefix: str = "") -> Q:
    if scope.everything:
        return Q()
    if scope.department_id:  # sector departments do not run subsidy supervision
        return Q(pk__in=[])
    if scope.region_prefix:
        return within_region(f"{prefix}county", scope.region_prefix)
    if scope.organisation_id:
        return Q(**{f"{prefix}organisation_id": scope.organisation_id})
    return Q(pk__in=[])


class FindingQuerySet(models.QuerySet):
    def visible_to(self, user: Viewer) -> FindingQuerySet:
        return self.filter(_finding_scope_q(scope_for(user)))

    def unresolved(self) -> FindingQuerySet:
        return self.filter(status__in=[FindingStatus.OPEN, FindingStatus.EXPLAINED, FindingStatus.IN_CASE])


class Finding(TimeStampedModel):
    """What a rule found about one subject, with the records that show it."""

    code = models.CharField(_("rule"), max_length=10, db_index=True)
    fingerprint = models.CharField(max_length=64, unique=True, editable=False)
    subject_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, related_name="+")
    subject_id = models.CharField(max_length=40)
    subject_label = models.CharField(_("subject"), max_length=200)
    organisation = models.ForeignKey("registry.Organisation", verbose_name=_("institution"), null=True, blank=True,
                                     on_delete=models.PROTECT, related_name="supervision_findings")
    county = models.ForeignKey("registry.Region", verbose_name=_("county"), null=True, blank=True,
                               on_delete=models.PROTECT, related_name="+")
    severity = models.CharField(_("severity"), max_length=10, choices=Severity.choices)
    evidence = models.JSONField(pgettext_lazy("finding", "evidence"), default=dict)
    status = models.CharField(pgettext_lazy("supervision", "status"), max_length=12, choices=FindingStatus.choices, default=FindingStatus.OPEN)
    case = models.ForeignKey("Case", verbose_name=_("case"), null=True, blank=True, on_delete=models.PROTECT,
                             related_name="findings")
    first_run = models.ForeignKey(SupervisionRun, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    last_seen_at = models.DateTimeField(_("last seen"))
    resolution = models.TextField(_("resolution"), blank=True)

    objects = FindingQuerySet.as_manager()

    TRANSITIONS = {
        (FindingStatus.OPEN, FindingStatus.EXPLAINED),
        (FindingStatus.OPEN, FindingStatus.IN_CASE),
        (FindingStatus.EXPLAINED, FindingStatus.IN_CASE),
        (FindingStatus.OPEN, FindingStatus.CLEARED),
        (FindingStatus.EXPLAINED, FindingStatus.CLEARED),
        (FindingStatus.IN_CASE, FindingStatus.CLEARED),
        (FindingStatus.IN_CASE, FindingStatus.CONFIRMED),
    }

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("finding")
        verbose_name_plural = _("findings")
        indexes = [
            models.Index(fields=["status", "code"]),
            models.Index(fields=["county", "status"]),
            models.Index(fields=["organisation", "status"]),
        ]
        constraints = [
            models.CheckConstraint(
                name="finding_in_case_has_case",
                condition=~Q(status__in=["in_case", "confirmed"]) | Q(case__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.subject_label}"

    @property
    def city_code(self) -> str:
        return (self.county_id or "")[:4] + "00" if self.county_id else ""

    @property
    def rule(self) -> Any:
        from . import rules

        return rules.by_code().get(self.code)

    @property
    def explanation(self) -> str:
        rule = self.rule
        return rule.explain(self.evidence.get("context", {})) if rule else ""


class CaseStatus(models.TextChoices):
    OPEN = "open", pgettext_lazy("case status", "open")
    INVESTIGATING = "investigating", pgettext_lazy("case status", "under investigation")
    AWAITING_EXPLANATION = "awaiting_explanation", pgettext_lazy("case status", "awaiting the institution's explanation")
    EXPLAINED = "explained", pgettext_lazy("case status", "explanation received")
    CLEARED = "cleared", pgettext_lazy("case status", "cleared")
    VIOLATION = "violation", pgettext_lazy("case status", "violation found")
    CLOSED = "closed", pgettext_lazy("case status", "closed")
    OVERTURNED = "overturned", pgettext_lazy("case status", "decision overturned")


class CaseQuerySet(models.QuerySet):
    def visible_to(self, user: Viewer) -> CaseQuerySet:
        return self.filter(_finding_scope_q(scope_for(user)))


class Case(TimeStampedModel):
    """A supervision case (案件): findings about one institution, investigated and decided."""

    number = models.CharField(_("case number"), max_length=30, unique=True)
    title = models.CharField(_("title"), max_length=200)
    organisation = models.ForeignKey("registry.Organisation", verbose_name=_("institution"),
                                     on_delete=models.PROTECT, related_name="supervision_cases")
    county = models.ForeignKey("registry.Region", verbose_name=_("county"), on_delete=models.PROTECT, related_name="+")
    status = models.CharField(pgettext_lazy("supervision", "status"), max_length=24, choices=CaseStatus.choices, default=CaseStatus.OPEN)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    assigned_to = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("assigned to"), null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="supervision_cases")
    explanation_due = models.DateField(_("explanation due"), null=True, blank=True)
    explanation_request = models.TextField(_("questions to the institution"), blank=True)
    decision_reasons = models.TextField(_("reasons for the decision"), blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)

    objects = CaseQuerySet.as_manager()

    TRANSITIONS = {
        (CaseStatus.OPEN, CaseStatus.INVESTIGATING),
        (CaseStatus.INVESTIGATING, CaseStatus.AWAITING_EXPLANATION),
        (CaseStatus.AWAITING_EXPLANATION, CaseStatus.EXPLAINED),
        (CaseStatus.AWAITING_EXPLANATION, CaseStatus.INVESTIGATING),  # no answer by the deadline
        (CaseStatus.EXPLAINED, CaseStatus.INVESTIGATING),  # further questions
        (CaseStatus.INVESTIGATING, CaseStatus.CLEARED),
        (CaseStatus.EXPLAINED, CaseStatus.CLEARED),
        (CaseStatus.INVESTIGATING, CaseStatus.VIOLATION),
        (CaseStatus.EXPLAINED, CaseStatus.VIOLATION),
        (CaseStatus.VIOLATION, CaseStatus.CLOSED),
        # 行政复议 / 行政诉讼 set the decision aside: its measures on persons are lifted
        (CaseStatus.VIOLATION, CaseStatus.OVERTURNED),
        (CaseStatus.CLOSED, CaseStatus.OVERTURNED),
    }
    DECIDED = frozenset({CaseStatus.CLEARED, CaseStatus.VIOLATION, CaseStatus.CLOSED, CaseStatus.OVERTURNED})

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("supervision case")
        verbose_name_plural = _("supervision cases")
        constraints = [
            models.CheckConstraint(
                name="case_decision_has_reasons",
                condition=~Q(status__in=["cleared", "violation", "closed", "overturned"]) | ~Q(decision_reasons=""),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"

    @property
    def is_decided(self) -> bool:
        return self.status in self.DECIDED


def explanation_upload_to(instance: Explanation, filename: str) -> str:
    return f"supervision/explanations/{instance.organisation_id}/{filename}"


class Explanation(models.Model):
    """The institution's answer (陈述申辩) to a case or to one finding, with an optional attachment."""

    case = models.ForeignKey(Case, null=True, blank=True, on_delete=models.PROTECT, related_name="explanations")
    finding = models.ForeignKey(Finding, null=True, blank=True, on_delete=models.PROTECT, related_name="explanations")
    organisation = models.ForeignKey("registry.Organisation", on_delete=models.PROTECT, related_name="+")
    text = models.TextField(_("explanation"))
    attachment = models.FileField(_("attachment"), upload_to=explanation_upload_to, blank=True, max_length=300)
    attachment_name = models.CharField(_("attachment name"), max_length=200, blank=True)
    attachment_sha256 = models.CharField(max_length=64, blank=True)
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    submitted_at = models.DateTimeField(_("submitted at"), auto_now_add=True)

    class Meta:
        ordering = ["submitted_at", "id"]
        verbose_name = _("explanation")
        verbose_name_plural = _("explanations")
        constraints = [
            models.CheckConstraint(
                name="explanation_case_or_finding",
                condition=(Q(case__isnull=False) & Q(finding__isnull=True)) | (Q(case__isnull=True) & Q(finding__isnull=False)),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organisation} {self.submitted_at:%Y-%m-%d}" if self.submitted_at else str(self.organisation)


class MeasureKind(models.TextChoices):
    RECOVERY = "recovery", _("recovery of subsidy")
    SUSPENSION = "suspension", _("suspension of the institution")
    BLACKLIST = "blacklist", _("blacklisting of the institution")
    CERTIFICATE_REVOCATION = "certificate_revocation", _("certificate revocation")
    JUDICIAL_REFERRAL = "judicial_referral", _("referral to judicial authorities")
    PERSON_RESTRICTION = "person_restriction", _("restriction of a person (no subsidies)")


class CaseMeasure(models.Model):
    """A measure taken on a violation (seed 二(六): 追回补贴资金, 依法查处, 移送司法机关)."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="measures")
    kind = models.CharField(_("measure"), max_length=30, choices=MeasureKind.choices)
    amount = models.DecimalField(_("amount (yuan)"), max_digits=14, decimal_places=2, null=True, blank=True)
    until = models.DateField(_("until"), null=True, blank=True)
    note = models.TextField(_("note"), blank=True)
    reference = models.CharField(pgettext_lazy("measure", "reference"), max_length=100, blank=True,
                                 help_text=_("Recovery order number, certificate numbers or the receiving authority."))
    detail = models.JSONField(_("detail"), default=dict, blank=True)
    # PERSON_RESTRICTION: the registry's restriction this measure wrote (lifted through the measure)
    restriction = models.OneToOneField("registry.PersonRestriction", null=True, blank=True, on_delete=models.PROTECT,
                                       related_name="case_measure")
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(pgettext_lazy("supervision", "time"), auto_now_add=True)

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("case measure")
        verbose_name_plural = _("case measures")
        constraints = [
            models.CheckConstraint(name="measure_amount_positive", condition=Q(amount__isnull=True) | Q(amount__gt=0)),
            models.CheckConstraint(
                name="measure_person_restriction_linked",
                condition=(Q(kind="person_restriction") & Q(restriction__isnull=False))
                | (~Q(kind="person_restriction") & Q(restriction__isnull=True)),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.case.number} {self.get_kind_display()}"
