"""A menu entry an app declares in its ``nav.py`` (``ITEMS: list[NavItem]``); the web app
(top of the layer order) collects and renders them (``jixing.web.nav``)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.utils.functional import Promise

from jixing.core.actor import Actor


@dataclass(frozen=True)
class NavItem:
    label: str | Promise
    url_name: str
    roles: frozenset[str]
    order: int = 100
    section: str = ""  # app label, filled in at discovery
    # Narrower than the role where the role is shared (e.g. an institution user of an
    # enterprise, not of a school): a predicate on the user.
    when: Callable[[Any], bool] | None = None

    def shown_to(self, user: Actor) -> bool:
        return user.role in self.roles and (self.when is None or self.when(user))
