"""Evaluation forms. Every field is listed explicitly (SECURITY.md B5): a POST with extra
fields such as ``status`` or ``passed`` changes nothing."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from jixing.core.formdates import DateRangeMixin
from jixing.registry.models import Occupation, Person, SkillLevel
from jixing.registry.validators import parse_resident_id

from .models import APPOINTED_LEVELS, EvaluationFiling, EvaluationMode, FilingKind, FilingScope

SCORE_ATTRS = {"step": "0.01", "min": "0", "max": "100", "inputmode": "decimal"}


def certificate_levels() -> Any:
    return SkillLevel.objects.filter(national_level__isnull=False).order_by("order")


class LevelChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: SkillLevel) -> str:
        return f"{obj.name}（{obj.national_label}）" if obj.national_label else obj.name


class LevelMultipleChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: SkillLevel) -> str:
        return f"{obj.name}（{obj.national_label}）" if obj.national_label else obj.name


class PersonChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Person) -> str:
        return f"{obj.name} {obj.masked_id_number}"


class ExaminerChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Person) -> str:
        return f"{obj.name} {obj.masked_id_number}"


def _id_number(value: str) -> str:
    return parse_resident_id(value).number


class FilingForm(DateRangeMixin, forms.Form):
    date_ranges = (("valid_from", "valid_to"),)
    kind = forms.ChoiceField(label=_("kind"), choices=FilingKind.choices)
    valid_from = forms.DateField(label=_("valid from"), widget=forms.DateInput(attrs={"type": "date"}))
    valid_to = forms.DateField(label=_("valid to"), widget=forms.DateInput(attrs={"type": "date"}))
    occupations = forms.ModelMultipleChoiceField(
        label=_("occupations"), queryset=Occupation.objects.order_by("name"),
        widget=forms.SelectMultiple(attrs={"size": 8}),
    )
    levels = LevelMultipleChoiceField(label=_("levels"), queryset=SkillLevel.objects.none(), widget=forms.CheckboxSelectMultiple)
    examiner_ids = forms.CharField(
        label=_("examiners' ID numbers"), widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("One resident ID number per line; each examiner must be registered."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(LevelMultipleChoiceField, self.fields["levels"]).queryset = certificate_levels()

    def clean_examiner_ids(self) -> list[Person]:
        persons: list[Person] = []
        for line in self.cleaned_data["examiner_ids"].split():
            number = _id_number(line)
            person = Person.objects.active().with_id_number(number).first()
            if person is None:
                raise ValidationError(_("No registered person has the ID number ending %(tail)s.") % {"tail": number[-4:]})
            persons.append(person)
        if not persons:
            raise ValidationError(_("Name at least one examiner."))
        return persons


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("reason"), max_length=300, widget=forms.Textarea(attrs={"rows": 2}))


class FilingDecisionForm(forms.Form):
    decision = forms.ChoiceField(choices=[
        ("approve", _("approve")), ("reject", _("reject")), ("suspend", _("suspend")),
        ("reinstate", _("reinstate")), ("revoke", _("revoke")),
    ])
    reason = forms.CharField(label=_("reason"), max_length=300, required=False, widget=forms.Textarea(attrs={"rows": 2}))


class SessionForm(DateRangeMixin, forms.Form):
    filing = forms.ModelChoiceField(label=_("filing"), queryset=EvaluationFiling.objects.none())
    occupation = forms.ModelChoiceField(label=_("occupation"), queryset=Occupation.objects.order_by("name"))
    level = LevelChoiceField(label=_("skill level"), queryset=SkillLevel.objects.none())
    mode = forms.ChoiceField(label=_("mode"), choices=EvaluationMode.choices)
    date = forms.DateField(label=_("evaluation date"), widget=forms.DateInput(attrs={"type": "date"}))
    site = forms.CharField(label=_("site"), max_length=200)
    examiners = PersonChoiceField(label=_("examiners"), queryset=Person.objects.none(), widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args: Any, filings: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast("forms.ModelChoiceField[EvaluationFiling]", self.fields["filing"]).queryset = filings
        # Only what the body's filings cover is offered (issue 15); clean() checks the pair
        # against the chosen filing, and actions.create_session refuses it again.
        scopes = FilingScope.objects.filter(filing__in=filings)
        cast("forms.ModelChoiceField[Occupation]", self.fields["occupation"]).queryset = (
            Occupation.objects.filter(pk__in=scopes.values("occupation_id")).order_by("name"))
        cast(LevelChoiceField, self.fields["level"]).queryset = certificate_levels().filter(
            pk__in=scopes.values("level_id"))
        cast(PersonChoiceField, self.fields["examiners"]).queryset = (
            Person.objects.filter(examiner_filings__in=filings).distinct())

    def clean(self) -> dict[str, Any]:
        data: dict[str, Any] = super().clean()
        filing, occupation, level = data.get("filing"), data.get("occupation"), data.get("level")
        if filing and occupation and level and not filing.scopes.filter(occupation=occupation, level=level).exists():
            self.add_error("level", _("“%(occupation)s” at level “%(level)s” is outside the scope of filing %(filing)s.")
                           % {"occupation": occupation.name, "level": level.name, "filing": filing.code})
        return data


class CandidateForm(forms.Form):
    id_number = forms.CharField(label=_("ID number"), max_length=30)
    years_of_work = forms.IntegerField(label=_("years of related work"), min_value=0, max_value=60, initial=0)

    def clean_id_number(self) -> str:
        return _id_number(self.cleaned_data["id_number"])


class ClassCandidatesForm(forms.Form):
    class_code = forms.CharField(label=_("training class code"), max_length=40)
    years_of_work = forms.IntegerField(label=_("years of related work"), min_value=0, max_value=60, initial=0)


class ResultForm(forms.Form):
    theory = forms.DecimalField(label=_("theory score"), min_value=0, max_value=100, decimal_places=2,
                                widget=forms.NumberInput(attrs=SCORE_ATTRS))
    practical = forms.DecimalField(label=_("practical score"), min_value=0, max_value=100, decimal_places=2,
                                   widget=forms.NumberInput(attrs=SCORE_ATTRS))
    comprehensive = forms.DecimalField(label=_("comprehensive score"), min_value=0, max_value=100, decimal_places=2,
                                       required=False, widget=forms.NumberInput(attrs=SCORE_ATTRS))
    examiner = ExaminerChoiceField(label=_("examiner"), queryset=Person.objects.none())

    def __init__(self, *args: Any, examiners: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(ExaminerChoiceField, self.fields["examiner"]).queryset = examiners


class CorrectionForm(ResultForm):
    reason = forms.CharField(label=_("reason for the correction"), max_length=300, widget=forms.Textarea(attrs={"rows": 2}))


class ReviewForm(forms.Form):
    decision = forms.ChoiceField(choices=[("approve", _("approve")), ("reject", _("reject"))])
    reason = forms.CharField(label=_("reason"), max_length=500, required=False, widget=forms.Textarea(attrs={"rows": 2}))


class RecognitionForm(forms.Form):
    id_number = forms.CharField(label=_("worker's ID number"), max_length=30)
    occupation = forms.ModelChoiceField(label=_("occupation"), queryset=Occupation.objects.order_by("name"))
    level = LevelChoiceField(label=_("skill level"), queryset=SkillLevel.objects.none())
    achievements = forms.CharField(label=_("achievements"), max_length=4000, widget=forms.Textarea(attrs={"rows": 4}))
    evidence = forms.CharField(label=_("evidence"), max_length=4000, widget=forms.Textarea(attrs={"rows": 3}),
                               help_text=_("Awards, patents, competition results, output records …"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(LevelChoiceField, self.fields["level"]).queryset = certificate_levels()

    def clean_id_number(self) -> str:
        return _id_number(self.cleaned_data["id_number"])


class VerifyForm(forms.Form):
    number = forms.CharField(label=_("certificate number"), max_length=40,
                             widget=forms.TextInput(attrs={"autocomplete": "off", "placeholder": "S000037000001255000001"}))
    name = forms.CharField(label=_("holder's name"), max_length=50, widget=forms.TextInput(attrs={"autocomplete": "off"}))


class AppointmentForm(DateRangeMixin, forms.Form):
    """学徒工, 特级技师 or 首席技师 recorded by the employing enterprise (issue 16)."""

    id_number = forms.CharField(label=_("worker's ID number"), max_length=30)
    occupation = forms.ModelChoiceField(label=_("occupation"), queryset=Occupation.objects.order_by("name"))
    level = LevelChoiceField(label=_("skill level"), queryset=SkillLevel.objects.none())
    appointed_on = forms.DateField(label=_("appointed on"), widget=forms.DateInput(attrs={"type": "date"}))
    basis = forms.CharField(label=_("basis"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3}),
                            help_text=_("The enterprise's decision and the evidence (evaluation, contract …)."))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(LevelChoiceField, self.fields["level"]).queryset = SkillLevel.objects.filter(
            order__in=APPOINTED_LEVELS).order_by("order")

    def clean_id_number(self) -> str:
        return _id_number(self.cleaned_data["id_number"])


class EnterpriseRosterForm(forms.Form):
    employees = forms.CharField(
        label=_("employees"), max_length=200_000, widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("One employee a line: ID number, then a comma or space and the name. Only for an enterprise "
                    "not yet in the insurance records."))
