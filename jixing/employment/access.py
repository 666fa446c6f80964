"""Who is who in the employment service, and who may manage a job demand (object predicates;
issue 14, build 5)."""

from __future__ import annotations

from jixing.core.access import scope_for
from jixing.core.actor import Actor
from jixing.core.roles import Role
from jixing.registry.models import OrganisationKind

from .models import JobDemand


def is_enterprise_user(user: Actor) -> bool:
    org = getattr(user, "organisation", None)
    return bool(
        getattr(user, "is_authenticated", False) and user.role == Role.INSTITUTION
        and org is not None and org.kind == OrganisationKind.ENTERPRISE
    )


def is_training_org_user(user: Actor) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.role == Role.INSTITUTION
                and user.organisation_id and not is_enterprise_user(user))


def is_region_officer(user: Actor) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.role == Role.HRSS_OFFICER and user.region_id)


def in_region(user: Actor, county_code: str) -> bool:
    scope = scope_for(user)
    return scope.everything or bool(scope.region_prefix and county_code.startswith(scope.region_prefix))


def can_manage_demand(user: Actor, demand: JobDemand) -> bool:
    """Close, fill, reopen and record referral results: the employer or an officer for the region."""
    if is_enterprise_user(user):
        return user.organisation_id == demand.employer_id
    return is_region_officer(user) and in_region(user, demand.county_id)

