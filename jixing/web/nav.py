"""Navigation registry: each app may have a ``nav.py`` with ``ITEMS: list[NavItem]``.

The menu shows an item only to the roles listed on it; the view itself still checks
(hiding a link is not access control). Items are grouped in one section per app (headed by
``SECTION_LABELS`` or the app's verbose name); sections come in the order of their
smallest item ``order``, items by ``order`` inside a section.
"""

from __future__ import annotations

from dataclasses import replace
from functools import lru_cache
from importlib import import_module

from django.apps import apps
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from jixing.core.nav import NavItem

# Menu section headings per app label (short, as officials name the areas of work).
SECTION_LABELS: dict[str, str | Promise] = {
    "plan": _("Policy and targets"),
    "stats": _("Progress"),
    "registry": _("Real-name registry"),
    "training": _("Training"),
    "evaluation": _("Skill evaluation"),
    "employment": _("Employment services"),
    "funds": _("Subsidies and funds"),
    "supervision": _("Supervision"),
    "imports": _("Data import"),
    "accounts": _("Account and security"),
    "core": _("System"),
}


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
        items.extend(replace(item, section=item.section or config.label) for item in getattr(module, "ITEMS", []))
    return tuple(sorted(items, key=lambda i: i.order))


def section_label(section: str) -> str | Promise:
    if section in SECTION_LABELS:
        return SECTION_LABELS[section]
    try:
        return apps.get_app_config(section).verbose_name
    except LookupError:
        return section
