"""Quality review pages: the queue of projects under threshold, one project's indicators with
the officer's decisions, and the dated thresholds (stats/quality.py)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from jixing.accounts.models import Role
from jixing.core import audit
from jixing.core.access import get_for_user, scope_for
from jixing.core.permissions import AuthedRequest, require_roles
from jixing.core.workflow import IllegalTransition
from jixing.training import quality_actions
from jixing.training.models import TrainingProject

from . import quality
from .models import QualityThreshold

QUEUE_ROLES = (Role.HRSS_OFFICER, Role.SECTOR_OFFICER, Role.AUDITOR)


def _today() -> dt.date:
    return timezone.localdate()


@require_roles(*QUEUE_ROLES)
def quality_queue(request: AuthedRequest) -> HttpResponse:
    today = _today()
    show_all = request.GET.get("all") == "1"
    return TemplateResponse(request, "stats/quality_queue.html", {
        "rows": quality.review_queue(request.user, today=today, include_all=show_all),
        "threshold": quality.threshold_on(today), "show_all": show_all, "today": today,
    })


@require_roles(*QUEUE_ROLES)
def quality_project(request: AuthedRequest, pk: int) -> HttpResponse:
    project = get_for_user(TrainingProject.objects.select_related("organiser", "county", "occupation"), request.user, pk)
    today = _today()
    return TemplateResponse(request, "stats/quality_project.html", {
        "project": project, "ind": quality.project_indicators(project, today=today),
        "threshold": quality.threshold_on(today), "decisions": project.quality_decisions.select_related("decided_by"),
        "enrolled": quality_actions.enrolled_count(project),
        "can_decide": request.user.role == Role.HRSS_OFFICER,
    })


def decide(project: TrainingProject, *, by: Any, kind: str, reason: str, planned_person_times: Any = None,
           hours: Any = None) -> None:
    """One decision with today's indicators as its snapshot (pages and API share it)."""
    ind = quality.project_indicators(project, today=_today()).snapshot()
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


@require_POST
@require_roles(Role.HRSS_OFFICER)
def quality_decide(request: AuthedRequest, pk: int) -> HttpResponse:
    project = get_for_user(TrainingProject.objects.all(), request.user, pk)
    try:
        decide(project, by=request.user, kind=request.POST.get("kind", ""), reason=request.POST.get("reason", ""),
               planned_person_times=request.POST.get("planned_person_times"), hours=request.POST.get("hours"))
        messages.success(request, _("Decision recorded; the institution is told."))
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    except IllegalTransition as exc:
        messages.error(request, str(exc))
    return redirect("stats:quality_project", pk=project.pk)


def _rate(value: str, name: str, top: Decimal = Decimal("1")) -> Decimal:
    try:
        rate = Decimal(value)
    except (InvalidOperation, ValueError):
        raise ValidationError({name: [_("Enter a rate such as 0.800.")]}) from None
    if not rate.is_finite() or not 0 <= rate <= top:
        raise ValidationError({name: [_("Enter a rate such as 0.800.")]})
    return rate


@require_roles(*QUEUE_ROLES)
def quality_thresholds(request: AuthedRequest) -> HttpResponse:
    can_edit = request.user.role == Role.HRSS_OFFICER and scope_for(request.user).everything
    if request.method == "POST":
        if not can_edit:
            raise PermissionDenied
        try:
            row = QualityThreshold(
                effective_from=dt.date.fromisoformat(request.POST.get("effective_from", "")),
                min_attendance_rate=_rate(request.POST.get("min_attendance_rate", ""), "min_attendance_rate"),
                min_completion_rate=_rate(request.POST.get("min_completion_rate", ""), "min_completion_rate"),
                min_pass_rate_vs_peers=_rate(request.POST.get("min_pass_rate_vs_peers", ""), "min_pass_rate_vs_peers",
                                             Decimal("2")),
                min_employment_rate=_rate(request.POST.get("min_employment_rate", ""), "min_employment_rate"),
                max_open_findings=int(request.POST.get("max_open_findings", "")),
                min_trainees=int(request.POST.get("min_trainees", "10")),
                note=request.POST.get("note", "")[:200], created_by=request.user)
            if row.effective_from <= _today():
                raise ValidationError({"effective_from": [_("A new threshold takes effect from a future day.")]})
            if QualityThreshold.objects.filter(effective_from=row.effective_from).exists():
                raise ValidationError({"effective_from": [_("A threshold already takes effect on that day.")]})
            if row.max_open_findings < 0 or row.min_trainees < 0:
                raise ValidationError(_("Enter a whole number of zero or more."))
            row.save()
            audit.record("stats.quality_threshold.create", actor=request.user, obj=row,
                         after={"effective_from": str(row.effective_from)})
            messages.success(request, _("Threshold saved."))
            return redirect("stats:quality_thresholds")
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
        except ValueError:
            messages.error(request, _("Enter a date and whole numbers."))
    return TemplateResponse(request, "stats/quality_thresholds.html", {
        "rows": QualityThreshold.objects.all(), "can_edit": can_edit, "today": _today()})
