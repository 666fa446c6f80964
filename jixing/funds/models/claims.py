"""Claims, their lines and risk approvals; reviewed county → city (→ province)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from jixing.core.access import scope_for, union_prefix, within_region
from jixing.core.models import ArchivableModel, ArchivableQuerySet, TimeStampedModel

from .budgets import Budget
from .common import MONEY, ZERO
from .education import StudyLevel, StudyRecord
from .payees import PayeeAccount
from .rule_tables import PayeeKind, SubsidyItem, SubsidyRuleTable


class ClaimStatus(models.TextChoices):
    DRAFT = "draft", _("draft")
    SUBMITTED = "submitted", _("submitted, awaiting county review")
    COUNTY_REVIEWED = "county_reviewed", _("county reviewed, awaiting city approval")
    CITY_APPROVED = "city_approved", _("city approved, awaiting province approval")
    PUBLIC_NOTICE = "public_notice", _("in public notice (公示)")
    PAYABLE = "payable", _("payable")
    PAYING = "paying", _("payment order issued")
    PAID = "paid", _("paid")
    RETURNED = "returned", _("returned for changes")
    REJECTED = "rejected", pgettext_lazy("claim status", "rejected")
    CANCELLED = "cancelled", pgettext_lazy("claim status", "withdrawn")


# Statuses in which the claim's amount is committed in its budget.
COMMITTED_STATUSES = frozenset({
    ClaimStatus.CITY_APPROVED, ClaimStatus.PUBLIC_NOTICE, ClaimStatus.PAYABLE, ClaimStatus.PAYING,
})
REVIEW_STATUSES = frozenset({ClaimStatus.SUBMITTED, ClaimStatus.COUNTY_REVIEWED, ClaimStatus.CITY_APPROVED})


class ClaimQuerySet(ArchivableQuerySet):
    def visible_to(self, user: Any) -> ClaimQuerySet:
        union = union_prefix(user)
        if union is not None:  # the trade union reviews the 求学圆梦 claims of its region
            return self.filter(within_region("county", union), subsidy_item=SubsidyItem.EDUCATION)
        scope = scope_for(user)
        if scope.everything:
            return self
        if scope.organisation_id:
            return self.filter(organisation_id=scope.organisation_id)
        if scope.person_id:
            return self.filter(Q(person_id=scope.person_id) | Q(lines__person_id=scope.person_id)).distinct()
        if scope.department_id:
            q = Q(action__number__in=scope.action_numbers)
            if scope.region_prefix and scope.region_prefix != "37":
                q &= scope.region_q("county")
            return self.filter(q)
        if scope.region_prefix:
            return self.filter(scope.region_q("county"))
        return self.none()


class Claim(ArchivableModel):
    """A subsidy claim by an institution or enterprise (for its completed trainees) or by a
    person (技能提升补贴 for their own certificate, 求学圆梦 for their own study). Amounts come only from the rule engine."""

    number = models.CharField(_("claim number"), max_length=30, unique=True)
    subsidy_item = models.CharField(_("subsidy item"), max_length=30, choices=SubsidyItem.choices)
    payee_kind = models.CharField(_("payee"), max_length=20, choices=PayeeKind.choices)
    organisation = models.ForeignKey(
        "registry.Organisation", verbose_name=_("claimant organisation"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="subsidy_claims",
    )
    person = models.ForeignKey(
        "registry.Person", verbose_name=_("claimant person"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="subsidy_claims",
    )
    project = models.ForeignKey(
        "training.TrainingProject", verbose_name=_("training project"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="subsidy_claims",
    )
    county = models.ForeignKey("registry.Region", verbose_name=_("county"), on_delete=models.PROTECT, related_name="+")
    fund_source = models.ForeignKey("plan.FundSource", verbose_name=_("fund source"), on_delete=models.PROTECT)
    action = models.ForeignKey("plan.Action", verbose_name=_("action"), null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    rule_table = models.ForeignKey(SubsidyRuleTable, verbose_name=_("rule version"), on_delete=models.PROTECT, related_name="claims")
    amount = models.DecimalField(_("amount (yuan)"), default=ZERO, **MONEY)
    status = models.CharField(_("status"), max_length=20, choices=ClaimStatus.choices, default=ClaimStatus.DRAFT)
    requires_province = models.BooleanField(_("needs province approval"), default=False)
    payee_account = models.ForeignKey(
        PayeeAccount, verbose_name=_("payee bank account"), null=True, blank=True, on_delete=models.PROTECT, related_name="claims"
    )
    budget = models.ForeignKey(Budget, verbose_name=_("budget"), null=True, blank=True, on_delete=models.PROTECT, related_name="claims")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    submitted_at = models.DateTimeField(null=True, blank=True)
    county_reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    county_reviewed_at = models.DateTimeField(null=True, blank=True)
    city_approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    city_approved_at = models.DateTimeField(null=True, blank=True)
    province_approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    province_approved_at = models.DateTimeField(null=True, blank=True)
    notice_starts_on = models.DateField(_("public notice from"), null=True, blank=True)
    notice_ends_on = models.DateField(_("public notice until"), null=True, blank=True)
    last_reason = models.TextField(_("last return or rejection reason"), blank=True)

    objects = ClaimQuerySet.as_manager()

    TRANSITIONS = {
        (ClaimStatus.DRAFT, ClaimStatus.SUBMITTED),
        (ClaimStatus.RETURNED, ClaimStatus.SUBMITTED),
        (ClaimStatus.DRAFT, ClaimStatus.CANCELLED),
        (ClaimStatus.RETURNED, ClaimStatus.CANCELLED),
        (ClaimStatus.SUBMITTED, ClaimStatus.COUNTY_REVIEWED),
        (ClaimStatus.SUBMITTED, ClaimStatus.RETURNED),
        (ClaimStatus.SUBMITTED, ClaimStatus.REJECTED),
        (ClaimStatus.COUNTY_REVIEWED, ClaimStatus.CITY_APPROVED),
        (ClaimStatus.COUNTY_REVIEWED, ClaimStatus.PUBLIC_NOTICE),
        (ClaimStatus.COUNTY_REVIEWED, ClaimStatus.RETURNED),
        (ClaimStatus.COUNTY_REVIEWED, ClaimStatus.REJECTED),
        (ClaimStatus.CITY_APPROVED, ClaimStatus.PUBLIC_NOTICE),
        (ClaimStatus.CITY_APPROVED, ClaimStatus.RETURNED),
        (ClaimStatus.CITY_APPROVED, ClaimStatus.REJECTED),
        (ClaimStatus.PUBLIC_NOTICE, ClaimStatus.PAYABLE),
        (ClaimStatus.PUBLIC_NOTICE, ClaimStatus.REJECTED),
        (ClaimStatus.PAYABLE, ClaimStatus.PAYING),
        (ClaimStatus.PAYING, ClaimStatus.PAID),
        (ClaimStatus.PAYING, ClaimStatus.PAYABLE),
    }

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("subsidy claim")
        verbose_name_plural = _("subsidy claims")
        constraints = [
            models.CheckConstraint(name="living_allowance_paid_to_the_person",
                                   condition=~Q(subsidy_item="living_allowance") | Q(payee_kind="person")),
            models.CheckConstraint(
                name="claim_has_one_claimant",
                condition=(Q(organisation__isnull=False) & Q(person__isnull=True))
                | (Q(organisation__isnull=True) & Q(person__isnull=False)),
            ),
            models.CheckConstraint(name="claim_amount_not_negative", condition=Q(amount__gte=0)),
            models.CheckConstraint(
                name="claim_committed_has_budget",
                condition=~Q(status__in=["city_approved", "paid", "payable", "paying", "public_notice"]) | Q(budget__isnull=False),
            ),
        ]
        indexes = [models.Index(fields=["status", "county"])]

    def __str__(self) -> str:
        return f"{self.number} {self.get_subsidy_item_display()}"

    @property
    def claimant(self) -> Any:
        return self.organisation if self.organisation_id else self.person

    @property
    def is_editable(self) -> bool:
        return self.status in (ClaimStatus.DRAFT, ClaimStatus.RETURNED)


class LineStatus(models.TextChoices):
    LIVE = "live", _("included")
    EXCLUDED = "excluded", _("excluded")


class ClaimLineQuerySet(models.QuerySet):
    def live(self) -> ClaimLineQuerySet:
        return self.filter(status=LineStatus.LIVE)

    def visible_to(self, user: Any) -> ClaimLineQuerySet:
        scope = scope_for(user)
        if scope.person_id:
            return self.filter(person_id=scope.person_id)
        return self.filter(claim__in=Claim.objects.visible_to(user))


class ClaimLine(TimeStampedModel):
    """One person's subsidy in a claim, with the rule engine's reasoning and the checks run.

    A person may be claimed for once per subsidy item and class (or certificate), across
    every fund source, while the line is live (SECURITY.md G2).
    """

    claim = models.ForeignKey(Claim, on_delete=models.PROTECT, related_name="lines")
    person = models.ForeignKey("registry.Person", verbose_name=_("person"), on_delete=models.PROTECT, related_name="subsidy_lines")
    subsidy_item = models.CharField(_("subsidy item"), max_length=30, choices=SubsidyItem.choices)
    enrollment = models.ForeignKey(
        "training.Enrollment", verbose_name=_("enrollment"), null=True, blank=True, on_delete=models.PROTECT, related_name="subsidy_lines"
    )
    training_class = models.ForeignKey(
        "training.TrainingClass", verbose_name=_("class"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    certificate = models.ForeignKey(
        "evaluation.Certificate", verbose_name=_("certificate"), null=True, blank=True, on_delete=models.PROTECT, related_name="subsidy_lines"
    )
    outside_certificate = models.ForeignKey(
        "evaluation.OutsideCertificate", verbose_name=_("certificate from the national register"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="subsidy_lines",
    )
    # 技能提升补贴: months of unemployment insurance found on the certificate date (shown to reviewers)
    insured_months = models.PositiveSmallIntegerField(_("unemployment-insurance months found"), null=True, blank=True)
    study = models.ForeignKey(
        StudyRecord, verbose_name=_("study record"), null=True, blank=True, on_delete=models.PROTECT, related_name="subsidy_lines"
    )
    # 求学圆梦 is paid once per person per 学历层次 (专科/本科): copied from the study record so a
    # database constraint can hold it across every study record and claim.
    study_level = models.CharField(pgettext_lazy("study", "level"), max_length=20, choices=StudyLevel.choices, blank=True)
    # 自主参训 (seed 一(五)): the approved self-arranged training this line pays, once (SECURITY G2)
    self_training = models.ForeignKey(
        "plan.SelfArrangedTraining", verbose_name=_("self-arranged training"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="subsidy_lines",
    )
    occupation = models.ForeignKey("registry.Occupation", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    level = models.ForeignKey("registry.SkillLevel", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField(_("subsidy year"))
    amount = models.DecimalField(_("amount (yuan)"), **MONEY)
    reasons = models.JSONField(_("how the amount was computed"), default=list)
    checks = models.JSONField(_("checks"), default=list)
    employed_within_6_months = models.BooleanField(_("employed within 6 months"), null=True, blank=True)
    rule_table = models.ForeignKey(
        SubsidyRuleTable, verbose_name=_("rule version"), null=True, blank=True, on_delete=models.PROTECT, related_name="lines"
    )
    status = models.CharField(_("status"), max_length=10, choices=LineStatus.choices, default=LineStatus.LIVE)
    excluded_reason = models.CharField(_("exclusion reason"), max_length=300, blank=True)

    objects = ClaimLineQuerySet.as_manager()

    class Meta:
        ordering = ["claim_id", "id"]
        verbose_name = _("claim line")
        verbose_name_plural = _("claim lines")
        constraints = [
            models.UniqueConstraint(
                fields=["person", "subsidy_item", "training_class"],
                condition=Q(status="live") & Q(training_class__isnull=False),
                name="claim_line_once_per_person_item_class",
            ),
            models.UniqueConstraint(
                fields=["person", "subsidy_item", "certificate"],
                condition=Q(status="live") & Q(certificate__isnull=False),
                name="claim_line_once_per_person_item_certificate",
            ),
            models.UniqueConstraint(
                fields=["person", "subsidy_item", "outside_certificate"],
                condition=Q(status="live") & Q(outside_certificate__isnull=False),
                name="claim_line_once_per_person_item_outside_certificate",
            ),
            # A study record is claimed once for 求学圆梦 while the line is live, under any fund.
            models.UniqueConstraint(
                fields=["study", "subsidy_item"], condition=Q(status="live") & Q(study__isnull=False),
                name="claim_line_once_per_study_item",
            ),
            models.UniqueConstraint(
                fields=["person", "subsidy_item", "study_level"], condition=Q(status="live") & ~Q(study_level=""),
                name="claim_line_once_per_person_study_level",
            ),
            # A self-arranged training is paid once while its line is live, under any fund.
            models.UniqueConstraint(
                fields=["self_training"], condition=Q(status="live") & Q(self_training__isnull=False),
                name="claim_line_once_per_self_training",
            ),
            models.CheckConstraint(
                name="claim_line_study_level_with_study", condition=Q(study_level="") | Q(study__isnull=False),
            ),
            models.CheckConstraint(name="claim_line_amount_not_negative", condition=Q(amount__gte=0)),
            models.CheckConstraint(
                name="claim_line_has_class_certificate_or_study",
                condition=Q(training_class__isnull=False) | Q(certificate__isnull=False) | Q(study__isnull=False)
                | Q(outside_certificate__isnull=False) | Q(self_training__isnull=False),
            ),
        ]
        indexes = [models.Index(fields=["person", "year"])]

    def __str__(self) -> str:
        return f"{self.claim.number} · {self.person.name} · {self.amount}"


class RiskApproval(models.Model):
    """A claim decided (county review, city or province approval) while a high-severity
    supervision finding touching it was open: the reviewer's written reason and what was open."""

    claim = models.ForeignKey(Claim, on_delete=models.PROTECT, related_name="risk_approvals")
    stage = models.CharField(_("stage"), max_length=20, choices=ClaimStatus.choices)
    reason = models.TextField(_("reason"))
    high_findings = models.PositiveIntegerField(_("open high-severity findings"))
    risks = models.JSONField(_("open risks at the time"), default=list)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("approval despite open risk")
        verbose_name_plural = _("approvals despite open risk")
        constraints = [models.CheckConstraint(name="risk_approval_has_reason", condition=~Q(reason=""))]

    def __str__(self) -> str:
        return f"{self.claim_id} {self.stage}"
