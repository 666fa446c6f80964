"""Department intake pages: the records a user sees, with what each was merged into and why,
and the way to the shared import (``/imports/new/department_trainings/``)."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import HttpResponse
from django.template.response import TemplateResponse

from jixing.accounts.models import Role
from jixing.core.access import get_for_user
from jixing.core.permissions import AuthedRequest, require_roles

from . import intake_queries
from .models import DepartmentTraining, IntakeStatus

INTAKE_ROLES = (Role.SECTOR_OFFICER, Role.HRSS_OFFICER, Role.AUDITOR)


@require_roles(*INTAKE_ROLES)
def intake(request: AuthedRequest) -> HttpResponse:
    status = request.GET.get("status", "")
    if status not in IntakeStatus.values:
        status = ""
    qs = intake_queries.department_trainings(request.user, status=status, q=request.GET.get("q", "").strip()[:40])
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    return TemplateResponse(request, "stats/intake.html", {
        "page": page, "status": status, "statuses": IntakeStatus.choices,
        "can_import": request.user.role == Role.SECTOR_OFFICER and bool(request.user.department_id),
    })


@require_roles(*INTAKE_ROLES)
def intake_record(request: AuthedRequest, pk: int) -> HttpResponse:
    record = get_for_user(DepartmentTraining.objects.select_related(
        "department", "county", "occupation", "fund_source", "action", "target", "duplicate_of__department",
        "duplicate_enrollment__training_class"), request.user, pk)
    return TemplateResponse(request, "stats/intake_record.html", {"record": record})
