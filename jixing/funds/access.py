"""Who may act on a funds object as its claimant (object predicates; issue 14, build 5)."""

from __future__ import annotations

from jixing.core.actor import Actor
from jixing.core.roles import Role

from .models import Claim


def is_claimant_staff(user: Actor, claim: Claim) -> bool:
    """The claiming organisation's staff, or the person for a person's own claim."""
    if claim.organisation_id:
        return user.role == Role.INSTITUTION and user.organisation_id == claim.organisation_id
    return user.role == Role.TRAINEE and user.person_id == claim.person_id
