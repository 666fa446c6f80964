"""A workbench card an app declares in its ``workbench.py`` (``CARDS: list[WorkbenchCard]``);
the web app (top of the layer order) shows them on the home page (``jixing.web.workbench``)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from jixing.core.permissions import AuthedRequest

# Cards are shown to signed-in users with a role only (cards_for), so a context gets an AuthedRequest.
CardContext = Callable[[AuthedRequest], "dict[str, Any] | None"]


@dataclass(frozen=True)
class WorkbenchCard:
    template: str
    roles: frozenset[str]
    order: int = 100
    context: CardContext | None = None
    size: str = "wide"  # "lead" (before everything: the to-dos), "stat" (tile in the top row) or "wide"
