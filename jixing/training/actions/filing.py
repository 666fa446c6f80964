"""Class filing (开班备案, issue 16): the institution files, the county officer accepts or returns."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from jixing.core.class_checks import run_class_checks
from jixing.core.events import publish
from jixing.core.workflow import move

from .. import rules
from ..access import is_officer_in_scope
from ..models import FilingStatus, TrainingClass
from ..queries import filing_notice_days
from .common import _lock, _require_organiser, _today

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
        elif reasons := run_class_checks(klass):  # e.g. the trainers' teacher-to-class limit
            errors["teachers"] = reasons
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
