"""Employment service: job demands (岗位需求), the first link of the four-in-one chain
(seed 二(四): 岗位需求+技能培训+技能评价+就业服务)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from jixing.core.access import scope_for
from jixing.core.models import TimeStampedModel


class JobDemandStatus(models.TextChoices):
    OPEN = "open", _("open")
    FILLED = "filled", _("filled")
    CLOSED = "closed", _("closed")


class JobDemandQuerySet(models.QuerySet):
    def visible_to(self, user: Any) -> JobDemandQuerySet:
        """Officers: their region. Organisations: their own demands, and every open demand
        (institutions design order-type projects against them)."""
        scope = scope_for(user)
        if scope.everything:
            return self
        if scope.organisation_id:
            return self.filter(Q(employer_id=scope.organisation_id) | Q(status=JobDemandStatus.OPEN))
        if scope.region_prefix:
            return self.filter(scope.region_q("county"))
        if scope.person_id:
            return self.filter(status=JobDemandStatus.OPEN)
        return self.none()


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
    deadline = models.DateField(_("deadline"))
    description = models.TextField(_("description"), blank=True)
    status = models.CharField(_("status"), max_length=10, choices=JobDemandStatus.choices, default=JobDemandStatus.OPEN)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    objects = JobDemandQuerySet.as_manager()

    TRANSITIONS = {
        (JobDemandStatus.OPEN, JobDemandStatus.FILLED),
        (JobDemandStatus.OPEN, JobDemandStatus.CLOSED),
        (JobDemandStatus.FILLED, JobDemandStatus.OPEN),
    }

    class Meta:
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
