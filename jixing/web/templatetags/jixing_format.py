"""Number formatting that reads the same in every language: ``{{ value|thousands }}`` gives
``1,500,000`` (Django's zh-hans locale has no thousands separator, and official statistics
tables use the comma)."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django import template

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
