"""Every training write: projects through their lifecycle, classes, sessions, enrollments
with their eligibility decision, attendance and completion.

Each action is atomic, takes the acting user as keyword-only ``by``, checks who may do it
(``PermissionDenied`` → 403; scope is checked before, by fetching through ``visible_to``),
refuses bad input with a ``ValidationError`` in the user's language, and writes one audit
event (lifecycle moves through ``jixing.core.workflow.move``, which records it).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, models, transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from jixing.accounts.models import Role
from jixing.core import audit
from jixing.core.events import publish
from jixing.core.models import StatusChange
from jixing.core.numbering import next_serial, save_with_serial
from jixing.core.workflow import move
from jixing.imports.pipeline import copy_insert
from jixing.registry.models import Organisation, Person, RegionLevel

from . import conf, rules
from .face import get_provider
from .models import (
    TYPES_NEEDING_DEMAND,
    TYPES_NEEDING_PARTNER,
    Attendance,
    CheckInMethod,
    Enrollment,
    EnrollmentStatus,
    FilingStatus,
    ProjectStatus,
    Provenance,
    Teacher,
    TrainingClass,
    TrainingProject,
    TrainingSession,
)
from .quality import QualityState
from .queries import COUNTING_STATUSES, eligibility_facts, filing_notice_days, offer_for

# Fields an organiser may set on a project (forms and API list the same; no mass assignment).
PROJECT_FIELDS = (
    "name", "action", "target", "project_type", "partner", "job_demand", "occupation", "level", "special_ability",
    "chain", "county", "planned_person_times", "hours", "required_attendance_rate", "fund_source", "is_subsidised",
    "requires_certificate", "description",
)
CLASS_FIELDS = ("name", "site_address", "county", "latitude", "longitude", "capacity", "start_date", "end_date")


# ---------------------------------------------------------------- who may


def is_organiser_staff(user: Any, project: TrainingProject) -> bool:
    return (getattr(user, "role", None) == Role.INSTITUTION and user.organisation_id is not None
            and user.organisation_id == project.organiser_id)


def is_officer_in_scope(user: Any, project: TrainingProject) -> bool:
    return (getattr(user, "role", None) == Role.HRSS_OFFICER
            and TrainingProject.objects.visible_to(user).filter(pk=project.pk).exists())


def can_review(user: Any, project: TrainingProject) -> bool:
    """An HRSS officer whose scope covers the project and who did not make it (maker ≠ checker)."""
    return is_officer_in_scope(user, project) and user.pk not in project.authors


def _require_organiser(user: Any, project: TrainingProject) -> None:
    if not is_organiser_staff(user, project):
        raise PermissionDenied(_("Only staff of the organising institution may do this."))


def _require_officer(user: Any, project: TrainingProject) -> None:
    if not is_officer_in_scope(user, project):
        raise PermissionDenied(_("Only an HRSS officer responsible for the project's region may do this."))


def _require_organiser_or_officer(user: Any, project: TrainingProject) -> None:
    if not (is_organiser_staff(user, project) or is_officer_in_scope(user, project)):
        raise PermissionDenied(_("Only the organising institution or a responsible HRSS officer may do this."))


def _today() -> dt.date:
    return timezone.localdate()


def _lock(obj: Any) -> None:
    """Lock the row (PostgreSQL; SQLite serialises writers) and reload the caller's instance
    so it sees the committed state; call inside ``transaction.atomic``."""
    list(type(obj).objects.select_for_update().filter(pk=obj.pk).values_list("pk"))
    obj.refresh_from_db()


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


# ---------------------------------------------------------------- classes, teachers, sessions


def add_teacher(*, by: Any, person: Person, qualification: str = "") -> Teacher:
    if getattr(by, "role", None) != Role.INSTITUTION or not by.organisation_id:
        raise PermissionDenied(_("Only training institutions register their teachers."))
    teacher, created = Teacher.objects.get_or_create(
        organisation_id=by.organisation_id, person=person, defaults={"qualification": qualification},
    )
    if created:
        audit.record("training.teacher.add", actor=by, obj=teacher)
    return teacher


def _check_teachers(project: TrainingProject, teachers: Iterable[Teacher]) -> list[Teacher]:
    teachers = list(teachers)
    if any(t.organisation_id != project.organiser_id for t in teachers):
        raise ValidationError({"teachers": [_("Teachers must be registered with the organising institution.")]})
    return teachers


def create_class(project: TrainingProject, *, by: Any, data: Mapping[str, Any],
                 teachers: Iterable[Teacher] = ()) -> TrainingClass:
    _require_organiser(by, project)
    if project.quality_state != QualityState.NORMAL:
        raise ValidationError(_("The project is %(state)s: no new classes.")
                              % {"state": project.get_quality_state_display()}, code="suspended")
    if not project.accepts_classes:
        raise ValidationError(_("Classes can be opened only for an approved or running project."), code="not_approved")
    teachers = _check_teachers(project, teachers)
    klass = TrainingClass(project=project, code="")
    _assign(klass, data, CLASS_FIELDS)
    if klass.county_id and klass.county.level != RegionLevel.COUNTY:
        raise ValidationError({"county": [_("Choose a county-level region.")]})
    if klass.start_date and klass.end_date and klass.end_date < klass.start_date:
        raise ValidationError({"end_date": [_("The end date is before the start date.")]})
    _full_clean(klass, exclude=["code", "project", "teachers"])
    with transaction.atomic():
        _save_with_code(klass, f"BJ-{klass.county_id}-{klass.start_date.year}-")
        klass.teachers.set(teachers)
        audit.record("training.class.create", actor=by, obj=klass, after={"code": klass.code, "capacity": klass.capacity})
    return klass


def update_class(klass: TrainingClass, *, by: Any, data: Mapping[str, Any],
                 teachers: Iterable[Teacher] | None = None) -> TrainingClass:
    _require_organiser(by, klass.project)
    with transaction.atomic():
        _lock(klass)
        if klass.is_locked:
            raise ValidationError(_("The class is closed; its record is locked."), code="locked")
        if klass.filing_status == FilingStatus.FILED:
            raise ValidationError(_("The class filing is with the county; wait for its decision before changing the class."),
                                  code="filing_pending")
        before = {k: str(getattr(klass, _attname(klass, k))) for k in CLASS_FIELDS if k in data}
        changed = _assign(klass, data, CLASS_FIELDS)
        if "county" in changed and klass.county.level != RegionLevel.COUNTY:
            raise ValidationError({"county": [_("Choose a county-level region.")]})
        if "capacity" in changed and klass.capacity < Enrollment.objects.filter(
            training_class=klass, status__in=COUNTING_STATUSES
        ).count():
            raise ValidationError({"capacity": [_("The capacity cannot be below the number already enrolled.")]})
        if klass.end_date < klass.start_date:
            raise ValidationError({"end_date": [_("The end date is before the start date.")]})
        if klass.sessions.filter(Q(starts_at__date__lt=klass.start_date) | Q(starts_at__date__gt=klass.end_date)).exists():
            raise ValidationError({"start_date": [_("Some sessions would fall outside the new dates.")]})
        _full_clean(klass, exclude=["code", "project", "teachers"])
        klass.save()
        if teachers is not None:
            klass.teachers.set(_check_teachers(klass.project, teachers))
        audit.record("training.class.update", actor=by, obj=klass,
                     before={k: before.get(k) for k in changed}, after={k: str(v) for k, v in changed.items()})
    return klass


def _local_date(moment: dt.datetime) -> dt.date:
    return timezone.localtime(moment).date()


def teacher_conflicts(teacher: Teacher, starts_at: dt.datetime, ends_at: dt.datetime,
                      exclude_pk: int | None = None) -> models.QuerySet[TrainingSession]:
    """Sessions in ANY class taught by the same person that overlap [starts_at, ends_at)."""
    qs = TrainingSession.objects.filter(
        teacher__person_id=teacher.person_id, starts_at__lt=ends_at, ends_at__gt=starts_at,
    )
    return qs.exclude(pk=exclude_pk) if exclude_pk else qs


def add_session(klass: TrainingClass, *, by: Any, starts_at: dt.datetime, ends_at: dt.datetime, hours: Decimal,
                teacher: Teacher, topic: str) -> TrainingSession:
    _require_organiser(by, klass.project)
    hours = Decimal(hours)
    errors: dict[str, list[str]] = {}
    if ends_at <= starts_at:
        errors.setdefault("ends_at", []).append(_("The session must end after it starts."))
    elif hours <= 0 or hours > Decimal(str((ends_at - starts_at).total_seconds() / 3600)):
        errors.setdefault("hours", []).append(_("Hours must be positive and no more than the session's length."))
    if not (klass.start_date <= _local_date(starts_at) <= klass.end_date):
        errors.setdefault("starts_at", []).append(_("The session must fall within the class dates."))
    if teacher.organisation_id != klass.project.organiser_id:
        errors.setdefault("teacher", []).append(_("The teacher is not registered with the organising institution."))
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        # Serialise scheduling per class and per teacher (PostgreSQL row locks; unique
        # writers on SQLite) so two overlapping sessions cannot slip in side by side.
        _lock(klass)
        list(Teacher.objects.select_for_update().filter(person_id=teacher.person_id))
        if klass.is_locked:
            raise ValidationError(_("The class is closed; its record is locked."), code="locked")
        clash = teacher_conflicts(teacher, starts_at, ends_at).select_related("training_class").first()
        if clash is not None:
            raise ValidationError({"teacher": [_(
                "%(teacher)s already teaches class %(code)s from %(start)s to %(end)s."
            ) % {"teacher": teacher.person.name, "code": clash.training_class.code,
                 "start": timezone.localtime(clash.starts_at).strftime("%Y-%m-%d %H:%M"),
                 "end": timezone.localtime(clash.ends_at).strftime("%H:%M")}]}, code="teacher_overlap")
        if klass.sessions.filter(starts_at__lt=ends_at, ends_at__gt=starts_at).exists():
            raise ValidationError({"starts_at": [_("The class already has a session at this time.")]},
                                  code="class_overlap")
        session = TrainingSession.objects.create(
            training_class=klass, starts_at=starts_at, ends_at=ends_at, hours=hours, teacher=teacher, topic=topic,
        )
        klass.teachers.add(teacher)
        audit.record("training.session.add", actor=by, obj=session,
                     after={"starts_at": starts_at.isoformat(), "hours": str(hours), "teacher": teacher.pk})
    return session


# ---------------------------------------------------------------- class filing (开班备案)


def _filing_move(klass: TrainingClass, to: str, *, by: Any, reason: str, event: str) -> None:
    move(klass, to, by=by, reason=reason, field="filing_status", transitions=TrainingClass.FILING_TRANSITIONS,
         event=event)


def file_class(klass: TrainingClass, *, by: Any, roster_plan: str | None = None) -> TrainingClass:
    """The institution files the class (schedule, site, teachers, roster plan) with the county.

    Refused after the start date; inside the notice period it goes to the county flagged as
    short notice (supervision R13). The notice period is the dated ``FilingNotice`` in force."""
    _require_organiser(by, klass.project)
    today = _today()
    with transaction.atomic():
        _lock(klass)
        if not klass.filing_editable:
            raise ValidationError(_("The class filing is %(status)s; it cannot be filed now.")
                                  % {"status": klass.get_filing_status_display()}, code="filing_state")
        if not klass.project.accepts_classes:
            raise ValidationError(_("Classes can be filed only for an approved or running project."), code="not_approved")
        if roster_plan is not None:
            klass.roster_plan = roster_plan.strip()
        errors: dict[str, list[str]] = {}
        if not klass.roster_plan:
            errors["roster_plan"] = [_("Describe the roster plan: whom the class recruits and how.")]
        if not klass.site_address.strip():
            errors["site_address"] = [_("Give the training site.")]
        if not klass.teachers.exists():
            errors["teachers"] = [_("Name at least one teacher of the class.")]
        if not klass.sessions.exists():
            errors["sessions"] = [_("Add the schedule (at least one session) before filing.")]
        timing = rules.filing_timing(start_date=klass.start_date, filed_on=today,
                                     notice_days=filing_notice_days(today))
        if timing.late:
            errors["start_date"] = [_(
                "A class is filed before it starts: class %(code)s started on %(start)s and today is %(today)s, so "
                "this late filing is refused.") % {"code": klass.code, "start": klass.start_date, "today": today}]
        if errors:
            raise ValidationError(errors, code="filing_refused")
        klass.filed_at, klass.filed_by = timezone.now(), by
        klass.filing_days_ahead, klass.filing_short_notice = timing.days_ahead, timing.short_notice
        klass.save(update_fields=["roster_plan", "filed_at", "filed_by", "filing_days_ahead", "filing_short_notice",
                                  "updated_at"])
        reason = (_("Filed %(days)s day(s) before the start; the notice period is %(notice)s days.")
                  % {"days": timing.days_ahead, "notice": timing.notice_days}) if timing.short_notice else ""
        _filing_move(klass, FilingStatus.FILED, by=by, reason=reason, event="training.class.file")
        if klass.filing_reason:  # the earlier return reason stays in the status history
            klass.filing_reason = ""
            klass.save(update_fields=["filing_reason"])
        publish("training.class.filed", obj=klass, actor=by, code=klass.code, county=klass.county_id,
                days_ahead=timing.days_ahead, short_notice=timing.short_notice)
    return klass


def _decide_filing(klass: TrainingClass, to: str, *, by: Any, reason: str) -> TrainingClass:
    if not is_officer_in_scope(by, klass.project):
        raise PermissionDenied(_("Only an HRSS officer responsible for the class's region may decide on its filing."))
    reason = (reason or "").strip()[:300]
    if to == FilingStatus.RETURNED and not reason:
        raise ValidationError({"reason": [_("Give the reason for returning the filing.")]})
    with transaction.atomic():
        _lock(klass)
        if klass.filing_status != FilingStatus.FILED:
            raise ValidationError(_("The class filing is %(status)s; only a filing awaiting the county can be decided.")
                                  % {"status": klass.get_filing_status_display()}, code="filing_state")
        if by.pk == klass.filed_by_id:
            raise PermissionDenied(_("You cannot decide on a filing you made (maker ≠ checker)."))
        klass.filing_decided_at, klass.filing_decided_by = timezone.now(), by
        klass.filing_reason = reason if to == FilingStatus.RETURNED else ""
        klass.save(update_fields=["filing_decided_at", "filing_decided_by", "filing_reason", "updated_at"])
        _filing_move(klass, to, by=by, reason=reason, event=f"training.class.filing_{to}")
        publish(f"training.class.{to}", obj=klass, actor=by, code=klass.code, reason=reason)
    return klass


def accept_class_filing(klass: TrainingClass, *, by: Any, reason: str = "") -> TrainingClass:
    """The county accepts the filing: enrollment and attendance open."""
    return _decide_filing(klass, FilingStatus.ACCEPTED, by=by, reason=reason)


def return_class_filing(klass: TrainingClass, *, by: Any, reason: str) -> TrainingClass:
    """The county returns the filing with its reason; the institution corrects and files again."""
    return _decide_filing(klass, FilingStatus.RETURNED, by=by, reason=reason)


# ---------------------------------------------------------------- enrollment


def find_or_register_trainee(*, by: Any, name: str, id_number: str, phone: str = "",
                             fallback_county: str) -> Person:
    """The person with this resident ID number, or a new registry record for them.

    Real-name check: an existing person's registered name must match. A new person's
    household region is the county of the ID number when it is a current county of China
    (a migrant from Henan keeps Henan), else ``fallback_county`` (the class's county: the
    number's code is a former or unknown one, which does not make the number invalid), and
    their current region is ``fallback_county``.
    """
    from jixing.registry.validators import normalise_phone, parse_resident_id

    parsed = parse_resident_id(id_number)
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": [_("This field is required.")]})
    person = Person.objects.with_id_number(parsed.number).first()
    if person is not None:
        if person.name != name:
            raise ValidationError({"name": [_(
                "The name does not match the name registered for this ID number (real-name check).")]})
        return person
    phone = normalise_phone(phone) if phone else ""
    from jixing.registry.models import Region

    household = parsed.number[:6]
    if not Region.objects.filter(pk=household, level=RegionLevel.COUNTY).exists():
        household = fallback_county
    person = Person(name=name, household_region_id=household, current_region_id=fallback_county)
    person.set_id_number(parsed.number)
    person.set_phone(phone)
    person.save()
    audit.record("training.trainee.register", actor=by, obj=person, after={"household_region": household})
    return person


class EnrollmentRefused(ValidationError):
    """The person cannot be enrolled at all (capacity, closed class, already enrolled)."""


@dataclass(frozen=True)
class EnrollmentOutcome:
    person_id: int
    enrollment: Enrollment | None
    decision: rules.Decision | None
    refused: str = ""  # the reason when the person could not be enrolled at all


def _assert_enrollable(klass: TrainingClass) -> None:
    if klass.is_locked:
        raise EnrollmentRefused(_("The class is closed."), code="closed")
    if klass.project.quality_state != QualityState.NORMAL:
        raise EnrollmentRefused(_("The project is %(state)s: no new enrollments.")
                                % {"state": klass.project.get_quality_state_display()}, code="suspended")
    if not klass.project.accepts_classes:
        raise EnrollmentRefused(_("The project is not approved for training."), code="not_approved")
    if not klass.filing_accepted:
        raise EnrollmentRefused(_("The class filing is not accepted; enrollment opens once the county accepts it."),
                                code="filing_not_accepted")


def enroll_persons(klass: TrainingClass, persons: Iterable[Person], *, by: Any,
                   event: str = "training.enrollment.create") -> list[EnrollmentOutcome]:
    """Enroll each person, deciding eligibility with the same facts for all of them.

    The class row is locked (PostgreSQL) so concurrent enrollments cannot pass its capacity;
    the persons' rows are locked so the yearly cap holds under concurrency too. An ineligible
    person is still enrolled, unsubsidised and flagged; a full class refuses the rest.
    ``by=None`` is the system (a management command run by an operator).
    """
    if by is not None:
        _require_organiser(by, klass.project)
    persons = list(persons)
    outcomes: list[EnrollmentOutcome] = []
    with transaction.atomic():
        _lock(klass)
        _assert_enrollable(klass)
        ids = [p.pk for p in persons]
        list(Person.objects.select_for_update().filter(pk__in=ids).order_by("pk").values_list("pk"))
        existing = set(Enrollment.objects.filter(training_class=klass, person_id__in=ids).values_list("person_id", flat=True))
        taken = Enrollment.objects.filter(training_class=klass, status__in=COUNTING_STATUSES).count()
        facts = eligibility_facts(klass, ids)
        offer = offer_for(klass)
        policy = conf.eligibility_policy()
        now = timezone.now()
        created: list[Enrollment] = []
        with translation.override("zh-hans"):  # stored reasons are read by Chinese officials
            for person in persons:
                if person.pk in existing:
                    outcomes.append(EnrollmentOutcome(person.pk, None, None, _("Already enrolled in this class.")))
                    continue
                if taken >= klass.capacity:
                    outcomes.append(EnrollmentOutcome(person.pk, None, None, _(
                        "The class is full (capacity %(capacity)d).") % {"capacity": klass.capacity}))
                    continue
                decision = rules.decide_eligibility(facts[person.pk], offer, policy)
                enrollment = Enrollment(
                    person=person, training_class=klass, eligible=decision.eligible,
                    subsidised=klass.project.is_subsidised and decision.eligible,
                    eligibility=decision.as_list(), eligibility_checked_at=now,
                )
                created.append(enrollment)
                existing.add(person.pk)
                taken += 1
                outcomes.append(EnrollmentOutcome(person.pk, enrollment, decision))
        copy_insert(created)  # COPY on PostgreSQL: a city's roster is tens of thousands of rows
        if created:
            audit.record(event, actor=by, obj=klass, detail={
                "enrolled": len(created), "ineligible": sum(1 for e in created if not e.eligible),
                "refused": sum(1 for o in outcomes if o.refused),
            })
    return outcomes


def enroll(klass: TrainingClass, person: Person, *, by: Any) -> Enrollment:
    outcome = enroll_persons(klass, [person], by=by)[0]
    if outcome.enrollment is None:
        raise EnrollmentRefused(outcome.refused, code="refused")
    return Enrollment.objects.get(training_class=klass, person=person)


def withdraw(enrollment: Enrollment, *, by: Any, reason: str) -> Enrollment:
    _require_organiser_or_officer(by, enrollment.training_class.project)
    if not (reason or "").strip():
        raise ValidationError({"reason": [_("Give the reason for the withdrawal.")]})
    if enrollment.training_class.is_locked:
        raise ValidationError(_("The class is closed; its record is locked."), code="locked")
    move(enrollment, EnrollmentStatus.WITHDRAWN, by=by, reason=reason.strip(), event="training.enrollment.withdraw")
    return enrollment


def override_eligibility(enrollment: Enrollment, *, by: Any, reason: str) -> Enrollment:
    """An officer grants a subsidised place despite a failed rule, with a written reason."""
    project = enrollment.training_class.project
    _require_officer(by, project)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": [_("Write the reason for the override.")]})
    if not project.is_subsidised:
        raise ValidationError(_("The project is not subsidised."))
    if enrollment.training_class.is_locked or enrollment.status != EnrollmentStatus.ENROLLED:
        raise ValidationError(_("Only a current enrollment of an open class can be overridden."), code="locked")
    with transaction.atomic():
        before = {"subsidised": enrollment.subsidised}
        enrollment.subsidised = True
        enrollment.override_reason = reason
        enrollment.override_by = by
        enrollment.save(update_fields=["subsidised", "override_reason", "override_by", "updated_at"])
        audit.record("training.enrollment.override", actor=by, obj=enrollment, before=before,
                     after={"subsidised": True},
                     detail={"reason": reason, "failed_rules": [r["code"] for r in enrollment.eligibility if not r.get("ok")]})
    return enrollment


# ---------------------------------------------------------------- attendance


def refresh_attendance_rates(*, class_ids: Iterable[int] | None = None, enrollment_ids: Iterable[int] | None = None) -> int:
    """Recompute attended hours / class hours (rules.attendance_rate) for the enrollments of
    the given classes and/or ids, set-based: one UPDATE … FROM two grouped sums."""
    conditions, params = [], []
    if class_ids is not None:
        ids = list(class_ids)
        if not ids:
            return 0
        conditions.append(f"e.training_class_id IN ({', '.join(['%s'] * len(ids))})")
        params.extend(ids)
    if enrollment_ids is not None:
        ids = list(enrollment_ids)
        if not ids:
            return 0
        conditions.append(f"e.id IN ({', '.join(['%s'] * len(ids))})")
        params.extend(ids)
    where = " AND ".join(conditions) or "1 = 1"
    # Floating-point division (SQLite would divide integers), rounded in SQL to the column's three
    # decimals so comparisons with the required rate are exact on both databases.
    real = "DOUBLE PRECISION" if connection.vendor == "postgresql" else "REAL"
    rounded = "ROUND(CAST(x.rate AS NUMERIC), 3)" if connection.vendor == "postgresql" else "ROUND(x.rate, 3)"
    sql = f"""
        UPDATE training_enrollment SET attendance_rate = {rounded}
        FROM (
            SELECT e.id AS enrollment_id,
                   CASE WHEN COALESCE(h.total, 0) = 0 THEN 0
                        ELSE MIN(CAST(COALESCE(a.total, 0) AS {real}) / CAST(h.total AS {real}), 1.0) END AS rate
            FROM training_enrollment e
            LEFT JOIN (SELECT enrollment_id, SUM(credited_hours) AS total FROM training_attendance
                       WHERE enrollment_id IN (SELECT e.id FROM training_enrollment e WHERE {where})
                       GROUP BY enrollment_id) a ON a.enrollment_id = e.id
            LEFT JOIN (SELECT training_class_id, SUM(hours) AS total FROM training_trainingsession
                       WHERE training_class_id IN (SELECT e.training_class_id FROM training_enrollment e WHERE {where})
                       GROUP BY training_class_id) h ON h.training_class_id = e.training_class_id
            WHERE {where}
        ) x
        WHERE training_enrollment.id = x.enrollment_id AND training_enrollment.attendance_rate <> {rounded}
    """
    if connection.vendor == "postgresql":
        sql = sql.replace("MIN(CAST", "LEAST(CAST")
    with connection.cursor() as cursor:
        cursor.execute(sql, params * 3)
        return cursor.rowcount


def _share_lock_class(class_id: int) -> tuple[bool, str]:
    """Is the class closed, and its filing status, read in the statement that locks it. On
    PostgreSQL the row is held ``FOR SHARE`` until commit: check-ins of one class (and the bulk
    attendance import, which does the same) run side by side, while closing the class (``FOR
    UPDATE`` in ``close_class``) waits for them and they for it, so no row lands in a class once
    it is closed. SQLite serialises writers anyway."""
    suffix = " FOR SHARE" if connection.vendor == "postgresql" else ""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT closed_at, filing_status FROM {TrainingClass._meta.db_table} WHERE id = %s{suffix}",
                       [class_id])
        row = cursor.fetchone()
    if row is None:
        raise TrainingClass.DoesNotExist
    return row[0] is not None, row[1]


def _lock_enrollment(enrollment_id: int, session_id: int) -> tuple[str, bool]:
    """The enrollment's status and whether it has a row for the session, its row locked
    (``FOR NO KEY UPDATE``) until commit: two check-ins of the same person queue here. (A row
    the other one committed while this one waited is not in this statement's snapshot: the
    unique constraint on (enrollment, session) refuses it at the insert.)"""
    suffix = " FOR NO KEY UPDATE OF e" if connection.vendor == "postgresql" else ""
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT e.status, EXISTS (SELECT 1 FROM {Attendance._meta.db_table} a WHERE a.enrollment_id = e.id "
            f"AND a.session_id = %s) FROM {Enrollment._meta.db_table} e WHERE e.id = %s{suffix}",
            [session_id, enrollment_id])
        row = cursor.fetchone()
    if row is None:
        raise Enrollment.DoesNotExist
    return str(row[0]), bool(row[1])


def _check_window(session: TrainingSession, check_in_at: dt.datetime) -> None:
    if not (session.starts_at - conf.checkin_early() <= check_in_at <= session.ends_at):
        raise ValidationError({"check_in_at": [_("The check-in time is outside the session's time window.")]},
                              code="window")


def _check_coordinates(latitude: Decimal | None, longitude: Decimal | None) -> None:
    if latitude is not None and not (-90 <= latitude <= 90):
        raise ValidationError({"latitude": [_("The latitude must be between -90 and 90.")]})
    if longitude is not None and not (-180 <= longitude <= 180):
        raise ValidationError({"longitude": [_("The longitude must be between -180 and 180.")]})


def _require_attendance_writer(user: Any, enrollment: Enrollment) -> None:
    if is_organiser_staff(user, enrollment.training_class.project):
        return
    if getattr(user, "role", None) == Role.TRAINEE and user.person_id == enrollment.person_id:
        return
    raise PermissionDenied(_("Only the organising institution or the trainee may record attendance."))


def record_attendance(
    enrollment: Enrollment, session: TrainingSession, *, by: Any, check_in_at: dt.datetime,
    check_out_at: dt.datetime | None = None, method: str = CheckInMethod.TEACHER, device_id: str = "",
    latitude: Decimal | None = None, longitude: Decimal | None = None, face_score: Decimal | None = None,
    photo_ref: str = "",
) -> Attendance:
    _require_attendance_writer(by, enrollment)
    if method not in CheckInMethod.values:
        raise ValidationError({"method": [_("Unknown check-in method.")]})
    if session.training_class_id != enrollment.training_class_id:
        raise ValidationError({"session": [_("The session belongs to another class.")]})
    if check_out_at is not None and check_out_at <= check_in_at:
        raise ValidationError({"check_out_at": [_("The check-out must be after the check-in.")]})
    _check_coordinates(latitude, longitude)
    _check_window(session, check_in_at)
    # Provenance (issue 13): only a face check the configured provider scored here is evidence
    # the system captured; a score or method the caller merely states is declared.
    provenance = Provenance.DECLARED
    if method == CheckInMethod.FACE and face_score is None:
        if not photo_ref:
            raise ValidationError({"photo_ref": [_("A face check-in needs the photo.")]})
        result = get_provider().verify(person_id=enrollment.person_id, photo_ref=photo_ref)
        if not result.passed:
            raise ValidationError({"photo_ref": [_("The face check failed (score %(score)s).") % {"score": result.score}]},
                                  code="face_mismatch")
        face_score = result.score
        provenance = Provenance.CAPTURED
    return write_attendance(
        enrollment, session, by=by, check_in_at=check_in_at, check_out_at=check_out_at, method=method,
        device_id=device_id, latitude=latitude, longitude=longitude, face_score=face_score, photo_ref=photo_ref,
        provenance=provenance,
    )


def write_attendance(
    enrollment: Enrollment, session: TrainingSession, *, by: Any, check_in_at: dt.datetime,
    check_out_at: dt.datetime | None, method: str, provenance: str, device_id: str = "",
    latitude: Decimal | None = None, longitude: Decimal | None = None, face_score: Decimal | None = None,
    photo_ref: str = "",
) -> Attendance:
    """Store one checked attendance row (callers have checked who, what and when)."""
    with transaction.atomic():
        closed, filing_status = _share_lock_class(enrollment.training_class_id)
        if closed:
            raise ValidationError(_("The class is closed; its attendance is locked."), code="locked")
        if filing_status != FilingStatus.ACCEPTED:
            raise ValidationError(_("The class filing is not accepted; attendance opens once the county accepts it."),
                                  code="filing_not_accepted")
        enrollment.status, present = _lock_enrollment(enrollment.pk, session.pk)
        if enrollment.status != EnrollmentStatus.ENROLLED:
            raise ValidationError(_("The person is not currently enrolled in this class."), code="not_enrolled")
        duplicate = ValidationError(_("The person has already checked in to this session."), code="duplicate")
        if present:
            raise duplicate
        try:
            record = Attendance.objects.create(
                enrollment=enrollment, session=session, person_id=enrollment.person_id,
                training_class_id=enrollment.training_class_id,
                check_in_at=check_in_at, check_out_at=check_out_at, method=method, device_id=device_id[:64],
                latitude=latitude, longitude=longitude, face_score=face_score, photo_ref=photo_ref[:200],
                credited_hours=rules.credited_hours(
                    rules.Interval(session.starts_at, session.ends_at), session.hours, check_in_at, check_out_at),
                provenance=provenance,
            )
        except IntegrityError as exc:  # a same-person check-in committed while this one waited for the lock
            if "attendance_once_per_session" in str(exc) or "UNIQUE constraint" in str(exc):
                raise duplicate from None
            raise
        refresh_attendance_rates(enrollment_ids=[enrollment.pk])
        audit.record("training.attendance.check_in", actor=by, obj=record,
                     after={"session": session.pk, "method": method, "check_out": bool(check_out_at),
                            "provenance": provenance})
    return record


def check_out(record: Attendance, *, by: Any, at: dt.datetime) -> Attendance:
    _require_attendance_writer(by, record.enrollment)
    if at <= record.check_in_at:
        raise ValidationError({"check_out_at": [_("The check-out must be after the check-in.")]})
    with transaction.atomic():
        if _share_lock_class(record.training_class_id)[0]:
            raise ValidationError(_("The class is closed; its attendance is locked."), code="locked")
        _lock(record)
        if record.check_out_at is not None:
            raise ValidationError(_("The person has already checked out of this session."), code="duplicate")
        session = record.session
        record.check_out_at = at
        record.credited_hours = rules.credited_hours(
            rules.Interval(session.starts_at, session.ends_at), session.hours, record.check_in_at, at)
        record.save(update_fields=["check_out_at", "credited_hours"])
        refresh_attendance_rates(enrollment_ids=[record.enrollment_id])
        audit.record("training.attendance.check_out", actor=by, obj=record,
                     after={"credited_hours": str(record.credited_hours)})
    return record


# ---------------------------------------------------------------- completion


def close_class(klass: TrainingClass, *, by: Any) -> dict[str, int]:
    """Lock the class's attendance and decide completion: rate ≥ the project's required rate
    → completed (on the class's end date), otherwise not completed."""
    _require_organiser_or_officer(by, klass.project)
    now = timezone.now()
    with transaction.atomic():
        _lock(klass)
        if klass.is_locked:
            raise ValidationError(_("The class is already closed."), code="locked")
        last_end = klass.sessions.order_by("-ends_at").values_list("ends_at", flat=True).first()
        if _today() < klass.end_date or (last_end is not None and last_end > now):
            raise ValidationError(_("A class can be closed only after its last day and last session."),
                                  code="not_finished")
        refresh_attendance_rates(class_ids=[klass.pk])
        current = Enrollment.objects.filter(training_class=klass, status=EnrollmentStatus.ENROLLED)
        required = klass.project.required_attendance_rate
        done_ids = list(current.filter(attendance_rate__gte=required).values_list("pk", flat=True))
        missed_ids = list(current.filter(attendance_rate__lt=required).values_list("pk", flat=True))
        Enrollment.objects.filter(pk__in=done_ids).update(
            status=EnrollmentStatus.COMPLETED, completed_on=klass.end_date, updated_at=now)
        Enrollment.objects.filter(pk__in=missed_ids).update(status=EnrollmentStatus.NOT_COMPLETED, updated_at=now)
        content_type = ContentType.objects.get_for_model(Enrollment)
        reason = _("Class %(code)s closed; required attendance rate %(rate)s.") % {
            "code": klass.code, "rate": f"{required:.0%}"}
        StatusChange.objects.bulk_create(
            [StatusChange(content_type=content_type, object_id=str(pk), from_status=EnrollmentStatus.ENROLLED,
                          to_status=EnrollmentStatus.COMPLETED, by=by, reason=reason, at=now) for pk in done_ids]
            + [StatusChange(content_type=content_type, object_id=str(pk), from_status=EnrollmentStatus.ENROLLED,
                            to_status=EnrollmentStatus.NOT_COMPLETED, by=by, reason=reason, at=now) for pk in missed_ids]
        )
        klass.closed_at = now
        klass.closed_by = by
        klass.save(update_fields=["closed_at", "closed_by", "updated_at"])
        summary = {"completed": len(done_ids), "not_completed": len(missed_ids)}
        audit.record("training.class.close", actor=by, obj=klass, after=summary)
    return summary


__all__ = [
    "CLASS_FIELDS", "PROJECT_FIELDS", "EnrollmentOutcome", "EnrollmentRefused", "add_session", "add_teacher",
    "accept_class_filing", "approve_project", "can_review", "file_class", "return_class_filing", "check_out", "close_class", "close_project", "create_class", "create_project",
    "enroll", "enroll_persons", "finish_project", "move_project", "override_eligibility", "record_attendance",
    "refresh_attendance_rates", "reject_project", "return_project", "start_project", "submit_project",
    "teacher_conflicts", "update_class", "update_project", "withdraw", "write_attendance",
]
