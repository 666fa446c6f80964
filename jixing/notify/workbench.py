"""The first workbench card: what waits for me, since when, overdue first."""

from __future__ import annotations

from typing import Any

from jixing.accounts.models import ADMIN_ROLES, Role
from jixing.core.permissions import AuthedRequest
from jixing.core.workbench import WorkbenchCard

from . import todos


def _todos(request: AuthedRequest) -> dict[str, Any] | None:
    groups = todos.todos_for(request.user, limit=5)
    return {"groups": groups, "total": sum(g.count for g in groups), "overdue": sum(g.overdue for g in groups)}


CARDS = [
    WorkbenchCard(template="notify/cards/todos.html", roles=frozenset(Role.values) - ADMIN_ROLES, order=0,
                  context=_todos, size="lead"),
]
