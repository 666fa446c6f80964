"""Training projects: create, update, submit, decide and move through their lifecycle."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from jixing.accounts.models import Role
from jixing.core import audit
from jixing.core.events import publish
from jixing.core.numbering import next_serial, save_with_serial
from jixing.core.workflow import move
from jixing.registry.models import Organisation, RegionLevel

from ..access import is_officer_in_scope
from ..models import TYPES_NEEDING_DEMAND, TYPES_NEEDING_PARTNER, ProjectStatus, TrainingProject
from .common import PROJECT_FIELDS, _lock, _require_officer, _require_organiser, _today

# ---------------------------------------------------------------- projects


def _next_code(model: type[models.Model], prefix: str) -> str:
    return next_serial(model, "code", prefix, width=4)


def _save_with_code(obj: Any, prefix: str) -> None:
    """Give ``obj`` the next free human-readable code (core.numbering)."""
    save_with_serial(obj, "code", prefix, width=4)


def _check_project(project: TrainingProject, *, complete: bool) -> None:
    """Consistency always; completeness (what an officer needs to decide) when ``complete``."""
    errors: dict[str, list[str]] = {}

    def add(field: str, message: str) -> None:
        errors.setdefault(field, []).append(message)

    if project.target is not None and project.target.action_id not in (None, project.action_id):
        add("target", _("The target line belongs to another action."))
    job_demand = project.job_demand
    if job_demand is not None:
        if project.partner_id is None:
            project.partner_id = job_demand.employer_id
        elif job_demand.employer_id != project.partner_id:
            add("job_demand", _("The job demand must be one posted by the partner enterprise."))
    if project.county_id and project.county.level != RegionLevel.COUNTY:
        add("county", _("Choose a county-level region."))
    if project.level_id and not project.occupation_id:
        add("occupation", _("A skill level needs an occupation."))
    if complete:
        if project.project_type in TYPES_NEEDING_PARTNER and not project.partner_id:
            add("partner", _("This type of project needs a partner enterprise."))
        if project.project_type in TYPES_NEEDING_DEMAND and not project.job_demand_id:
            add("job_demand", _("Order, fixed-post and directed projects must link to a job demand of the partner enterprise."))
        if not ((project.occupation_id and project.level_id) or project.special_ability.strip()):
            add("occupation", _("Give an occupation and level, or a special vocational ability."))
    if errors:
        raise ValidationError(errors)


def _refuse_blocked(organisation: Organisation) -> None:
    if organisation.is_blocked_on(_today()):
        raise ValidationError(
            _("%(org)s is suspended or blacklisted and cannot submit training projects.") % {"org": organisation.name},
            code="organisation_blocked",
        )


def _attname(obj: models.Model, name: str) -> str:
    """Where a concrete field keeps its value on the instance (``county_id`` for ``county``)."""
    field = obj._meta.get_field(name)
    assert isinstance(field, models.Field), f"{name} is not a concrete field"  # PROJECT_FIELDS, CLASS_FIELDS
    return field.attname


def _assign(obj: Any, data: Mapping[str, Any], allowed: Iterable[str]) -> dict[str, Any]:
    changed: dict[str, Any] = {}
    for name in allowed:
        if name not in data:
            continue
        field = obj._meta.get_field(name)
        attr = field.attname if field.is_relation else name
        value = data[name]
        if field.is_relation and isinstance(value, models.Model):
            value = value.pk
        if getattr(obj, attr) != value:
            changed[name] = value
            setattr(obj, attr, value)
    return changed


def _full_clean(obj: models.Model, exclude: Iterable[str] = ()) -> None:
    obj.full_clean(exclude=[*exclude], validate_unique=False, validate_constraints=True)


def create_project(*, by: Any, data: Mapping[str, Any], required_groups: Iterable[Any] = (),
                   programmes: Iterable[Any] = ()) -> TrainingProject:
    if getattr(by, "role", None) != Role.INSTITUTION or not by.organisation_id:
        raise PermissionDenied(_("Only training institutions and enterprises create projects."))
    organiser = Organisation.objects.get(pk=by.organisation_id)
    _refuse_blocked(organiser)
    project = TrainingProject(organiser=organiser, created_by=by, code="")
    _assign(project, data, PROJECT_FIELDS)
    _check_project(project, complete=False)
    _full_clean(project, exclude=["code", "created_by", "organiser"])
    with transaction.atomic():
        county = project.county_id or organiser.county_id
        _save_with_code(project, f"XM-{county}-{_today().year}-")
        project.required_groups.set(list(required_groups))
        project.programmes.set(list(programmes))  # named programmes, seed 一(四)/(五)/(八)
        audit.record("training.project.create", actor=by, obj=project, after={"code": project.code, "name": project.name})
    return project


def update_project(project: TrainingProject, *, by: Any, data: Mapping[str, Any],
                   required_groups: Iterable[Any] | None = None, programmes: Iterable[Any] | None = None) -> TrainingProject:
    _require_organiser(by, project)
    with transaction.atomic():
        _lock(project)
        if not project.is_editable:
            raise ValidationError(_("The project is %(status)s; its data is locked.")
                                  % {"status": project.get_status_display()}, code="locked")
        before = {k: str(getattr(project, _attname(project, k))) for k in PROJECT_FIELDS if k in data}
        changed = _assign(project, data, PROJECT_FIELDS)
        _check_project(project, complete=False)
        _full_clean(project, exclude=["code", "created_by", "organiser"])
        project.save()
        if required_groups is not None:
            project.required_groups.set(list(required_groups))
            changed["required_groups"] = sorted(g.pk if isinstance(g, models.Model) else g for g in required_groups)
        if programmes is not None:
            project.programmes.set(list(programmes))
            changed["programmes"] = sorted(p.pk if isinstance(p, models.Model) else p for p in programmes)
        audit.record("training.project.update", actor=by, obj=project,
                     before={k: before.get(k) for k in changed}, after={k: str(v) for k, v in changed.items()})
    return project


def submit_project(project: TrainingProject, *, by: Any) -> TrainingProject:
    _require_organiser(by, project)
    with transaction.atomic():
        _lock(project)
        _refuse_blocked(project.organiser)
        _check_project(project, complete=True)
        project.submitted_by = by
        project.save(update_fields=["submitted_by", "partner", "updated_at"])
        move(project, ProjectStatus.SUBMITTED, by=by, event="training.project.submit")
        publish("training.project.submitted", obj=project, actor=by)
    return project


def _decide(project: TrainingProject, to: str, *, by: Any, reason: str, needs_reason: bool) -> TrainingProject:
    if not is_officer_in_scope(by, project):
        raise PermissionDenied(_("Only an HRSS officer responsible for the project's region may decide on it."))
    reason = (reason or "").strip()
    if needs_reason and not reason:
        raise ValidationError({"reason": [_("Give the reason for your decision.")]})
    with transaction.atomic():
        _lock(project)
        if by.pk in project.authors:
            raise PermissionDenied(_("You cannot decide on a project you made or submitted (maker ≠ checker)."))
        if to == ProjectStatus.APPROVED:
            project.approved_by = by
            project.approved_at = timezone.now()
            project.save(update_fields=["approved_by", "approved_at", "updated_at"])
        move(project, to, by=by, reason=reason, event=f"training.project.{to}")
        publish(f"training.project.{to}", obj=project, actor=by, reason=reason)
    return project


def approve_project(project: TrainingProject, *, by: Any, reason: str = "") -> TrainingProject:
    return _decide(project, ProjectStatus.APPROVED, by=by, reason=reason, needs_reason=False)


def return_project(project: TrainingProject, *, by: Any, reason: str) -> TrainingProject:
    return _decide(project, ProjectStatus.RETURNED, by=by, reason=reason, needs_reason=True)


def reject_project(project: TrainingProject, *, by: Any, reason: str) -> TrainingProject:
    return _decide(project, ProjectStatus.REJECTED, by=by, reason=reason, needs_reason=True)


def start_project(project: TrainingProject, *, by: Any) -> TrainingProject:
    _require_organiser(by, project)
    move(project, ProjectStatus.RUNNING, by=by, event="training.project.start")
    return project


def finish_project(project: TrainingProject, *, by: Any) -> TrainingProject:
    _require_organiser(by, project)
    if project.classes.filter(closed_at__isnull=True).exists():
        raise ValidationError(_("Close every class (which decides completions) before finishing the project."))
    move(project, ProjectStatus.FINISHED, by=by, event="training.project.finish")
    return project


def close_project(project: TrainingProject, *, by: Any, reason: str = "") -> TrainingProject:
    _require_officer(by, project)
    move(project, ProjectStatus.CLOSED, by=by, reason=reason, event="training.project.close")
    return project


PROJECT_MOVES = {
    "submit": submit_project, "approve": approve_project, "return": return_project, "reject": reject_project,
    "start": start_project, "finish": finish_project, "close": close_project,
}
MOVES_NEEDING_REASON = frozenset({"return", "reject"})


def move_project(project: TrainingProject, verb: str, *, by: Any, reason: str = "") -> TrainingProject:
    """Dispatch a lifecycle verb (pages and API share it)."""
    if verb not in PROJECT_MOVES:
        raise ValidationError(_("Unknown action."))
    if verb in {"approve", "return", "reject", "close"}:
        return PROJECT_MOVES[verb](project, by=by, reason=reason)  # type: ignore[operator]
    return PROJECT_MOVES[verb](project, by=by)  # type: ignore[operator]
