"""Dates a person can mean (issue 15, build 6): every date on a form lies in a plausible year,
and a range's end is not before its start, with a message naming the fields.

A form lists its ranges and mixes ``DateRangeMixin`` in before ``forms.Form``::

    class ClassForm(DateRangeMixin, forms.Form):
        date_ranges = (("start_date", "end_date"),)

Every ``DateField`` of such a form is checked for a plausible year (``EARLIEST_YEAR`` to
``LATEST_YEARS_AHEAD`` years from today), so "0202-03-01" or "20266-01-01" typed by a slip
of the finger is refused instead of stored.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, ClassVar

from django import forms
from django.utils import timezone
from django.utils.translation import gettext as _

EARLIEST_YEAR = 1950  # a birth date, a graduation: nothing we record is older
LATEST_YEARS_AHEAD = 10  # a plan, a deadline, a certificate's validity: nothing further ahead


def plausible_year_error(label: Any, value: dt.date) -> str | None:
    latest = timezone.localdate().year + LATEST_YEARS_AHEAD
    if EARLIEST_YEAR <= value.year <= latest:
        return None
    return _("“%(field)s”: %(date)s is not a plausible date; the year must lie between %(low)s and %(high)s.") % {
        "field": label, "date": value.isoformat(), "low": EARLIEST_YEAR, "high": latest}


def range_error(start_label: Any, end_label: Any, start: dt.date, end: dt.date) -> str | None:
    if end >= start:
        return None
    return _("“%(end)s” (%(end_date)s) is before “%(start)s” (%(start_date)s).") % {
        "end": end_label, "start": start_label, "end_date": end.isoformat(), "start_date": start.isoformat()}


class DateRangeMixin:
    """Plausible years on every DateField; ``date_ranges``: (start field, end field) pairs."""

    date_ranges: ClassVar[tuple[tuple[str, str], ...]] = ()
    fields: dict[str, forms.Field]

    def clean(self) -> dict[str, Any]:
        data: dict[str, Any] = super().clean()  # type: ignore[misc]
        for name, field in self.fields.items():
            value = data.get(name)
            if isinstance(field, forms.DateField) and isinstance(value, dt.date):
                message = plausible_year_error(field.label, value)
                if message:
                    self.add_error(name, message)  # type: ignore[attr-defined]
        for start_name, end_name in self.date_ranges:
            start, end = data.get(start_name), data.get(end_name)
            if isinstance(start, dt.date) and isinstance(end, dt.date):
                message = range_error(self.fields[start_name].label, self.fields[end_name].label, start, end)
                if message:
                    self.add_error(end_name, message)  # type: ignore[attr-defined]
        return data
