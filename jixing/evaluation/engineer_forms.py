"""Forms of the 数字技术工程师 ladder; fields listed explicitly (SECURITY.md B5)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from jixing.registry.validators import parse_resident_id

from .engineer_models import DigitalField, EngineerLevel

SCORE_ATTRS = {"step": "0.01", "min": "0", "max": "100", "inputmode": "decimal"}


class EngineerSessionForm(forms.Form):
    field = forms.ModelChoiceField(label=_("digital-technology field"), queryset=DigitalField.objects.all())
    level = forms.ChoiceField(label=_("engineer level"), choices=EngineerLevel.choices)
    date = forms.DateField(label=_("evaluation date"), widget=forms.DateInput(attrs={"type": "date"}))
    site = forms.CharField(label=_("site"), max_length=200)


class EngineerCandidateForm(forms.Form):
    id_number = forms.CharField(label=_("ID number"), max_length=30)

    def clean_id_number(self) -> str:
        return parse_resident_id(self.cleaned_data["id_number"]).number


class EngineerScoreForm(forms.Form):
    score = forms.DecimalField(label=_("score"), min_value=0, max_value=100, decimal_places=2,
                               widget=forms.NumberInput(attrs=SCORE_ATTRS))
