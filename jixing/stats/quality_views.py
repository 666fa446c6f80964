"""Quality review pages: the queue of projects under threshold, one project's indicators with
the officer's decisions, and the dated thresholds (stats/quality.py)."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from jixing.accounts.models import Role
from jixing.core.access import get_for_user, scope_for
from jixing.core.pages import run_action
from jixing.core.permissions import AuthedRequest, require_roles
from jixing.training import quality_actions
from jixing.training.models import TrainingProject

from . import quality
from .models import QualityThreshold
from .quality_decisions import create_threshold, decide
from .roles import QUEUE_ROLES


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


@require_POST
@require_roles(Role.HRSS_OFFICER)
def quality_decide(request: AuthedRequest, pk: int) -> HttpResponse:
    project = get_for_user(TrainingProject.objects.all(), request.user, pk)
    run_action(request, lambda: decide(project, by=request.user, kind=request.POST.get("kind", ""),
                                       reason=request.POST.get("reason", ""),
                                       planned_person_times=request.POST.get("planned_person_times"),
                                       hours=request.POST.get("hours")),
               success=_("Decision recorded; the institution is told."))
    return redirect("stats:quality_project", pk=project.pk)


@require_roles(*QUEUE_ROLES)
def quality_thresholds(request: AuthedRequest) -> HttpResponse:
    can_edit = request.user.role == Role.HRSS_OFFICER and scope_for(request.user).everything
    if request.method == "POST":
        if not can_edit:
            raise PermissionDenied
        done = run_action(request, lambda: create_threshold(by=request.user, data=request.POST.dict()),
                          success=_("Threshold saved."), then=redirect("stats:quality_thresholds"))
        if done:
            return done
    return TemplateResponse(request, "stats/quality_thresholds.html", {
        "rows": QualityThreshold.objects.all(), "can_edit": can_edit, "today": _today()})
