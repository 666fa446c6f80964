"""Writes of the quality review (stats/quality.py): an officer's decision on a project with
today's indicators as its snapshot, and a new dated threshold. Pages and API share them."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from jixing.accounts.models import User
from jixing.core import audit
from jixing.training import quality_actions
from jixing.training.models import TrainingProject

from . import quality
from .models import QualityThreshold


def decide(project: TrainingProject, *, by: User, kind: str, reason: str, planned_person_times: Any = None,
           hours: Any = None) -> None:
    """One decision with today's indicators as its snapshot."""
    ind = quality.project_indicators(project, today=timezone.localdate()).snapshot()
    if kind == "adjust":
        changes: dict[str, Any] = {}
        for name, value in (("planned_person_times", planned_person_times), ("hours", hours)):
            if value not in (None, ""):
                try:
                    changes[name] = int(value)
                except (TypeError, ValueError):
                    raise ValidationError({name: [_("Enter a whole number above zero.")]}) from None
        quality_actions.adjust(project, by=by, reason=reason, changes=changes, indicators=ind)
    elif kind in quality_actions.DECISIONS:
        quality_actions.DECISIONS[kind](project, by=by, reason=reason, indicators=ind)
    else:
        raise ValidationError(_("Unknown action."))


def _rate(value: str, name: str, top: Decimal = Decimal("1")) -> Decimal:
    try:
        rate = Decimal(value)
    except (InvalidOperation, ValueError):
        raise ValidationError({name: [_("Enter a rate such as 0.800.")]}) from None
    if not rate.is_finite() or not 0 <= rate <= top:
        raise ValidationError({name: [_("Enter a rate such as 0.800.")]})
    return rate


@transaction.atomic
def create_threshold(*, by: User, data: dict[str, str]) -> QualityThreshold:
    """A new threshold taking effect on a future day (one per day); the raw form values in."""
    try:
        effective_from = dt.date.fromisoformat(data.get("effective_from", ""))
        max_open_findings = int(data.get("max_open_findings", ""))
        min_trainees = int(data.get("min_trainees", "10"))
    except ValueError:
        raise ValidationError(_("Enter a date and whole numbers.")) from None
    row = QualityThreshold(
        effective_from=effective_from,
        min_attendance_rate=_rate(data.get("min_attendance_rate", ""), "min_attendance_rate"),
        min_completion_rate=_rate(data.get("min_completion_rate", ""), "min_completion_rate"),
        min_pass_rate_vs_peers=_rate(data.get("min_pass_rate_vs_peers", ""), "min_pass_rate_vs_peers", Decimal("2")),
        min_employment_rate=_rate(data.get("min_employment_rate", ""), "min_employment_rate"),
        max_open_findings=max_open_findings, min_trainees=min_trainees,
        note=data.get("note", "")[:200], created_by_id=by.pk)
    if row.effective_from <= timezone.localdate():
        raise ValidationError({"effective_from": [_("A new threshold takes effect from a future day.")]})
    if QualityThreshold.objects.filter(effective_from=row.effective_from).exists():
        raise ValidationError({"effective_from": [_("A threshold already takes effect on that day.")]})
    if row.max_open_findings < 0 or row.min_trainees < 0:
        raise ValidationError(_("Enter a whole number of zero or more."))
    row.save()
    audit.record("stats.quality_threshold.create", actor=by, obj=row, after={"effective_from": str(row.effective_from)})
    return row
