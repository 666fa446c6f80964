"""Classes, teachers and sessions."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from jixing.accounts.models import Role
from jixing.core import audit
from jixing.registry.models import Person, RegionLevel

from ..models import Enrollment, FilingStatus, Teacher, TrainingClass, TrainingProject, TrainingSession
from ..quality import QualityState
from ..queries import COUNTING_STATUSES
from .common import CLASS_FIELDS, _lock, _require_organiser
from .projects import _assign, _attname, _full_clean, _save_with_code

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
