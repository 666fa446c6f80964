from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from jixing.registry.models import Region


class AllocationForm(forms.Form):
    """One field per city (``city_<code>``), built from the city list: nothing else is read."""

    def __init__(self, *args: Any, cities: list[Region], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for city in cities:
            self.fields[f"city_{city.code}"] = forms.DecimalField(
                label=city.name, required=False, min_value=Decimal(0), max_digits=12, decimal_places=0,
                widget=forms.NumberInput(attrs={"min": 0, "step": 1, "class": "num"}),
                error_messages={"max_decimal_places": _("Enter a whole number of person-times.")},
            )

    def values(self) -> dict[str, Decimal | None]:
        return {name.removeprefix("city_"): value for name, value in self.cleaned_data.items()}
