"""Who may read the training bases and who is a base's own staff (object predicates; issue 14, build 5)."""

from __future__ import annotations

from jixing.core.actor import Actor, Viewer
from jixing.core.roles import Role
from jixing.registry.models import Organisation, OrganisationKind

from .models import READER_ROLES


def can_read(user: Viewer) -> bool:
    return bool(user.is_authenticated and user.is_active and getattr(user, "role", None) in READER_ROLES)


def is_base_staff(user: Actor, base: Organisation | None = None) -> bool:
    """An institution user of a public training base (of ``base``, when given)."""
    org = getattr(user, "organisation", None)
    return (user.role == Role.INSTITUTION and org is not None
            and org.kind == OrganisationKind.PUBLIC_TRAINING_BASE and (base is None or org.pk == base.pk))
