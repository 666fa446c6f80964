"""Shared pieces of the training actions: editable fields, who may act, locks."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied
from django.utils import timezone
from django.utils.translation import gettext as _

from ..access import is_officer_in_scope, is_organiser_staff
from ..models import TrainingProject

# Fields an organiser may set on a project (forms and API list the same; no mass assignment).
PROJECT_FIELDS = (
    "name", "action", "target", "project_type", "partner", "job_demand", "occupation", "level", "special_ability",
    "chain", "county", "planned_person_times", "hours", "required_attendance_rate", "fund_source", "is_subsidised",
    "requires_certificate", "description",
)
CLASS_FIELDS = ("name", "site_address", "county", "latitude", "longitude", "capacity", "start_date", "end_date")


# ---------------------------------------------------------------- who may


def _require_organiser(user: Any, project: TrainingProject) -> None:
    if not is_organiser_staff(user, project):
        raise PermissionDenied(_("Only staff of the organising institution may do this."))


def _require_officer(user: Any, project: TrainingProject) -> None:
    if not is_officer_in_scope(user, project):
        raise PermissionDenied(_("Only an HRSS officer responsible for the project's region may do this."))


def _require_organiser_or_officer(user: Any, project: TrainingProject) -> None:
    if not (is_organiser_staff(user, project) or is_officer_in_scope(user, project)):
        raise PermissionDenied(_("Only the organising institution or a responsible HRSS officer may do this."))


def _today() -> dt.date:
    return timezone.localdate()


def _lock(obj: Any) -> None:
    """Lock the row (PostgreSQL; SQLite serialises writers) and reload the caller's instance
    so it sees the committed state; call inside ``transaction.atomic``."""
    list(type(obj).objects.select_for_update().filter(pk=obj.pk).values_list("pk"))
    obj.refresh_from_db()
