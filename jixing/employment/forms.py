"""Forms of the employment pages; every field listed explicitly (SECURITY.md B5)."""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, Any, cast

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from jixing.accounts.models import User
from jixing.core.access import code_within, region_prefix
from jixing.core.actor import Actor
from jixing.core.formdates import DateRangeMixin
from jixing.plan.models import IndustrialChain
from jixing.registry.models import Occupation, Organisation, OrganisationKind, Region, RegionLevel, SkillLevel
from jixing.registry.validators import parse_resident_id

from . import access
from .models import JobDemandStatus, PlacementKind, ReferralStatus
from .queries import GROUPINGS

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


def money_field(label: StrOrPromise, *, required: bool = True) -> forms.DecimalField:
    return forms.DecimalField(label=label, required=required, max_digits=10, decimal_places=2, min_value=Decimal("0"))


class JobDemandForm(DateRangeMixin, forms.Form):
    employer = forms.ModelChoiceField(label=_("Enterprise"), queryset=Organisation.objects.none())
    title = forms.CharField(label=_("Post title"), max_length=100)
    occupation = forms.ModelChoiceField(label=_("Occupation"), queryset=Occupation.objects.order_by("name"))
    level = forms.ModelChoiceField(label=_("Skill level required"), queryset=SkillLevel.objects.order_by("order"),
                                   required=False, empty_label=_("no particular level"))
    posts = forms.IntegerField(label=_("Number of posts"), min_value=1, max_value=10000)
    wage_min = money_field(_("Monthly wage from (yuan)"))
    wage_max = money_field(_("Monthly wage to (yuan)"))
    county = forms.ModelChoiceField(label=_("County or district of the post"), queryset=Region.objects.none(),
                                    required=False, empty_label=_("the enterprise's county"))
    deadline = forms.DateField(label=_("Deadline"), widget=forms.DateInput(attrs={"type": "date"}))
    chain = forms.ModelChoiceField(label=_("Industrial chain"), queryset=IndustrialChain.objects.all(), required=False)
    description = forms.CharField(label=_("Description"), widget=forms.Textarea(attrs={"rows": 4}), required=False,
                                  max_length=2000)

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        counties = Region.objects.home().filter(level=RegionLevel.COUNTY).order_by("code")
        if access.is_enterprise_user(user):
            del self.fields["employer"]
            county = cast("forms.ModelChoiceField[Region]", self.fields["county"])
            assert user.organisation is not None, "an enterprise user has an organisation (is_enterprise_user)"
            county.queryset = counties.filter(code_within("code", user.organisation.county_id[:4]))
        else:
            cast("forms.ModelChoiceField[Organisation]", self.fields["employer"]).queryset = (
                Organisation.objects.visible_to(user).active().filter(kind=OrganisationKind.ENTERPRISE).order_by("name")
            )
            prefix = region_prefix(user.region_id) if user.region_id else "37"
            cast("forms.ModelChoiceField[Region]", self.fields["county"]).queryset = counties.filter(code_within("code", prefix))


class DemandStatusForm(forms.Form):
    to = forms.ChoiceField(choices=JobDemandStatus.choices)
    reason = forms.CharField(label=_("Reason"), max_length=300, required=False)


class ReferForm(forms.Form):
    person = forms.IntegerField(widget=forms.HiddenInput)
    note = forms.CharField(label=_("Note"), max_length=300, required=False)


class ReferralResultForm(DateRangeMixin, forms.Form):
    to = forms.ChoiceField(label=_("Result"), choices=[
        (s, label) for s, label in ReferralStatus.choices if s != ReferralStatus.REFERRED
    ])
    interviewed_on = forms.DateField(label=_("Interviewed on"), required=False,
                                     widget=forms.DateInput(attrs={"type": "date"}))
    start_date = forms.DateField(label=_("Start date (when hired)"), required=False,
                                 widget=forms.DateInput(attrs={"type": "date"}))
    monthly_wage = money_field(_("Monthly wage (when hired)"), required=False)
    note = forms.CharField(label=_("Note"), max_length=300, required=False)


class PlacementForm(DateRangeMixin, forms.Form):
    date_ranges = (("start_date", "end_date"),)
    id_number = forms.CharField(label=_("ID number of the person"), max_length=18)
    kind = forms.ChoiceField(label=_("Kind"), choices=PlacementKind.choices)
    employer_uscc = forms.CharField(label=_("Employer's unified social credit code"), max_length=18, required=False)
    employer_name = forms.CharField(label=_("Employer name"), max_length=120, required=False)
    business_licence_uscc = forms.CharField(label=_("Business licence credit code (business start-up)"),
                                            max_length=18, required=False)
    post = forms.CharField(label=_("Post"), max_length=100, required=False)
    start_date = forms.DateField(label=_("Start date"), widget=forms.DateInput(attrs={"type": "date"}))
    end_date = forms.DateField(label=_("End date"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    monthly_wage = money_field(_("Monthly wage (yuan)"))
    evidence = forms.CharField(label=_("Evidence"), widget=forms.Textarea(attrs={"rows": 3}), required=False,
                               max_length=2000, help_text=_("Labour contract number, business licence, payslip …"))

    def __init__(self, *args: Any, user: Actor, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if user.role == "trainee":
            del self.fields["id_number"]
        if access.is_enterprise_user(user):
            cast(forms.ChoiceField, self.fields["kind"]).choices = [(PlacementKind.EMPLOYED, PlacementKind.EMPLOYED.label)]
            for name in ("employer_uscc", "employer_name", "business_licence_uscc"):
                del self.fields[name]

    def clean_id_number(self) -> str:
        try:
            return parse_resident_id(self.cleaned_data["id_number"]).number
        except ValidationError as exc:
            raise ValidationError(exc.messages[0]) from None


class VerifyForm(forms.Form):
    decision = forms.ChoiceField(choices=[("verify", pgettext_lazy("decision", "verify")),
                                          ("reject", pgettext_lazy("decision", "reject"))])
    note = forms.CharField(label=_("Note"), max_length=300, required=False)


class ResubmitForm(forms.Form):
    evidence = forms.CharField(label=_("New evidence"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000)


class SkillPayForm(forms.Form):
    year = forms.IntegerField(label=_("Year"), min_value=2020, max_value=2100)
    level = forms.ModelChoiceField(label=_("Skill level"), queryset=SkillLevel.objects.order_by("order"))
    workers = forms.IntegerField(label=_("Workers at this level"), min_value=0, max_value=1_000_000)
    average_monthly_pay = money_field(_("Average monthly pay (yuan)"))
    starting_monthly_pay = money_field(_("Starting monthly pay of the skilled post (yuan)"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["year"].initial = timezone.localdate().year - 1


class OutcomeFilterForm(forms.Form):
    group_by = forms.ChoiceField(label=_("Group by"), required=False, choices=[
        ("city", _("city")), ("action", _("action")), ("institution", pgettext_lazy("outcome grouping", "institution")), ("project", _("project")),
    ])
    year = forms.IntegerField(label=_("Completion year"), required=False, min_value=2020, max_value=2100)

    def clean_group_by(self) -> str:
        value = self.cleaned_data.get("group_by") or "city"
        return value if value in GROUPINGS else "city"
