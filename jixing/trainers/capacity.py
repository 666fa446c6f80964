"""The teacher-to-class limit of an institution, read from registered trainers.

Seed 一(十) "加强师资培养" and 二(一) "逐步提高全省职业技能培训教学师资水平": a class is taught by
registered trainers, and an institution runs no more classes at once than its registered
trainers can carry (``TeacherClassLimit``, an assumption documented in docs/trainers.md).

``class_teacher_check`` is registered in ``core.class_checks`` (apps.py) so training, below us,
can refuse a class filing on it without importing this app.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Q
from django.utils import timezone

from jixing.training.models import TrainingClass

from . import rules
from .models import TeacherClassLimit, TrainerProfile


def classes_per_trainer(on: dt.date) -> int:
    row = TeacherClassLimit.objects.filter(valid_from__lte=on).order_by("-valid_from").first()
    return row.classes_per_trainer if row else rules.DEFAULT_CLASSES_PER_TRAINER


def running_classes(organisation_id: int, start: dt.date, end: dt.date, *, include: int | None = None) -> int:
    """The institution's open classes overlapping [start, end] (plus ``include``, the class checked)."""
    qs = TrainingClass.objects.filter(project__organiser_id=organisation_id, closed_at__isnull=True,
                                      start_date__lte=end, end_date__gte=start)
    if include is not None:
        qs = qs.filter(Q(filing_status__in=["filed", "accepted"]) | Q(pk=include))
    return qs.count()


def capacity_for_class(klass: Any) -> rules.CapacityDecision:
    organisation_id = klass.project.organiser_id
    registered = set(TrainerProfile.objects.active().filter(organisation_id=organisation_id)
                     .values_list("teacher_id", flat=True))
    unregistered = [t.person.name for t in klass.teachers.select_related("person") if t.pk not in registered]
    return rules.check_teacher_capacity(rules.CapacityFacts(
        registered_trainers=len(registered),
        running_classes=running_classes(organisation_id, klass.start_date, klass.end_date, include=klass.pk),
        classes_per_trainer=classes_per_trainer(klass.start_date),
        unregistered_teachers=unregistered,
    ))


def class_teacher_check(klass: Any) -> list[str]:
    """Refusal reasons for filing ``klass``. The limit binds from the first dated
    ``TeacherClassLimit`` the province enters: before it, institutions have had no way to register
    their trainers, so filings are not refused on a register that does not exist yet."""
    if not TeacherClassLimit.objects.filter(valid_from__lte=klass.start_date).exists():
        return []
    return list(capacity_for_class(klass).reasons)


def institution_capacity(organisation_id: int, *, on: dt.date | None = None) -> dict[str, int]:
    on = on or timezone.localdate()
    trainers = TrainerProfile.objects.active().filter(organisation_id=organisation_id).count()
    per = classes_per_trainer(on)
    return {"trainers": trainers, "classes_per_trainer": per, "limit": trainers * per,
            "running": running_classes(organisation_id, on, on)}
