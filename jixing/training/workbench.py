"""Training cards on the workbench (see jixing/web/workbench.py)."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from jixing.accounts.models import Role
from jixing.core.permissions import AuthedRequest
from jixing.core.workbench import WorkbenchCard

from . import queries
from .models import EnrollmentStatus, ProjectStatus, TrainingClass, TrainingProject


def _officer(request: AuthedRequest) -> dict[str, Any]:
    sessions = queries.todays_sessions(request.user)
    return {
        "approvals": queries.approval_queue(request.user).count() if request.user.role == Role.HRSS_OFFICER else None,
        "sessions": len(sessions), "checked_in": sum(s.checked_in for s in sessions),
        "enrolled": sum(s.enrolled for s in sessions),
        "completions": queries.completions_by_year(request.user).get(timezone.localdate().year, 0),
    }


def _institution(request: AuthedRequest) -> dict[str, Any]:
    projects = TrainingProject.objects.visible_to(request.user)
    return {
        "drafts": projects.filter(status__in=[ProjectStatus.DRAFT, ProjectStatus.RETURNED]).count(),
        "submitted": projects.filter(status=ProjectStatus.SUBMITTED).count(),
        "open_classes": TrainingClass.objects.visible_to(request.user).filter(closed_at__isnull=True).count(),
        "sessions_today": len(queries.todays_sessions(request.user)),
    }


def _trainee(request: AuthedRequest) -> dict[str, Any] | None:
    enrollments = list(queries.my_enrollments(request.user).filter(status=EnrollmentStatus.ENROLLED)[:5])
    return {"enrollments": enrollments} if enrollments else None


CARDS = [
    WorkbenchCard(template="training/cards/officer.html", order=20, context=_officer, size="stat",
                  roles=frozenset({Role.HRSS_OFFICER, Role.SECTOR_OFFICER, Role.AUDITOR})),
    WorkbenchCard(template="training/cards/institution.html", order=20, context=_institution, size="stat",
                  roles=frozenset({Role.INSTITUTION})),
    WorkbenchCard(template="training/cards/trainee.html", order=20, context=_trainee, roles=frozenset({Role.TRAINEE})),
]
