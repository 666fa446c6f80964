"""Quality decisions on a running project (seed 二(六): 对质效不高、针对性不强的培训项目及时调整).

The indicators and the review queue are computed in the stats app (they need evaluation,
employment, funds and supervision data); the decision itself changes the project, so it is
recorded here, next to the project, where the institution sees it:

- adjust: planned person-times (never below the trainees already enrolled), occupation, hours;
- suspend: no new classes or enrollments (``TrainingProject.accepts_classes``); running classes,
  attendance, completions and claims for trainees who complete continue;
- reinstate: a suspended project opens again;
- terminate: with reasons; as suspended, for good.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from jixing.core.actor import Viewer
from jixing.core.models import TimeStampedModel


class QualityState(models.TextChoices):
    NORMAL = "normal", _("normal")
    SUSPENDED = "suspended", _("suspended by quality review")
    TERMINATED = "terminated", _("terminated by quality review")


QUALITY_TRANSITIONS: set[tuple[str, str]] = {
    (QualityState.NORMAL, QualityState.SUSPENDED),
    (QualityState.SUSPENDED, QualityState.NORMAL),
    (QualityState.NORMAL, QualityState.TERMINATED),
    (QualityState.SUSPENDED, QualityState.TERMINATED),
}


class DecisionKind(models.TextChoices):
    ADJUST = "adjust", _("adjust")
    SUSPEND = "suspend", _("suspend")
    REINSTATE = "reinstate", _("reinstate")
    TERMINATE = "terminate", _("terminate")


class QualityDecisionQuerySet(models.QuerySet):
    def visible_to(self, user: Viewer) -> QualityDecisionQuerySet:
        from .models import TrainingProject

        return self.filter(project__in=TrainingProject.objects.visible_to(user))


class ProjectQualityDecision(TimeStampedModel):
    project = models.ForeignKey("training.TrainingProject", on_delete=models.PROTECT, related_name="quality_decisions")
    kind = models.CharField(_("decision"), max_length=20, choices=DecisionKind.choices)
    reason = models.TextField(_("reason"))
    changes = models.JSONField(_("changes"), default=dict, blank=True)
    indicators = models.JSONField(_("indicators at decision"), default=dict, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    objects = QualityDecisionQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("project quality decision")
        verbose_name_plural = _("project quality decisions")
        constraints = [models.CheckConstraint(name="quality_decision_has_reason", condition=~Q(reason=""))]

    def __str__(self) -> str:
        return f"{self.project_id} {self.kind}"
