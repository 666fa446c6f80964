"""Forms of the bases pages: fields listed explicitly (no mass assignment, SECURITY.md B5)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import TYPE_CHECKING

from django import forms
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from jixing.registry.models import Occupation, SkillLevel

from .models import FacilityKind
from .schools import ProgrammeKind

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


def _date(label: StrOrPromise) -> forms.DateField:
    return forms.DateField(label=label, widget=forms.DateInput(attrs={"type": "date"}))


def _time(label: StrOrPromise, initial: str) -> forms.TimeField:
    return forms.TimeField(label=label, initial=initial, widget=forms.TimeInput(attrs={"type": "time"}))


class FacilityForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("name"), max_length=100)
    kind = forms.ChoiceField(label=gettext_lazy("kind"), choices=FacilityKind.choices)
    stations = forms.IntegerField(label=gettext_lazy("stations"), min_value=1, max_value=10000)
    daily_hours = forms.IntegerField(label=gettext_lazy("open hours a day"), min_value=1, max_value=24, initial=8)
    is_free = forms.BooleanField(label=gettext_lazy("free of charge"), required=False, initial=True)
    price_per_station_day = forms.DecimalField(label=gettext_lazy("price per station and day (yuan)"), required=False,
                                               min_value=Decimal("0.01"), max_digits=10, decimal_places=2)
    occupations = forms.ModelMultipleChoiceField(label=gettext_lazy("occupations served"), required=False,
                                                 queryset=Occupation.objects.order_by("code"),
                                                 widget=forms.SelectMultiple(attrs={"size": 6}))
    equipment = forms.CharField(label=gettext_lazy("equipment"), required=False, widget=forms.Textarea(attrs={"rows": 3}))

    DATA_FIELDS = ("name", "kind", "stations", "daily_hours", "is_free", "price_per_station_day", "equipment")


class BookingRequestForm(forms.Form):
    first_day = _date(gettext_lazy("first day"))
    starts = _time(pgettext_lazy("booking", "from"), "08:30")
    last_day = _date(gettext_lazy("last day"))
    ends = _time(pgettext_lazy("booking", "to"), "17:30")
    stations = forms.IntegerField(label=gettext_lazy("stations"), min_value=1, max_value=10000)
    purpose = forms.CharField(label=gettext_lazy("purpose"), max_length=300,
                              help_text=gettext_lazy("The class or programme the stations are for."))
    occupation = forms.ModelChoiceField(label=gettext_lazy("occupation"), required=False, queryset=Occupation.objects.none())

    def __init__(self, *args: object, occupations: object = None, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        field = self.fields["occupation"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = occupations if occupations is not None else Occupation.objects.order_by("code")  # type: ignore[assignment]

    def moments(self) -> tuple[dt.datetime, dt.datetime]:
        """Start on the first day, end on the last day (one range: the stations are held throughout)."""
        data = self.cleaned_data
        tz = timezone.get_current_timezone()
        return (dt.datetime.combine(data["first_day"], data["starts"], tzinfo=tz),
                dt.datetime.combine(data["last_day"], data["ends"], tzinfo=tz))

    def clean(self) -> dict[str, object]:
        data = super().clean() or {}
        if data.get("first_day") and data.get("last_day") and data["last_day"] < data["first_day"]:
            self.add_error("last_day", _("The last day cannot be before the first day."))
        return data


class DecisionForm(forms.Form):
    note = forms.CharField(label=gettext_lazy("note"), max_length=300, required=False)


class ProgrammeForm(forms.Form):
    kind = forms.ChoiceField(label=gettext_lazy("kind"), choices=ProgrammeKind.choices)
    name = forms.CharField(label=gettext_lazy("name"), max_length=120)
    occupation = forms.ModelChoiceField(label=gettext_lazy("occupation"), queryset=Occupation.objects.order_by("code"))
    level = forms.ModelChoiceField(label=gettext_lazy("certificate level it leads to"),
                                   queryset=SkillLevel.objects.order_by("order"))
    cohort_year = forms.IntegerField(label=gettext_lazy("cohort (year of intake)"), min_value=2020, max_value=2035)
    cohort_size = forms.IntegerField(label=gettext_lazy("cohort size"), min_value=1, max_value=100000)
    duration_days = forms.IntegerField(label=gettext_lazy("duration (days)"), min_value=1, max_value=2000)
    full_time = forms.BooleanField(label=gettext_lazy("full-time"), required=False, initial=True)
    in_enrolment_plan = forms.BooleanField(label=gettext_lazy("in the school's yearly enrolment plan"), required=False)
    target_group = forms.CharField(label=gettext_lazy("who it is for"), max_length=120, required=False)


class DesignationForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("name of the training college"), max_length=120)
    designated_on = _date(gettext_lazy("designated on"))
    document = forms.CharField(label=gettext_lazy("decision document number"), max_length=100)
