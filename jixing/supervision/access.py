"""Who may edit the supervision rule settings (object predicates; issue 14, build 5)."""

from __future__ import annotations

from jixing.core.actor import Actor

from .models import RuleEditorGrant
from .roles import OFFICER_ROLES


def can_edit_rules(user: Actor) -> bool:
    """An HRSS officer the security administrator approved (and did not revoke)."""
    return (user.role in OFFICER_ROLES
            and RuleEditorGrant.objects.filter(user_id=user.pk, revoked_at__isnull=True).exists())
