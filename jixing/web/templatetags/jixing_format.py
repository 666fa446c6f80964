"""Number formatting that reads the same in every language: ``{{ value|thousands }}`` gives
``1,500,000`` (Django's zh-hans locale has no thousands separator, and official statistics
tables use the comma)."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString

from jixing.core import display

register = template.Library()


@register.filter
def thousands(value: object) -> str:
    if value is None or value == "":
        return ""
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        return str(value)
    if number == number.to_integral_value():
        return f"{int(number):,}"
    return f"{number:,.2f}"


# ---- words, not values (jixing/core/display.py) ----

@register.filter
def local_minute(value: object) -> str:
    """``{{ at|local_minute }}``: 2026-11-30 07:55 in Asia/Shanghai, never ``+00:00``."""
    return display.local_minute(value)  # type: ignore[arg-type]


@register.filter
def percent(value: object, digits: int = 1) -> str:
    """``{{ 0.638|percent }}`` → 63.8%."""
    return display.percent(value, int(digits))


@register.filter
def event_words(code: str) -> str:
    return display.event_label(code)


@register.filter
def audit_object(event: Any) -> SafeString:
    """An audited object in words, linked to its page when it has one."""
    words = display.object_words(event.object_type, event.object_id, event.object_label)
    url = display.object_url(event.object_type, event.object_id)
    if url:
        return format_html('<a href="{}">{}</a>', url, words)
    return format_html("{}", words)


@register.filter
def audit_details(event: Any) -> str:
    return display.audit_details(event)
