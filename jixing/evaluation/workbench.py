"""Workbench tiles: what waits for the officer, the evaluation body and the trainee."""

from __future__ import annotations

from typing import Any

from jixing.accounts.models import Role
from jixing.core.permissions import AuthedRequest
from jixing.core.workbench import WorkbenchCard

from . import queries
from .models import Certificate, EvaluationSession, SessionStatus


def _officer(request: AuthedRequest) -> dict[str, Any]:
    counts = queries.review_counts(request.user)
    return {"waiting": sum(counts.values()), **counts}


def _evaluator(request: AuthedRequest) -> dict[str, Any]:
    sessions = EvaluationSession.objects.visible_to(request.user)
    return {
        "open": sessions.filter(status__in=[SessionStatus.PLANNED, SessionStatus.RETURNED]).count(),
        "returned": sessions.filter(status=SessionStatus.RETURNED).count(),
        "certificates": Certificate.objects.filter(issuer_id=request.user.organisation_id).count(),
    }


def _trainee(request: AuthedRequest) -> dict[str, Any]:
    return {"certificates": Certificate.objects.visible_to(request.user).valid().count()}


CARDS = [
    WorkbenchCard(template="evaluation/cards/officer.html", roles=frozenset({Role.HRSS_OFFICER}), order=40,
                  context=_officer, size="stat"),
    WorkbenchCard(template="evaluation/cards/evaluator.html", roles=frozenset({Role.EVALUATOR}), order=40,
                  context=_evaluator, size="stat"),
    WorkbenchCard(template="evaluation/cards/trainee.html", roles=frozenset({Role.TRAINEE}), order=40,
                  context=_trainee, size="stat"),
]
