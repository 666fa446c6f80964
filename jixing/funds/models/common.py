"""Shared pieces of the funds models: money field options and the region scope helper."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db.models import Q

from jixing.core.access import scope_for

MONEY: dict[str, Any] = {"max_digits": 16, "decimal_places": 2}
ZERO = Decimal("0.00")


class LedgerImmutable(PermissionError):
    """Raised on any attempt to change or remove a ledger row (corrections are reversals)."""


def _region_scope_q(user: Any, field: str) -> Q:
    """Q for officers' region subtree over a Region FK ``field``; organisations and persons
    are handled by the caller."""
    scope = scope_for(user)
    if scope.everything:
        return Q()
    if scope.region_prefix and not scope.department_id:
        return scope.region_q(field)
    return Q(pk__in=[])
