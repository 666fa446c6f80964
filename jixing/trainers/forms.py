"""Trainer and 马兰花 forms; fields listed explicitly (SECURITY.md B5)."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from jixing.registry.models import Region
from jixing.registry.validators import parse_resident_id

from .models import ActivityKind, Award, CompetitionTier, MalanhuaCourseVersion, TrainerCategory, TrainerProfile

DATE = forms.DateInput(attrs={"type": "date"})


class TrainerForm(forms.Form):
    id_number = forms.CharField(label=_("ID number"), max_length=30)
    category = forms.ChoiceField(label=_("category"), choices=TrainerCategory.choices)

    def clean_id_number(self) -> str:
        return parse_resident_id(self.cleaned_data["id_number"]).number


class QualificationForm(forms.Form):
    number = forms.CharField(label=_("certificate number"), max_length=40)


class TrainingRecordForm(forms.Form):
    course = forms.CharField(label=_("course"), max_length=200)
    provider = forms.CharField(label=_("provider"), max_length=200)
    hours = forms.DecimalField(label=_("hours"), min_value=0.5, max_value=2000, decimal_places=1)
    started_on = forms.DateField(label=_("started on"), widget=DATE)
    ended_on = forms.DateField(label=_("ended on"), widget=DATE)


class ArchiveForm(forms.Form):
    reason = forms.CharField(label=_("reason"), max_length=300)


class CompetitionForm(forms.Form):
    name = forms.CharField(label=_("name"), max_length=200)
    category = forms.ChoiceField(label=_("category"), choices=TrainerCategory.choices)
    tier = forms.ChoiceField(label=_("competition level"), choices=CompetitionTier.choices)
    held_on = forms.DateField(label=_("held on"), widget=DATE)
    organiser = forms.CharField(label=_("organiser"), max_length=200, required=False)


class TrainerChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: TrainerProfile) -> str:
        return f"{obj.person.name} · {obj.organisation.name}"


class TrainerMultipleChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: TrainerProfile) -> str:
        return f"{obj.person.name} · {obj.organisation.name}"


class ResultForm(forms.Form):
    profile = TrainerChoiceField(label=_("trainer"), queryset=TrainerProfile.objects.none())
    award = forms.ChoiceField(label=_("award"), choices=Award.choices)
    rank = forms.IntegerField(label=_("rank"), min_value=1, max_value=10000, required=False)

    def __init__(self, *args: Any, trainers: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast("forms.ModelChoiceField[TrainerProfile]", self.fields["profile"]).queryset = trainers


class AccreditForm(forms.Form):
    profile = TrainerChoiceField(label=_("trainer"), queryset=TrainerProfile.objects.none())
    accredited_on = forms.DateField(label=_("accredited on"), widget=DATE)

    def __init__(self, *args: Any, trainers: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast("forms.ModelChoiceField[TrainerProfile]", self.fields["profile"]).queryset = trainers


class CourseVersionForm(forms.Form):
    course = forms.CharField(label=_("course"), max_length=120)
    version = forms.CharField(label=_("version"), max_length=20)
    stage = forms.CharField(label=_("entrepreneur stage"), max_length=120, required=False)
    hours = forms.IntegerField(label=_("hours"), min_value=1, max_value=500)
    released_on = forms.DateField(label=_("released on"), widget=DATE)
    changes = forms.CharField(label=_("what changed"), widget=forms.Textarea(attrs={"rows": 2}), required=False)


class ActivityForm(forms.Form):
    kind = forms.ChoiceField(label=_("kind"), choices=ActivityKind.choices)
    title = forms.CharField(label=_("title"), max_length=200)
    county = forms.ModelChoiceField(label=_("county"), queryset=Region.objects.none())
    held_on = forms.DateField(label=_("held on"), widget=DATE)
    course_version = forms.ModelChoiceField(label=_("course version"), queryset=MalanhuaCourseVersion.objects.all(),
                                            required=False)
    trainers = TrainerMultipleChoiceField(label=_("trainers"), queryset=TrainerProfile.objects.none(),
                                          widget=forms.CheckboxSelectMultiple)
    person_times = forms.IntegerField(label=_("person-times"), min_value=1, max_value=100000)

    def __init__(self, *args: Any, counties: Any, trainers: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast("forms.ModelChoiceField[Region]", self.fields["county"]).queryset = counties
        cast("forms.ModelMultipleChoiceField[TrainerProfile]", self.fields["trainers"]).queryset = trainers
