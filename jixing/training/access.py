"""Who may act on a training project: its organiser's staff, an HRSS officer whose scope covers
it, a reviewer who did not make it, a provincial officer (object predicates; issue 14, build 5)."""

from __future__ import annotations

from jixing.core.access import scope_for
from jixing.core.actor import Actor
from jixing.core.roles import Role

from .models import TrainingProject


def is_organiser_staff(user: Actor, project: TrainingProject) -> bool:
    return user.role == Role.INSTITUTION and user.organisation_id is not None and user.organisation_id == project.organiser_id


def is_officer_in_scope(user: Actor, project: TrainingProject) -> bool:
    return user.role == Role.HRSS_OFFICER and TrainingProject.objects.visible_to(user).filter(pk=project.pk).exists()


def can_review(user: Actor, project: TrainingProject) -> bool:
    """An HRSS officer whose scope covers the project and who did not make it (maker ≠ checker)."""
    return is_officer_in_scope(user, project) and user.pk not in project.authors


def is_province_officer(user: Actor) -> bool:
    return user.role == Role.HRSS_OFFICER and scope_for(user).everything
