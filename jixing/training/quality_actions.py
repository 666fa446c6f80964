"""Quality-review decisions on a project (models in quality.py): adjust, suspend, reinstate,
terminate. Called from the stats app's review queue (which computes the indicators and
passes them in as a snapshot) and its API; each is an audited state transition, published
to the institution (``training.project.quality_<kind>``)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from jixing.accounts.models import User
from jixing.core import audit
from jixing.core.events import publish
from jixing.core.workflow import move

from .access import is_officer_in_scope
from .models import ProjectStatus, TrainingProject
from .quality import QUALITY_TRANSITIONS, DecisionKind, ProjectQualityDecision, QualityState
from .queries import COUNTING_STATUSES

REVIEWABLE = (ProjectStatus.APPROVED, ProjectStatus.RUNNING)
ADJUSTABLE = ("planned_person_times", "occupation", "hours")


def enrolled_count(project: TrainingProject) -> int:
    from .models import Enrollment

    return Enrollment.objects.filter(training_class__project=project, status__in=COUNTING_STATUSES).count()


def _check(project: TrainingProject, by: User, reason: str) -> str:
    if not is_officer_in_scope(by, project):
        raise PermissionDenied(_("Only an HRSS officer responsible for the project's region may decide on it."))
    if by.pk in project.authors:
        raise PermissionDenied(_("You cannot decide on a project you made or submitted (maker ≠ checker)."))
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": [_("Give the reason for your decision.")]})
    return reason


def _lock(project: TrainingProject) -> None:
    list(TrainingProject.objects.select_for_update().filter(pk=project.pk).values_list("pk"))
    project.refresh_from_db()


def _record(project: TrainingProject, kind: str, *, by: User, reason: str, changes: Mapping[str, Any],
            indicators: Mapping[str, Any] | None) -> ProjectQualityDecision:
    decision = ProjectQualityDecision.objects.create(
        project=project, kind=kind, reason=reason, changes=dict(changes), indicators=dict(indicators or {}), decided_by=by)
    publish(f"training.project.quality_{kind}", obj=project, actor=by, reason=reason)
    return decision


def adjust(project: TrainingProject, *, by: User, reason: str, changes: Mapping[str, Any],
           indicators: Mapping[str, Any] | None = None) -> ProjectQualityDecision:
    """Change the plan of a running project: person-times never below those already enrolled."""
    reason = _check(project, by, reason)
    unknown = set(changes) - set(ADJUSTABLE)
    if unknown or not changes:
        raise ValidationError(_("Adjust the planned person-times, the occupation or the hours."))
    with transaction.atomic():
        _lock(project)
        if project.status not in REVIEWABLE or project.quality_state == QualityState.TERMINATED:
            raise ValidationError(_("Only an approved or running project that is not terminated can be adjusted."))
        before: dict[str, Any] = {}
        after: dict[str, Any] = {}
        if "planned_person_times" in changes:
            planned = changes["planned_person_times"]
            enrolled = enrolled_count(project)
            if not isinstance(planned, int) or planned <= 0:
                raise ValidationError({"planned_person_times": [_("Enter a whole number above zero.")]})
            if planned < enrolled:
                raise ValidationError({"planned_person_times": [
                    _("%(planned)d is below the %(enrolled)d trainees already enrolled.")
                    % {"planned": planned, "enrolled": enrolled}]})
            before["planned_person_times"], after["planned_person_times"] = project.planned_person_times, planned
            project.planned_person_times = planned
        if "hours" in changes:
            hours = changes["hours"]
            if not isinstance(hours, int) or hours <= 0:
                raise ValidationError({"hours": [_("Enter a whole number above zero.")]})
            before["hours"], after["hours"] = project.hours, hours
            project.hours = hours
        if "occupation" in changes:
            occupation = changes["occupation"]
            before["occupation"] = project.occupation_id
            after["occupation"] = getattr(occupation, "pk", None)
            project.occupation = occupation
        project.save(update_fields=[*[k for k in ADJUSTABLE if k in changes], "updated_at"])
        audit.record("training.project.quality_adjust", actor=by, obj=project, before=before, after=after,
                     detail={"reason": reason})
        return _record(project, DecisionKind.ADJUST, by=by, reason=reason,
                       changes={"before": before, "after": after}, indicators=indicators)


def _transition(project: TrainingProject, kind: str, to: str, *, by: User, reason: str,
                indicators: Mapping[str, Any] | None) -> ProjectQualityDecision:
    reason = _check(project, by, reason)
    with transaction.atomic():
        _lock(project)
        if project.status not in REVIEWABLE and kind != DecisionKind.TERMINATE:
            raise ValidationError(_("Only an approved or running project can be suspended or reinstated."))
        before = project.quality_state
        move(project, to, by=by, reason=reason, field="quality_state", transitions=QUALITY_TRANSITIONS,
             event=f"training.project.quality_{kind}")
        return _record(project, kind, by=by, reason=reason, changes={"quality_state": [before, to]},
                       indicators=indicators)


def suspend(project: TrainingProject, *, by: User, reason: str,
            indicators: Mapping[str, Any] | None = None) -> ProjectQualityDecision:
    """No new classes or enrollments; running classes and claims for completed trainees continue."""
    return _transition(project, DecisionKind.SUSPEND, QualityState.SUSPENDED, by=by, reason=reason, indicators=indicators)


def reinstate(project: TrainingProject, *, by: User, reason: str,
              indicators: Mapping[str, Any] | None = None) -> ProjectQualityDecision:
    return _transition(project, DecisionKind.REINSTATE, QualityState.NORMAL, by=by, reason=reason, indicators=indicators)


def terminate(project: TrainingProject, *, by: User, reason: str,
              indicators: Mapping[str, Any] | None = None) -> ProjectQualityDecision:
    return _transition(project, DecisionKind.TERMINATE, QualityState.TERMINATED, by=by, reason=reason,
                       indicators=indicators)


DECISIONS = {"suspend": suspend, "reinstate": reinstate, "terminate": terminate}
