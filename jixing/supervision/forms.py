"""Forms for the supervision pages; each lists its fields explicitly."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from jixing.core.formdates import DateRangeMixin

from .models import Severity
from .rules import Rule


class OpenCaseForm(forms.Form):
    title = forms.CharField(label=_("title"), max_length=200, required=False)
    findings = forms.TypedMultipleChoiceField(label=_("findings"), coerce=int, choices=())

    def __init__(self, *args: Any, finding_ids: list[int] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.TypedMultipleChoiceField, self.fields["findings"]).choices = [(i, str(i)) for i in finding_ids or []]


class AssignForm(forms.Form):
    officer = forms.TypedChoiceField(label=_("officer"), coerce=int, choices=())

    def __init__(self, *args: Any, officers: list[Any] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.TypedChoiceField, self.fields["officer"]).choices = [
            (u.pk, f"{u.get_full_name() or u.username} · {u.region}") for u in officers or []]


class RequestExplanationForm(DateRangeMixin, forms.Form):
    questions = forms.CharField(label=_("questions to the institution"), widget=forms.Textarea(attrs={"rows": 4}))
    due = forms.DateField(label=_("explanation due"), widget=forms.DateInput(attrs={"type": "date"}))


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("reason"), widget=forms.Textarea(attrs={"rows": 3}))


class DecideForm(forms.Form):
    decision = forms.ChoiceField(label=_("decision"), choices=[
        ("violation", _("violation found")), ("cleared", _("cleared: no violation"))], widget=forms.RadioSelect)
    reasons = forms.CharField(label=_("reasons for the decision"), required=False,
                              widget=forms.Textarea(attrs={"rows": 4}))


class RecoveryForm(DateRangeMixin, forms.Form):
    amount = forms.DecimalField(label=_("amount (yuan)"), max_digits=14, decimal_places=2, min_value=0)
    deadline = forms.DateField(label=_("pay back by"), widget=forms.DateInput(attrs={"type": "date"}))
    reason = forms.CharField(label=_("reason"), widget=forms.Textarea(attrs={"rows": 3}))


class SanctionForm(DateRangeMixin, forms.Form):
    kind = forms.ChoiceField(label=_("measure"), choices=[
        ("suspension", pgettext_lazy("measure", "suspend")), ("blacklist", _("blacklist"))], widget=forms.RadioSelect)
    until = forms.DateField(label=_("until"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    reason = forms.CharField(label=_("reason"), widget=forms.Textarea(attrs={"rows": 3}))


class PersonRestrictionForm(DateRangeMixin, forms.Form):
    """Bar a person found in the violation from subsidies (found by the full ID number, posted)."""

    id_number = forms.CharField(label=_("ID number"), max_length=30, help_text=_("18 characters; the last may be X."))
    kind = forms.ChoiceField(label=_("measure"), choices=[
        ("case_decision", _("no subsidies under this decision")), ("blacklist", _("blacklist"))],
        widget=forms.RadioSelect, initial="case_decision")
    until = forms.DateField(label=_("until"), required=False, widget=forms.DateInput(attrs={"type": "date"}),
                            help_text=_("Leave empty for a restriction without an end date."))
    reason = forms.CharField(label=_("reason"), widget=forms.Textarea(attrs={"rows": 2}))


class LiftMeasureForm(forms.Form):
    measure = forms.IntegerField(widget=forms.HiddenInput)
    reason = forms.CharField(label=_("reason"), widget=forms.Textarea(attrs={"rows": 2}))


class CertificatesForm(forms.Form):
    numbers = forms.CharField(label=_("certificate numbers (one per line)"), widget=forms.Textarea(attrs={"rows": 3}))
    reason = forms.CharField(label=_("reason"), widget=forms.Textarea(attrs={"rows": 2}))


class ReferralForm(forms.Form):
    authority = forms.CharField(label=_("receiving authority"), max_length=100)
    note = forms.CharField(label=_("note"), widget=forms.Textarea(attrs={"rows": 3}))


class ExplanationForm(forms.Form):
    text = forms.CharField(label=_("explanation"), widget=forms.Textarea(attrs={"rows": 6}))
    attachment = forms.FileField(label=_("attachment (PDF, PNG or JPEG, at most 10 MB)"), required=False)


class ClearFindingForm(forms.Form):
    reasons = forms.CharField(label=_("reasons"), widget=forms.Textarea(attrs={"rows": 3}))


def rule_setting_form(rule: type[Rule], *args: Any, **kwargs: Any) -> forms.Form:
    """A form with one field per declared parameter (ranges are checked by the action)."""
    fields: dict[str, forms.Field] = {
        "enabled": forms.BooleanField(label=_("enabled"), required=False),
        "severity": forms.ChoiceField(label=_("severity"), required=False,
                                      choices=[("", _("rule default"))] + list(Severity.choices)),
    }
    for p in rule.params:
        fields[f"param_{p.name}"] = forms.CharField(
            label=p.label, required=False,
            help_text=_("%(min)s – %(max)s %(unit)s, default %(default)s")
            % {"min": p.minimum, "max": p.maximum, "unit": p.unit, "default": p.default},
        )
    form_class = type("RuleSettingForm", (forms.Form,), fields)
    return form_class(*args, **kwargs)
