"""揭榜领题 (seed 二(一)): the province publishes a list (榜单) of topics; institutions, alone or
with an enterprise, apply with a plan; experts of the list's panel score each application
against the list's published criteria (declaring conflicts of interest; a submitted score
sheet is locked); the province awards. An award creates the provincial key project with its
budget and milestones; milestone reports and the final acceptance decide each tranche,
the last one included (the payment itself is the funds app's: it hears
``training.key_milestone.accepted``).

Only an award makes a project provincial-key: ``TrainingProject.is_provincial_key`` is no
longer an institution's field.

Scope: every staff user sees the published lists (they are public calls); institutions see
their own applications, panel experts the applications of their list, HRSS officers those
of projects in their region; the province sees all.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from jixing.core.access import scope_for
from jixing.core.actor import Viewer
from jixing.core.models import TimeStampedModel


class TopicListStatus(models.TextChoices):
    DRAFT = "draft", _("draft")
    PUBLISHED = "published", _("published")
    CLOSED = "closed", _("closed")


class TopicListQuerySet(models.QuerySet):
    def visible_to(self, user: Viewer) -> TopicListQuerySet:
        scope = scope_for(user)
        if scope.everything:
            return self.all()
        if not getattr(user, "is_authenticated", False) or scope.person_id:
            return self.none()
        return self.filter(Q(status__in=[TopicListStatus.PUBLISHED, TopicListStatus.CLOSED]) | Q(panel=user)).distinct()


class TopicList(TimeStampedModel):
    """A 榜单: a call for applications with its scoring criteria and expert panel."""

    code = models.CharField(_("list code"), max_length=40, unique=True)
    title = models.CharField(_("title"), max_length=150)
    description = models.TextField(_("description"), blank=True)
    deadline = models.DateField(_("application deadline"))
    status = models.CharField(_("status"), max_length=20, choices=TopicListStatus.choices, default=TopicListStatus.DRAFT)
    panel = models.ManyToManyField(settings.AUTH_USER_MODEL, verbose_name=_("expert panel"), blank=True, related_name="+")
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    objects = TopicListQuerySet.as_manager()

    TRANSITIONS = {
        (TopicListStatus.DRAFT, TopicListStatus.PUBLISHED),
        (TopicListStatus.PUBLISHED, TopicListStatus.CLOSED),
    }

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("topic list (榜单)")
        verbose_name_plural = _("topic lists (榜单)")

    def __str__(self) -> str:
        return f"{self.code} {self.title}"


class ScoringCriterion(models.Model):
    """One line of the list's published scoring sheet: a score from 0 to ``max_score``."""

    topic_list = models.ForeignKey(TopicList, on_delete=models.CASCADE, related_name="criteria")
    name = models.CharField(_("criterion"), max_length=100)
    description = models.CharField(_("description"), max_length=300, blank=True)
    max_score = models.PositiveSmallIntegerField(_("maximum score"))
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["order", "pk"]
        verbose_name = _("scoring criterion")
        verbose_name_plural = _("scoring criteria")
        constraints = [
            models.UniqueConstraint(fields=["topic_list", "name"], name="criterion_once_per_list"),
            models.CheckConstraint(name="criterion_max_positive", condition=Q(max_score__gt=0)),
        ]

    def __str__(self) -> str:
        return f"{self.name} (0–{self.max_score})"


