from __future__ import annotations

import datetime as dt

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


def parse_period(raw: str, *, today: dt.date) -> dt.date:
    """A dispatch period is a past or current month written YYYY-MM within 2025–2027."""
    try:
        period = dt.datetime.strptime(raw.strip(), "%Y-%m").date()
    except ValueError:
        raise forms.ValidationError(_("The period must be a month written as YYYY-MM, e.g. 2026-10.")) from None
    if period > today.replace(day=1):
        raise forms.ValidationError(_("The period %(period)s is in the future.") % {"period": raw})
    if not dt.date(2025, 1, 1) <= period <= dt.date(2027, 12, 1):
        raise forms.ValidationError(_("The period must fall within the action, 2025-01 to 2027-12."))
    return period


class PeriodForm(forms.Form):
    period = forms.CharField(label=_("Period (YYYY-MM)"), max_length=7)

    def clean_period(self) -> dt.date:
        return parse_period(self.cleaned_data["period"], today=timezone.localdate())
