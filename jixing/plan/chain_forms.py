"""Forms of the chain, studio and self-arranged-training pages; fields listed explicitly (STYLE habit 5)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from jixing.registry.models import Occupation, Organisation, OrganisationKind

from .chain_models import IndustrialChain, StudioLevel, StudioMember, StudioRole
from .programme_models import Programme

DATE = forms.DateInput(attrs={"type": "date"})


class ChainLeaderForm(forms.Form):
    organisation = forms.ModelChoiceField(queryset=Organisation.objects.none(), label=_("enterprise"))
    recognised_on = forms.DateField(label=_("recognised on"), widget=DATE)
    basis = forms.CharField(label=_("basis (document or decision)"), max_length=200)

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = (Organisation.objects.visible_to(user)  # type: ignore[attr-defined]
                                                .filter(kind=OrganisationKind.ENTERPRISE, archived_at__isnull=True))


class StudioForm(forms.Form):
    name = forms.CharField(label=_("name"), max_length=120)
    host = forms.ModelChoiceField(queryset=Organisation.objects.none(), label=_("host enterprise"))
    level = forms.ChoiceField(label=_("level"), choices=StudioLevel.choices)
    recognised_on = forms.DateField(label=_("recognised on"), widget=DATE)
    chain = forms.ModelChoiceField(queryset=IndustrialChain.objects.all(), label=_("industrial chain"), required=False)
    occupation = forms.ModelChoiceField(queryset=Occupation.objects.all(), label=_("occupation"), required=False)

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["host"].queryset = (Organisation.objects.visible_to(user)  # type: ignore[attr-defined]
                                        .filter(archived_at__isnull=True))


class StudioMemberForm(forms.Form):
    id_number = forms.CharField(label=_("ID number"), max_length=20)
    role = forms.ChoiceField(label=_("role"), choices=StudioRole.choices)
    master = forms.ModelChoiceField(queryset=StudioMember.objects.none(), label=_("master"), required=False)
    joined_on = forms.DateField(label=_("joined on"), widget=DATE)

    def __init__(self, *args: Any, studio: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        masters = studio.members.filter(role=StudioRole.MASTER, archived_at__isnull=True, left_on__isnull=True)
        self.fields["master"].queryset = masters.select_related("person")  # type: ignore[attr-defined]
        self.fields["master"].label_from_instance = lambda m: m.person.name  # type: ignore[attr-defined]


class SelfTrainingForm(forms.Form):
    provider = forms.CharField(label=_("training provider"), max_length=120)
    course = forms.CharField(label=_("course"), max_length=120)
    occupation = forms.ModelChoiceField(queryset=Occupation.objects.all(), label=_("occupation"), required=False)
    programme = forms.ModelChoiceField(queryset=Programme.objects.filter(is_active=True, action__number=5),
                                       label=_("programme"), required=False)
    starts_on = forms.DateField(label=_("first training day"), widget=DATE)
    ends_on = forms.DateField(label=_("last training day"), widget=DATE)
    hours = forms.IntegerField(label=_("hours"), min_value=1)
    fee = forms.DecimalField(label=_("fee paid (yuan)"), min_value=0, max_digits=10, decimal_places=2)
    certificate_number = forms.CharField(label=_("certificate number"), max_length=60, required=False)
    evidence = forms.FileField(label=_("evidence (PDF, PNG or JPEG, at most 10 MB)"))


class ReviewForm(forms.Form):
    decision = forms.ChoiceField(label=_("decision"), choices=[("approve", _("approve")), ("reject", _("reject"))])
    reason = forms.CharField(label=_("reason"), widget=forms.Textarea(attrs={"rows": 2}), required=False)