class Topic(TimeStampedModel):
    """One 题 on the list: what the province wants trained, how many, to what outcome, for how much."""

    topic_list = models.ForeignKey(TopicList, on_delete=models.PROTECT, related_name="topics")
    code = models.CharField(_("topic code"), max_length=40, unique=True)
    title = models.CharField(_("title"), max_length=150)
    action = models.ForeignKey("plan.Action", verbose_name=_("action"), on_delete=models.PROTECT, related_name="+")
    fund_source = models.ForeignKey("plan.FundSource", verbose_name=_("fund source"), on_delete=models.PROTECT, related_name="+")
    occupation = models.ForeignKey("registry.Occupation", verbose_name=_("occupation"), null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")
    industry_chain = models.CharField(_("industry chain"), max_length=100, blank=True)
    project_type = models.CharField(_("type"), max_length=20, default="employment_skill")
    expected_person_times = models.PositiveIntegerField(_("expected person-times"))
    outcome_requirements = models.TextField(_("outcome requirements"))
    budget_cap = models.DecimalField(_("budget cap (yuan)"), max_digits=12, decimal_places=2)

    class Meta:
        ordering = ["code"]
        verbose_name = _("topic")
        verbose_name_plural = _("topics")
        constraints = [
            models.CheckConstraint(name="topic_budget_positive", condition=Q(budget_cap__gt=0)),
            models.CheckConstraint(name="topic_person_times_positive", condition=Q(expected_person_times__gt=0)),
            models.CheckConstraint(name="topic_names_what", condition=Q(occupation__isnull=False) | ~Q(industry_chain="")),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.title}"


class ApplicationStatus(models.TextChoices):
    SUBMITTED = "submitted", _("submitted")
    AWARDED = "awarded", _("awarded")
    REJECTED = "rejected", _("not awarded")


class AcceptanceResult(models.TextChoices):
    PASSED = "passed", _("passed acceptance")
    FAILED = "failed", _("failed acceptance")


class TopicApplicationQuerySet(models.QuerySet):
    def visible_to(self, user: Viewer) -> TopicApplicationQuerySet:
        scope = scope_for(user)
        if scope.everything:
            return self.all()
        if not getattr(user, "is_authenticated", False) or scope.person_id:
            return self.none()
        q = Q(topic__topic_list__panel=user)
        if scope.organisation_id:
            q |= Q(applicant_id=scope.organisation_id) | Q(partner_id=scope.organisation_id)
        if scope.region_prefix:
            q |= scope.region_q("county")
        return self.filter(q).distinct()


class TopicApplication(TimeStampedModel):
    """An institution's bid for a topic (揭榜), with an enterprise partner if any."""

    topic = models.ForeignKey(Topic, on_delete=models.PROTECT, related_name="applications")
    applicant = models.ForeignKey("registry.Organisation", verbose_name=_("applicant"), on_delete=models.PROTECT,
                                  related_name="topic_applications")
    partner = models.ForeignKey("registry.Organisation", verbose_name=_("partner enterprise"), null=True, blank=True,
                                on_delete=models.PROTECT, related_name="+")
    county = models.ForeignKey("registry.Region", verbose_name=_("county"), on_delete=models.PROTECT, related_name="+")
    plan = models.TextField(_("training plan"))
    planned_person_times = models.PositiveIntegerField(_("planned person-times"))
    hours = models.PositiveIntegerField(_("training hours"))
    requested_budget = models.DecimalField(_("requested budget (yuan)"), max_digits=12, decimal_places=2)
    status = models.CharField(_("status"), max_length=20, choices=ApplicationStatus.choices,
                              default=ApplicationStatus.SUBMITTED)
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision_reason = models.TextField(_("decision reason"), blank=True)
    awarded_budget = models.DecimalField(_("awarded budget (yuan)"), max_digits=12, decimal_places=2, null=True, blank=True)
    project = models.OneToOneField("training.TrainingProject", null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="key_award")
    acceptance_result = models.CharField(_("final acceptance"), max_length=10, choices=AcceptanceResult.choices, blank=True)

    objects = TopicApplicationQuerySet.as_manager()

    TRANSITIONS = {
        (ApplicationStatus.SUBMITTED, ApplicationStatus.AWARDED),
        (ApplicationStatus.SUBMITTED, ApplicationStatus.REJECTED),
    }

    class Meta:
        ordering = ["topic", "pk"]
        verbose_name = _("topic application")
        verbose_name_plural = _("topic applications")
        constraints = [
            models.UniqueConstraint(fields=["topic", "applicant"], name="application_once_per_topic"),
            models.CheckConstraint(name="application_budget_positive", condition=Q(requested_budget__gt=0)),
            models.CheckConstraint(name="application_person_times_positive", condition=Q(planned_person_times__gt=0)),
            models.CheckConstraint(name="application_hours_positive", condition=Q(hours__gt=0)),
            models.CheckConstraint(
                name="application_award_has_budget_and_project",
                condition=~Q(status=ApplicationStatus.AWARDED)
                | (Q(awarded_budget__gt=0) & Q(awarded_budget__lte=models.F("requested_budget")) & Q(project__isnull=False)),
            ),
            models.CheckConstraint(
                name="application_only_award_has_project",
                condition=Q(status=ApplicationStatus.AWARDED) | (Q(project__isnull=True) & Q(awarded_budget__isnull=True)),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.topic.code} · {self.applicant.name}"

    @property
    def number(self) -> str:
        return f"{self.topic.code}-{self.pk}"


class ExpertReview(TimeStampedModel):
    """One expert's score sheet for one application. A declared conflict of interest means no
    scores; a submitted sheet is locked (``locked_at``) and never changes."""

    application = models.ForeignKey(TopicApplication, on_delete=models.PROTECT, related_name="reviews")
    expert = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    conflict_of_interest = models.BooleanField(_("conflict of interest declared"), default=False)
    conflict_note = models.CharField(_("conflict of interest"), max_length=300, blank=True)
    total = models.DecimalField(_("total score"), max_digits=7, decimal_places=2, null=True, blank=True)
    comment = models.TextField(_("comment"), blank=True)
    locked_at = models.DateTimeField(_("locked at"))

    class Meta:
        ordering = ["application", "pk"]
        verbose_name = _("expert review")
        verbose_name_plural = _("expert reviews")
        constraints = [
            models.UniqueConstraint(fields=["application", "expert"], name="review_once_per_expert"),
            models.CheckConstraint(
                name="review_conflict_or_total",
                condition=(Q(conflict_of_interest=True) & Q(total__isnull=True) & ~Q(conflict_note=""))
                | (Q(conflict_of_interest=False) & Q(total__gte=0)),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.application_id} · {self.expert_id}"


class ReviewScore(models.Model):
    review = models.ForeignKey(ExpertReview, on_delete=models.PROTECT, related_name="scores")
    criterion = models.ForeignKey(ScoringCriterion, on_delete=models.PROTECT, related_name="+")
    score = models.DecimalField(_("score"), max_digits=5, decimal_places=1)

    class Meta:
        verbose_name = _("score")
        verbose_name_plural = _("scores")
        constraints = [
            models.UniqueConstraint(fields=["review", "criterion"], name="score_once_per_criterion"),
            models.CheckConstraint(name="score_not_negative", condition=Q(score__gte=0)),
        ]

    def __str__(self) -> str:
        return f"{self.criterion_id}: {self.score}"


class MilestoneStatus(models.TextChoices):
    PENDING = "pending", _("pending")
    REPORTED = "reported", _("reported")
    ACCEPTED = "accepted", _("accepted")
    FAILED = "failed", _("not accepted")


class KeyMilestoneQuerySet(models.QuerySet):
    def visible_to(self, user: Viewer) -> KeyMilestoneQuerySet:
        return self.filter(application__in=TopicApplication.objects.visible_to(user))


class KeyMilestone(TimeStampedModel):
    """A tranche of an awarded key project: reported by the institution, decided by the
    province; the final one is the project's acceptance and decides the last payment."""

    application = models.ForeignKey(TopicApplication, on_delete=models.PROTECT, related_name="milestones")
    sequence = models.PositiveSmallIntegerField(_("sequence"))
    title = models.CharField(_("milestone"), max_length=150)
    due_date = models.DateField(_("due date"))
    amount = models.DecimalField(_("tranche (yuan)"), max_digits=12, decimal_places=2)
    is_final = models.BooleanField(_("final acceptance"), default=False)
    status = models.CharField(_("status"), max_length=20, choices=MilestoneStatus.choices, default=MilestoneStatus.PENDING)
    report = models.TextField(_("report"), blank=True)
    reported_at = models.DateTimeField(_("reported at"), null=True, blank=True)
    reported_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    payable_amount = models.DecimalField(_("payable amount (yuan)"), max_digits=12, decimal_places=2, null=True, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision_note = models.TextField(_("decision note"), blank=True)

    objects = KeyMilestoneQuerySet.as_manager()

    TRANSITIONS = {
        (MilestoneStatus.PENDING, MilestoneStatus.REPORTED),
        (MilestoneStatus.REPORTED, MilestoneStatus.PENDING),  # returned for a better report
        (MilestoneStatus.REPORTED, MilestoneStatus.ACCEPTED),
        (MilestoneStatus.REPORTED, MilestoneStatus.FAILED),
    }

    class Meta:
        ordering = ["application", "sequence"]
        verbose_name = _("key project milestone")
        verbose_name_plural = _("key project milestones")
        constraints = [
            models.UniqueConstraint(fields=["application", "sequence"], name="milestone_sequence_unique"),
            models.UniqueConstraint(fields=["application"], condition=Q(is_final=True), name="milestone_one_final"),
            models.CheckConstraint(name="milestone_amount_positive", condition=Q(amount__gt=0)),
            models.CheckConstraint(
                name="milestone_payable_within_tranche",
                condition=Q(payable_amount__isnull=True)
                | (Q(payable_amount__gte=0) & Q(payable_amount__lte=models.F("amount"))),
            ),
            models.CheckConstraint(
                name="milestone_decided_has_payable",
                condition=~Q(status__in=["accepted", "failed"]) | Q(payable_amount__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.sequence}. {self.title}"

    @property
    def number(self) -> str:
        return f"{self.application.topic.code}-{self.application_id}-{self.sequence}"


ZERO = Decimal("0")
