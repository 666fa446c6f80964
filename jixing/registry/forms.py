"""Registry forms. Every field is listed explicitly (SECURITY.md B5): a POST with extra
fields such as ``status`` or ``id_number_hash`` changes nothing."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from jixing.core.actor import Actor
from jixing.core.formdates import DateRangeMixin

from . import queries
from .models import (
    Education,
    EmploymentStatus,
    OrganisationKind,
    OrganisationStatus,
    Region,
    RestrictionKind,
    TargetGroup,
)
from .validators import parse_resident_id


class CountyChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Region) -> str:
        return queries.county_label(obj)


class PersonForm(forms.Form):
    id_number = forms.CharField(label=_("ID number"), max_length=30, help_text=_("18 characters; the last may be X."))
    name = forms.CharField(label=_("full name"), max_length=50)
    phone = forms.CharField(label=_("mobile number"), max_length=20, required=False)
    household_region = CountyChoiceField(label=_("household region"), queryset=Region.objects.none())
    current_region = CountyChoiceField(label=_("current region"), queryset=Region.objects.none())
    education = forms.ChoiceField(label=_("education"), choices=[("", "—"), *Education.choices], required=False)
    employment_status = forms.ChoiceField(label=_("employment status"), choices=EmploymentStatus.choices)

    def __init__(self, *args: Any, user: Actor, editing: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        counties = queries.counties_writable_by(user).order_by("code")
        # 户籍 may be any county of China (a migrant from Henan); where the person lives now is
        # inside the officer's region or the household one is (registry.actions._check_regions)
        household = queries.household_counties_for(user).order_by("code")
        cast(CountyChoiceField, self.fields["household_region"]).queryset = household
        cast(CountyChoiceField, self.fields["current_region"]).queryset = counties
        if editing:
            # The ID number is the person's key; a wrong one is archived and registered anew.
            del self.fields["id_number"]

    def clean_id_number(self) -> str:
        return parse_resident_id(self.cleaned_data["id_number"]).number


class PersonSearchForm(forms.Form):
    q = forms.CharField(label=_("Name or full ID number"), max_length=50, required=False)
    region = forms.ChoiceField(label=_("Region"), required=False)
    group: forms.ModelChoiceField[TargetGroup] = forms.ModelChoiceField(
        label=_("Target group"), queryset=None, required=False, empty_label=_("All groups")
    )
    archived = forms.BooleanField(label=_("Include archived"), required=False)

    def __init__(self, *args: Any, user: Actor, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["region"]).choices = [("", _("All regions")), *queries.regions_for_filter(user)]
        cast("forms.ModelChoiceField[TargetGroup]", self.fields["group"]).queryset = queries.groups_filterable_by(user)


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"), min_length=4, max_length=500,
        widget=forms.Textarea(attrs={"rows": 2, "placeholder": _("e.g. verifying identity for subsidy claim no. …")}),
    )


class OrganisationForm(forms.Form):
    uscc = forms.CharField(label=_("unified social credit code"), max_length=30)
    name = forms.CharField(label=_("name"), max_length=120)
    kind = forms.ChoiceField(label=_("kind"), choices=OrganisationKind.choices)
    county = CountyChoiceField(label=_("county"), queryset=Region.objects.none())
    address = forms.CharField(label=_("address"), max_length=200, required=False)
    is_chain_leader = forms.BooleanField(label=_("chain leader (链主企业)"), required=False)
    is_specialised = forms.BooleanField(label=_("specialised and innovative (专精特新)"), required=False)
    is_single_champion = forms.BooleanField(label=_("single champion (单项冠军)"), required=False)
    above_size_list_year = forms.IntegerField(
        label=_("latest year in the list of enterprises above designated size (规上企业)"), min_value=2000, max_value=2100,
        required=False, help_text=_("Enterprises only: the year of the statistics bureau's list that names the enterprise."))
    enrolled_students = forms.IntegerField(
        label=_("enrolled students"), min_value=0, required=False,
        help_text=_("Required for vocational colleges and technical schools."),
    )
    teacher_count = forms.IntegerField(label=_("number of teachers"), min_value=0, initial=0)
    capacity = forms.IntegerField(label=_("training capacity (trainees at once)"), min_value=0, initial=0)

    DATA_FIELDS = (
        "name", "kind", "county", "address", "is_chain_leader", "is_specialised", "is_single_champion",
        "enrolled_students", "teacher_count", "capacity", "above_size_list_year",
    )

    def __init__(self, *args: Any, user: Actor, editing: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(CountyChoiceField, self.fields["county"]).queryset = queries.counties_writable_by(user).order_by("code")
        if editing:
            del self.fields["uscc"]


class OrganisationSearchForm(forms.Form):
    q = forms.CharField(label=_("Name or credit code"), max_length=60, required=False)
    kind = forms.ChoiceField(label=_("kind"), choices=[("", _("All kinds")), *OrganisationKind.choices], required=False)
    city = forms.ChoiceField(label=_("City"), required=False)
    status = forms.ChoiceField(
        label=_("status"), choices=[("", _("All statuses")), ("blocked", _("suspended or blacklisted")), *OrganisationStatus.choices],
        required=False,
    )

    def __init__(self, *args: Any, user: Actor, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cities = queries.cities_for_filter(user)
        cast(forms.ChoiceField, self.fields["city"]).choices = [("", _("All cities")), *((c.code, c.name) for c in cities)]
        if len(cities) <= 1:
            self.fields["city"].widget = forms.HiddenInput()


class RestrictionForm(DateRangeMixin, forms.Form):
    """Record a restriction on a person, found by the full ID number (posted, never in a URL)."""

    date_ranges = (("starts_on", "ends_on"),)

    id_number = forms.CharField(label=_("ID number"), max_length=30, help_text=_("18 characters; the last may be X."))
    kind = forms.ChoiceField(label=_("restriction"), choices=RestrictionKind.choices)
    starts_on = forms.DateField(label=_("from"), widget=forms.DateInput(attrs={"type": "date"}))
    ends_on = forms.DateField(label=_("until"), required=False, widget=forms.DateInput(attrs={"type": "date"}),
                              help_text=_("Leave empty for a restriction without an end date."))
    reference = forms.CharField(label=_("document or case number"), max_length=100, required=False)
    reason = forms.CharField(label=_("Reason"), min_length=4, max_length=500, widget=forms.Textarea(attrs={"rows": 2}))

    def clean_id_number(self) -> str:
        return parse_resident_id(self.cleaned_data["id_number"]).number


class RestrictionFilterForm(forms.Form):
    state = forms.ChoiceField(label=_("Show"), required=False, choices=[
        ("", _("In force today")), ("ended", _("Lifted or ended")), ("all", _("All"))])
    kind = forms.ChoiceField(label=_("restriction"), required=False,
                             choices=[("", _("All kinds")), *RestrictionKind.choices])
