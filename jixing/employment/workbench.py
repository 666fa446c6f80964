"""Employment cards on the workbench (see jixing/web/workbench.py)."""

from __future__ import annotations

from typing import Any

from jixing.accounts.models import Role
from jixing.core.permissions import AuthedRequest
from jixing.core.workbench import WorkbenchCard

from . import access, queries
from .models import JobDemandStatus, Referral, ReferralStatus


def _queue(request: AuthedRequest) -> dict[str, Any] | None:
    if not access.is_region_officer(request.user):
        return None
    return {"waiting": queries.verification_queue(request.user).exclude(reported_by=request.user).count(),
            "open_demands": queries.demands_for(request.user, status=JobDemandStatus.OPEN).count()}


def _enterprise(request: AuthedRequest) -> dict[str, Any] | None:
    if not access.is_enterprise_user(request.user):
        return None
    org = request.user.organisation_id
    return {
        "open_demands": queries.demands_for(request.user, status=JobDemandStatus.OPEN, mine=True).count(),
        "to_answer": Referral.objects.filter(demand__employer_id=org, status__in=[
            ReferralStatus.REFERRED, ReferralStatus.INTERVIEWED]).count(),
    }


def _trainee(request: AuthedRequest) -> dict[str, Any] | None:
    person = getattr(request.user, "person", None)
    if person is None:
        return None
    return {"posts": queries.recommended_demands(person, limit=5)}


CARDS = [
    WorkbenchCard(template="employment/cards/officer.html", roles=frozenset({Role.HRSS_OFFICER}), order=60,
                  context=_queue, size="stat"),
    WorkbenchCard(template="employment/cards/enterprise.html", roles=frozenset({Role.INSTITUTION}), order=60,
                  context=_enterprise, size="stat"),
    WorkbenchCard(template="employment/cards/recommended.html", roles=frozenset({Role.TRAINEE}), order=60,
                  context=_trainee),
]
