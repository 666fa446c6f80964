"""Registry cards on the workbench (see jixing/web/workbench.py)."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from jixing.accounts.models import Role
from jixing.core.permissions import AuthedRequest
from jixing.core.workbench import WorkbenchCard

from . import queries
from .models import Organisation, Person

_OFFICERS = frozenset({Role.HRSS_OFFICER, Role.SECTOR_OFFICER, Role.FINANCE_OFFICER, Role.AUDITOR})


def _counts(request: AuthedRequest) -> dict[str, Any]:
    return {"counts": queries.registry_counts(request.user)}


def _my_organisation(request: AuthedRequest) -> dict[str, Any] | None:
    org = Organisation.objects.visible_to(request.user).select_related("county", "county__parent").filter(
        pk=request.user.organisation_id).first()
    if org is None:
        return None
    return {"org": org, "blocked": org.is_blocked_on(timezone.localdate())}


def _my_record(request: AuthedRequest) -> dict[str, Any] | None:
    person = Person.objects.visible_to(request.user).select_related("current_region").filter(
        pk=request.user.person_id).first()
    if person is None:
        return None
    return {"person": person, "groups": queries.membership_labels(person, request.user)}


CARDS = [
    WorkbenchCard(template="registry/cards/counts.html", roles=_OFFICERS, order=10, context=_counts, size="stat"),
    WorkbenchCard(template="registry/cards/my_organisation.html", roles=frozenset({Role.INSTITUTION, Role.EVALUATOR}),
                  order=10, context=_my_organisation),
    WorkbenchCard(template="registry/cards/my_record.html", roles=frozenset({Role.TRAINEE}), order=10,
                  context=_my_record),
]
