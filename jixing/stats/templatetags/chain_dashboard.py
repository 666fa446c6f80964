"""The dashboard's chains and programmes cards (issue 17): one tag, its own partial."""

from __future__ import annotations

from typing import Any

from django import template

from jixing.stats.chain_progress import chain_rows, programme_rows

register = template.Library()


@register.inclusion_tag("stats/_chains_programmes.html", takes_context=True)
def chains_and_programmes(context: Any) -> dict[str, Any]:
    scope, year, today = context["scope"], context["year"], context["today"]
    return {"chains": chain_rows(scope, year=year)[:20], "programmes": programme_rows(scope, today=today), "year": year}
