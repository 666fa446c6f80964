"""Closing a class: who completed and who did not."""

from __future__ import annotations

from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from jixing.core import audit
from jixing.core.models import StatusChange

from ..models import Enrollment, EnrollmentStatus, TrainingClass
from .attendance import refresh_attendance_rates
from .common import _lock, _require_organiser_or_officer, _today

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
