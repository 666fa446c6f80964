"""Navigation registry: each app may have a ``nav.py`` with ``ITEMS: list[NavItem]``.

The menu shows an item only to the roles listed on it; the view itself still checks
(hiding a link is not access control).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from importlib import import_module

from django.apps import apps
from django.utils.functional import Promise


@dataclass(frozen=True)
class NavItem:
    label: str | Promise
    url_name: str
    roles: frozenset[str]
    order: int = 100


@lru_cache(maxsize=1)
def all_items() -> tuple[NavItem, ...]:
    items: list[NavItem] = []
    for config in apps.get_app_configs():
        if not config.name.startswith("jixing."):
            continue
        try:
            module = import_module(f"{config.name}.nav")
        except ModuleNotFoundError as exc:
            if exc.name != f"{config.name}.nav":
                raise
            continue
        items.extend(getattr(module, "ITEMS", []))
    return tuple(sorted(items, key=lambda i: i.order))
