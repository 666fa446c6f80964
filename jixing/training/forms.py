"""Training forms. Each lists its fields explicitly (no mass assignment); the actions do the
business checks and their refusals are put back on the form (``core.pages.run_action``)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any, cast

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from jixing.core.actor import Actor
from jixing.core.formdates import DateRangeMixin
from jixing.plan.models import Action, FundSource, IndustrialChain, Programme, Target
from jixing.registry.models import (
    Occupation,
    Organisation,
    OrganisationKind,
    Region,
    RegionLevel,
    SkillLevel,
    TargetGroup,
)

from .models import Enrollment, ProjectType, Teacher, TrainingSession, job_demand_model


class _CountyField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Region) -> str:
        return f"{obj.parent.name if obj.parent is not None else ''}{obj.name}（{obj.code}）"


class _ByPersonNameField(forms.ModelChoiceField):
    """Teachers or enrollments, each labelled with the person's name."""

    def label_from_instance(self, obj: Teacher | Enrollment) -> str:
        return obj.person.name


class _TeachersField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Teacher) -> str:
        return obj.person.name


def _counties() -> Any:
    return Region.objects.home().filter(level=RegionLevel.COUNTY).select_related("parent").order_by("code")


class ProjectForm(forms.Form):
    name = forms.CharField(label=_("name"), max_length=150)
    action = forms.ModelChoiceField(label=_("action"), queryset=Action.objects.order_by("number"))
    target = forms.ModelChoiceField(label=_("target line"), queryset=Target.objects.order_by("id"), required=False)
    project_type = forms.ChoiceField(label=_("type"), choices=ProjectType.choices)
    partner = forms.ModelChoiceField(
        label=_("partner enterprise"), required=False,
        queryset=Organisation.objects.filter(kind=OrganisationKind.ENTERPRISE, archived_at__isnull=True).order_by("name"),
        help_text=_("Needed for order, fixed-post, directed and apprenticeship projects."),
    )
    job_demand: forms.ModelChoiceField[Any] = forms.ModelChoiceField(label=_("job demand"), queryset=None, required=False,
                                        help_text=_("Order, fixed-post and directed projects serve a posted job demand."))
    occupation = forms.ModelChoiceField(label=_("occupation"), queryset=Occupation.objects.order_by("name"), required=False)
    level = forms.ModelChoiceField(label=_("skill level"), queryset=SkillLevel.objects.order_by("order"), required=False)
    special_ability = forms.CharField(label=_("special vocational ability"), max_length=100, required=False,
                                      help_text=_("Instead of an occupation and level, e.g. 直播电商运营."))
    # seed 一(七) industrial chain and the named programmes of 一(四)/(五)/(八) (issue 17)
    chain = forms.ModelChoiceField(label=_("industrial chain"), queryset=IndustrialChain.objects.all(), required=False)
    programmes = forms.ModelMultipleChoiceField(label=_("programmes"), queryset=Programme.objects.filter(is_active=True),
                                                required=False, widget=forms.CheckboxSelectMultiple)
    county = _CountyField(label=_("county"), queryset=Region.objects.none())
    planned_person_times = forms.IntegerField(label=_("planned person-times"), min_value=1)
    hours = forms.IntegerField(label=_("training hours"), min_value=1)
    required_attendance_rate = forms.DecimalField(
        label=_("required attendance rate"), min_value=Decimal("0.01"), max_value=Decimal("1"), decimal_places=3,
        initial=Decimal("0.800"), help_text=_("0.800 = 80%, the usual requirement."))
    fund_source = forms.ModelChoiceField(label=_("fund source"), queryset=FundSource.objects.order_by("id"))
    is_subsidised = forms.BooleanField(label=_("subsidised"), required=False, initial=True)
    requires_certificate = forms.BooleanField(label=_("subsidy needs a passed evaluation"), required=False, initial=True)
    required_groups = forms.ModelMultipleChoiceField(
        label=_("required target groups"), queryset=TargetGroup.objects.filter(excludes_subsidy=False).order_by("id"),
        required=False, widget=forms.CheckboxSelectMultiple, help_text=_("Empty: open to every eligible worker."))
    description = forms.CharField(label=_("description"), required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args: Any, user: Actor | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(_CountyField, self.fields["county"]).queryset = _counties()
        cast("forms.ModelChoiceField[Any]", self.fields["job_demand"]).queryset = (
            job_demand_model().objects.visible_to(user).select_related("employer").order_by("-created_at"))

    @classmethod
    def initial_for(cls, project: Any) -> dict[str, Any]:
        data = {name: getattr(project, name) for name in cls.base_fields if name not in ("required_groups", "programmes")}
        data["required_groups"] = list(project.required_groups.all())
        data["programmes"] = list(project.programmes.all())
        return data


class ClassForm(DateRangeMixin, forms.Form):
    date_ranges = (("start_date", "end_date"),)

    name = forms.CharField(label=_("name"), max_length=150)
    site_address = forms.CharField(label=_("site address"), max_length=200)
    county = _CountyField(label=_("county"), queryset=Region.objects.none())
    latitude = forms.DecimalField(label=_("latitude"), min_value=-90, max_value=90, decimal_places=6)
    longitude = forms.DecimalField(label=_("longitude"), min_value=-180, max_value=180, decimal_places=6)
    capacity = forms.IntegerField(label=_("capacity"), min_value=1)
    start_date = forms.DateField(label=_("start date"), widget=forms.DateInput(attrs={"type": "date"}))
    end_date = forms.DateField(label=_("end date"), widget=forms.DateInput(attrs={"type": "date"}))
    teachers = _TeachersField(label=pgettext_lazy("training", "teachers"), queryset=Teacher.objects.none(), required=False,
                              widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args: Any, organisation_id: int | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(_CountyField, self.fields["county"]).queryset = _counties()
        cast(_TeachersField, self.fields["teachers"]).queryset = (
            Teacher.objects.filter(organisation_id=organisation_id or -1).select_related("person"))


class SessionForm(DateRangeMixin, forms.Form):
    day = forms.DateField(label=_("date"), widget=forms.DateInput(attrs={"type": "date"}))
    start = forms.TimeField(label=_("starts at"), widget=forms.TimeInput(attrs={"type": "time"}))
    end = forms.TimeField(label=_("ends at"), widget=forms.TimeInput(attrs={"type": "time"}))
    hours = forms.DecimalField(label=_("hours"), min_value=Decimal("0.1"), max_digits=4, decimal_places=1)
    teacher = _ByPersonNameField(label=_("teacher"), queryset=Teacher.objects.none())
    topic = forms.CharField(label=_("topic"), max_length=150)

    def __init__(self, *args: Any, organisation_id: int | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(_ByPersonNameField, self.fields["teacher"]).queryset = (
            Teacher.objects.filter(organisation_id=organisation_id or -1).select_related("person"))

    def moments(self) -> tuple[dt.datetime, dt.datetime]:
        tz = timezone.get_default_timezone()
        day = self.cleaned_data["day"]
        return (dt.datetime.combine(day, self.cleaned_data["start"], tzinfo=tz),
                dt.datetime.combine(day, self.cleaned_data["end"], tzinfo=tz))


class PersonIdForm(forms.Form):
    """Name and ID number of a trainee or teacher (found in the registry, or registered)."""

    name = forms.CharField(label=_("full name"), max_length=50)
    id_number = forms.CharField(label=_("ID number"), max_length=18, min_length=18)
    phone = forms.CharField(label=_("mobile number"), max_length=20, required=False)


class TeacherForm(PersonIdForm):
    qualification = forms.CharField(label=_("qualification"), max_length=200, required=False)


class RosterForm(forms.Form):
    file = forms.FileField(label=_("roster file (.xlsx or .csv)"),
                           help_text=_("Columns 姓名, 公民身份号码, 手机号码, 人员类别."))


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("reason"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))


class FilingForm(forms.Form):
    roster_plan = forms.CharField(
        label=_("roster plan"), max_length=4000, required=False, widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Whom the class will recruit and how (target groups, sources, numbers)."))


class OptionalReasonForm(forms.Form):
    reason = forms.CharField(label=_("reason"), max_length=2000, required=False,
                             widget=forms.Textarea(attrs={"rows": 2}))


class RollCallForm(forms.Form):
    """A teacher records a trainee's presence (method: teacher roll-call)."""

    enrollment = _ByPersonNameField(label=_("trainee"), queryset=Enrollment.objects.none())
    check_in = forms.TimeField(label=_("check-in"), widget=forms.TimeInput(attrs={"type": "time"}))
    check_out = forms.TimeField(label=_("check-out"), required=False, widget=forms.TimeInput(attrs={"type": "time"}))

    def __init__(self, *args: Any, session: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.session = session
        cast(_ByPersonNameField, self.fields["enrollment"]).queryset = Enrollment.objects.filter(
            training_class_id=session.training_class_id if session else -1).select_related("person")

    def moment(self, value: dt.time | None) -> dt.datetime | None:
        if value is None:
            return None
        day = timezone.localtime(self.session.starts_at).date()
        return dt.datetime.combine(day, value, tzinfo=timezone.get_default_timezone())


class TerminalForm(forms.Form):
    device_id = forms.CharField(label=_("device ID"), max_length=64)
    name = forms.CharField(label=_("name"), max_length=100, required=False)


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultiplePhotoField(forms.FileField):
    widget = MultipleFileInput

    def clean(self, data: Any, initial: Any = None) -> Any:
        if isinstance(data, list | tuple):
            return [super(MultiplePhotoField, self).clean(d, initial) for d in data]
        return [super().clean(data, initial)] if data else []


class _SessionChoiceField(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Any) -> str:
        return (f"{timezone.localtime(obj.starts_at):%Y-%m-%d %H:%M}–{timezone.localtime(obj.ends_at):%H:%M} "
                f"{obj.topic}")


class SpotCheckVisitForm(forms.Form):
    session = _SessionChoiceField(label=pgettext_lazy("training", "session"), queryset=TrainingSession.objects.none())
    present_count = forms.IntegerField(label=_("trainees present"), min_value=0, max_value=10000)
    note = forms.CharField(label=_("note"), required=False, widget=forms.Textarea(attrs={"rows": 3}), max_length=2000)
    photos = MultiplePhotoField(label=_("photos"), required=False,
                                widget=MultipleFileInput(attrs={"accept": "image/jpeg,image/png,image/webp",
                                                                "capture": "environment"}))

    def __init__(self, *args: Any, sessions: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["session"]).queryset = sessions
