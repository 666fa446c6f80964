"""Job demands (岗位需求): an employer's posts that training is organised against.

Policy: seed 二(四) (培训就业联动: 岗位需求+技能培训+技能评价+就业服务). The demand side of
employment sits below training in the layers (STYLE.md habit 13): an order-type training
project (订单式) names the demand it serves, and employment (above evaluation) refers trainees
to demands and records the placements. The table keeps its name from when the model lived in
``employment`` (``employment_jobdemand``); ``employment.models`` still names the model.

Scope: officers their region subtree (by the post's county); organisations their own demands
plus every open one; trainees open ones; sector officers the demands that a project of one of
their department's actions serves.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from jixing.core.access import scope_for, scope_q
from jixing.core.actor import Viewer
from jixing.core.models import TimeStampedModel


class JobDemandStatus(models.TextChoices):
    OPEN = "open", pgettext_lazy("job demand status", "open")
    FILLED = "filled", pgettext_lazy("job demand status", "filled")
    CLOSED = "closed", pgettext_lazy("job demand status", "closed")


class JobDemandQuerySet(models.QuerySet):
    def visible_to(self, user: Viewer) -> JobDemandQuerySet:
        """Officers: their region. Organisations: their own demands, and every open demand
        (institutions design order-type projects against them)."""
        scope = scope_for(user)
        if scope.everything:
            return self
        if scope.organisation_id:
            return self.filter(Q(employer_id=scope.organisation_id) | Q(status=JobDemandStatus.OPEN))
        if scope.person_id:
            return self.filter(status=JobDemandStatus.OPEN)
        # A sector officer: the demands that a project of one of their actions serves.
        reached = scope_q(scope, region=("county",), action="projects__action")
        return self.filter(pk__in=JobDemand.objects.filter(reached).values("pk"))

    def open(self) -> JobDemandQuerySet:
        return self.filter(status=JobDemandStatus.OPEN)


class JobDemand(TimeStampedModel):
    employer = models.ForeignKey(
        "registry.Organisation", verbose_name=_("employer"), on_delete=models.PROTECT, related_name="job_demands"
    )
    title = models.CharField(_("post title"), max_length=100)
    occupation = models.ForeignKey("registry.Occupation", verbose_name=_("occupation"), on_delete=models.PROTECT)
    level = models.ForeignKey(
        "registry.SkillLevel", verbose_name=_("skill level"), null=True, blank=True, on_delete=models.PROTECT
    )
    posts = models.PositiveIntegerField(_("number of posts"))
    wage_min = models.DecimalField(_("monthly wage from (yuan)"), max_digits=10, decimal_places=2)
    wage_max = models.DecimalField(_("monthly wage to (yuan)"), max_digits=10, decimal_places=2)
    county = models.ForeignKey("registry.Region", verbose_name=_("county"), on_delete=models.PROTECT, related_name="+")
    chain = models.ForeignKey("plan.IndustrialChain", verbose_name=_("industrial chain"), null=True, blank=True,
                              on_delete=models.PROTECT, related_name="job_demands")  # seed 一(七), issue 17
    deadline = models.DateField(pgettext_lazy("job demand", "deadline"))
    description = models.TextField(pgettext_lazy("job demand", "description"), blank=True)
    status = models.CharField(_("status"), max_length=10, choices=JobDemandStatus.choices, default=JobDemandStatus.OPEN)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    objects = JobDemandQuerySet.as_manager()

    TRANSITIONS = {
        (JobDemandStatus.OPEN, JobDemandStatus.FILLED),
        (JobDemandStatus.OPEN, JobDemandStatus.CLOSED),
        (JobDemandStatus.FILLED, JobDemandStatus.OPEN),
    }

    class Meta:
        db_table = "employment_jobdemand"  # moved from employment without recreating the table
        ordering = ["-created_at"]
        verbose_name = _("job demand")
        verbose_name_plural = _("job demands")
        constraints = [
            models.CheckConstraint(name="job_demand_posts_positive", condition=Q(posts__gt=0)),
            models.CheckConstraint(
                name="job_demand_wage_range", condition=Q(wage_min__gte=0) & Q(wage_max__gte=models.F("wage_min"))
            ),
        ]

    def __str__(self) -> str:
        return f"{self.employer} · {self.title}"

    @property
    def is_open(self) -> bool:
        return self.status == JobDemandStatus.OPEN
