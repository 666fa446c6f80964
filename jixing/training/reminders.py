"""The day-before reminder (issue 18): enrolled trainees and the organising institution hear that
a class starts tomorrow. Run daily by the scheduler (``remind_class_starts``); a
``ClassStartReminder`` row per class and start date makes a repeated run tell no one twice."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from jixing.core import audit, events

from .models import ClassStartReminder, EnrollmentStatus, ProjectStatus, TrainingClass


@dataclass
class ReminderRun:
    day: dt.date  # the start date reminded of (tomorrow)
    classes: list[str] = field(default_factory=list)  # class codes told now
    trainees: int = 0
    already: int = 0  # classes reminded before (skipped)


def classes_starting(day: dt.date) -> list[TrainingClass]:
    """Classes starting on ``day`` that will run: not closed, of an approved or running project."""
    return list(TrainingClass.objects.filter(
        start_date=day, closed_at__isnull=True, project__status__in=[ProjectStatus.APPROVED, ProjectStatus.RUNNING],
    ).select_related("project").order_by("code"))


def remind_class_starts(*, today: dt.date | None = None) -> ReminderRun:
    """Tell the trainees enrolled in each class starting tomorrow, and the institution, once."""
    today = today or timezone.localdate()
    day = today + dt.timedelta(days=1)
    run = ReminderRun(day=day)
    data = {"start": day.isoformat()}
    with events.batch(_("Classes starting on %(date)s") % {"date": day.isoformat()}):
        for training_class in classes_starting(day):
            enrollments = list(training_class.enrollments.filter(status=EnrollmentStatus.ENROLLED)
                               .order_by("pk").values_list("pk", flat=True))
            try:
                with transaction.atomic():
                    reminder = ClassStartReminder.objects.create(training_class=training_class, start_date=day,
                                                                 trainees=len(enrollments))
                    params = {**data, "number": training_class.code, "class_name": training_class.name}
                    events.publish("training.class.starts_tomorrow", obj=training_class, **params)
                    for enrollment in training_class.enrollments.filter(pk__in=enrollments):
                        events.publish("training.enrollment.class_starts_tomorrow", obj=enrollment, **params)
                    audit.record("training.class.start_reminder", obj=reminder, detail={
                        "class": training_class.code, "start_date": day.isoformat(), "trainees": len(enrollments)})
            except IntegrityError:  # reminded before (or by a run at the same moment)
                run.already += 1
                continue
            run.classes.append(training_class.code)
            run.trainees += len(enrollments)
    return run


__all__ = ["ReminderRun", "classes_starting", "remind_class_starts"]
