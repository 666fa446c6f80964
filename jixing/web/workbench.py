"""Workbench cards: each app may have a ``workbench.py`` with ``CARDS: list[WorkbenchCard]``.

The home page (``web:home``) shows, in ``order``, every card whose ``roles`` include the
user's role. A card is a template fragment (put it at ``<app>/cards/<name>.html``) plus an
optional ``context(request)`` function returning the data the fragment needs as ``data``;
returning ``None`` hides the card (e.g. nothing to show for this user). Example, in
``jixing/training/workbench.py``::

    from jixing.core.workbench import WorkbenchCard

    def _open_classes(request):
        return {"classes": queries.open_classes(request.user)[:5]}

    CARDS = [WorkbenchCard(template="training/cards/open_classes.html",
                           roles=frozenset({Role.HRSS_OFFICER, Role.INSTITUTION}),
                           order=40, context=_open_classes)]

and the fragment ``training/cards/open_classes.html``::

    {% load i18n %}<section class="card"><h2>{% translate "Open classes" %}</h2> … {{ data.classes }} …</section>

Use ``size="stat"`` for a small number tile (it joins the row of tiles at the top) and
``size="wide"`` (the default) for a full-width card. Cards read through ``visible_to`` like
every other page: hiding a card is not access control. Keep ``context`` cheap (a few queries).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from importlib import import_module
from typing import Any

from django.apps import apps

from jixing.core.permissions import AuthedRequest
from jixing.core.workbench import CardContext, WorkbenchCard  # noqa: F401 (apps import them from core)


@dataclass(frozen=True)
class ShownCard:
    template: str
    size: str
    data: dict[str, Any]


@lru_cache(maxsize=1)
def all_cards() -> tuple[WorkbenchCard, ...]:
    cards: list[WorkbenchCard] = []
    for config in apps.get_app_configs():
        if not config.name.startswith("jixing."):
            continue
        try:
            module = import_module(f"{config.name}.workbench")
        except ModuleNotFoundError as exc:
            if exc.name != f"{config.name}.workbench":
                raise
            continue
        cards.extend(getattr(module, "CARDS", []))
    return tuple(sorted(cards, key=lambda c: c.order))


def cards_for(request: AuthedRequest) -> list[ShownCard]:
    role = getattr(request.user, "role", None)
    shown: list[ShownCard] = []
    for card in all_cards():
        if role not in card.roles:
            continue
        data = card.context(request) if card.context else {}
        if data is None:
            continue
        shown.append(ShownCard(template=card.template, size=card.size, data=data))
    return shown


# The web app's own cards: administration shortcuts for the three admin roles.
def _admin_links(request: AuthedRequest) -> dict[str, Any]:
    return {"role": request.user.role}


CARDS = [
    WorkbenchCard(
        template="web/cards/admin.html",
        roles=frozenset({"system_admin", "security_admin", "auditor"}),
        order=90,
        context=_admin_links,
    ),
]
