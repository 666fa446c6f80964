from __future__ import annotations

from decimal import Decimal

from django import template
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from jixing.core.access import region_prefix as _region_prefix

register = template.Library()


@register.filter
def percent(value: Decimal | None) -> str:
    return "—" if value is None else f"{value * 100:.1f}%"


@register.filter
def bar_width(value: Decimal | None) -> str:
    if value is None:
        return "0"
    return f"{min(max(value, Decimal(0)), Decimal(1)) * 100:.1f}"


@register.filter
def light_class(light: str | None) -> str:
    return {"green": "ok", "yellow": "warn", "red": "bad"}.get(light or "", "")


@register.filter
def light_label(light: str | None) -> str:
    return {"green": _("on track"), "yellow": _("slightly behind"), "red": _("behind")}.get(light or "", "")


@register.filter
def region_prefix(code: str) -> str:
    return _region_prefix(code) if code else ""


@register.filter
def drill_query(drill: dict[str, str], region: str | None) -> str:
    params = dict(drill)
    if region:
        params["county"] = _region_prefix(region)
    return urlencode(params)


@register.filter
def str_percent(value: str | None) -> str:
    """Percent of a number stored as a string in a report's JSON."""
    if value is None or value in ("", "None"):
        return "—"
    return f"{Decimal(value) * 100:.1f}%"


@register.filter
def str_int(value: str | None) -> str:
    if value is None or value in ("", "None"):
        return ""
    return f"{int(Decimal(value)):,}"
