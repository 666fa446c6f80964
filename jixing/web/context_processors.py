from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse

from .nav import all_items, section_label


def navigation(request: HttpRequest) -> dict[str, Any]:
    """The menu for this user, in sections; the one item whose URL is the longest prefix of
    the current path is marked active."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": [], "nav_sections": []}
    items: list[dict[str, Any]] = []
    for item in all_items():
        if not item.shown_to(user):
            continue
        try:
            url = reverse(item.url_name)
        except NoReverseMatch:
            continue
        items.append({"label": item.label, "url": url, "section": item.section, "active": False})
    matching = [i for i in items if i["url"] != "/" and request.path.startswith(i["url"])]
    if matching:
        max(matching, key=lambda i: len(i["url"]))["active"] = True
    sections: dict[str, dict[str, Any]] = {}
    for entry in items:
        sections.setdefault(entry["section"], {"label": section_label(entry["section"]), "items": []})["items"].append(entry)
    return {"nav_items": items, "nav_sections": list(sections.values())}
