"""Trainer and 马兰花 pages. HTTP only: parse, call one action or query, render. Objects come
through ``get_for_user`` (404 for missing and forbidden alike). A page with several forms names
the one posted in the ``form`` field."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext as _

from jixing.accounts.models import Role
from jixing.core.access import code_within, get_for_user
from jixing.core.permissions import AuthedRequest, require_roles
from jixing.registry.models import Person, Region

from . import actions, capacity, queries
from .forms import (
    AccreditForm,
    ActivityForm,
    ArchiveForm,
    CompetitionForm,
    CourseVersionForm,
    QualificationForm,
    ResultForm,
    TrainerForm,
    TrainingRecordForm,
)
from .models import (
    Competition,
    MalanhuaAccreditation,
    MalanhuaActivity,
    MalanhuaCourseVersion,
    TrainerCategory,
    TrainerProfile,
)

READERS = (Role.HRSS_OFFICER, Role.AUDITOR, Role.INSTITUTION)


def _apply(form: forms.Form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


def _is_province(user: Any) -> bool:
    return user.role == Role.HRSS_OFFICER and user.region_id == actions.PROVINCE_REGION


def _page(request: AuthedRequest, qs: Any) -> Any:
    return Paginator(qs, 25).get_page(request.GET.get("page"))


@require_roles(*READERS)
def trainer_list(request: AuthedRequest) -> HttpResponse:
    organisation_id = request.user.organisation_id if request.user.role == Role.INSTITUTION else None
    form = TrainerForm(request.POST or None) if organisation_id is not None else None
    if form is not None and request.method == "POST" and form.is_valid():
        person = Person.objects.active().with_id_number(form.cleaned_data["id_number"]).first()
        if person is None:
            form.add_error("id_number", _("No registered person has this ID number."))
        else:
            try:
                profile = actions.register_trainer(by=request.user, person=person,
                                                   category=form.cleaned_data["category"])
            except ValidationError as exc:
                _apply(form, exc)
            else:
                messages.success(request, _("The trainer is registered."))
                return redirect("trainers:trainer_detail", pk=profile.pk)
    qs = TrainerProfile.objects.visible_to(request.user).select_related("organisation", "person")
    return TemplateResponse(request, "trainers/trainer_list.html", {
        "page_obj": _page(request, qs), "form": form, "pool": queries.trainer_pool(request.user),
        "capacity": capacity.institution_capacity(organisation_id) if organisation_id is not None else None,
    }, status=400 if form is not None and form.errors else 200)


@require_roles(*READERS)
def trainer_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    profile = get_for_user(TrainerProfile.objects.select_related("organisation", "person"), request.user, pk)
    own = request.user.role == Role.INSTITUTION and request.user.organisation_id == profile.organisation_id
    posted = request.POST.get("form") if request.method == "POST" and own else None
    qualification_form = QualificationForm(request.POST if posted == "qualification" else None)
    training_form = TrainingRecordForm(request.POST if posted == "training" else None)
    archive_form = ArchiveForm(request.POST if posted == "archive" else None)
    bound = {"qualification": qualification_form, "training": training_form, "archive": archive_form}.get(posted or "")
    if bound is not None and bound.is_valid():
        d = bound.cleaned_data
        try:
            if posted == "qualification":
                actions.add_qualification(profile, by=request.user, number=d["number"])
            elif posted == "training":
                actions.record_trainer_training(profile, by=request.user, course=d["course"], provider=d["provider"],
                                                hours=d["hours"], started_on=d["started_on"], ended_on=d["ended_on"])
            else:
                actions.archive_trainer(profile, by=request.user, reason=d["reason"])
        except ValidationError as exc:
            _apply(bound, exc)
        else:
            messages.success(request, _("Saved."))
            return redirect("trainers:trainer_detail", pk=profile.pk)
    return TemplateResponse(request, "trainers/trainer_detail.html", {
        "profile": profile, "own": own and profile.is_active,
        "qualifications": profile.qualifications.select_related("certificate__occupation", "certificate__level",
                                                                "engineer_certificate__field"),
        "training_records": profile.training_records.all(),
        "entries": profile.competition_entries.select_related("competition"),
        "accreditations": profile.malanhua_accreditations.all(),
        "qualification_form": qualification_form, "training_form": training_form, "archive_form": archive_form,
    }, status=400 if bound is not None and bound.errors else 200)


@require_roles(*READERS)
def competition_list(request: AuthedRequest) -> HttpResponse:
    form = CompetitionForm(request.POST or None) if _is_province(request.user) else None
    if form is not None and request.method == "POST" and form.is_valid():
        try:
            competition = actions.create_competition(by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            _apply(form, exc)
        else:
            messages.success(request, _("The competition is recorded."))
            return redirect("trainers:competition_detail", pk=competition.pk)
    return TemplateResponse(request, "trainers/competition_list.html", {
        "page_obj": _page(request, Competition.objects.visible_to(request.user)), "form": form,
    }, status=400 if form is not None and form.errors else 200)


@require_roles(*READERS)
def competition_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    competition = get_for_user(Competition.objects.all(), request.user, pk)
    form = None
    if _is_province(request.user) and not competition.results_closed:
        trainers = (TrainerProfile.objects.visible_to(request.user).active().filter(category=competition.category)
                    .exclude(competition_entries__competition=competition).select_related("person", "organisation"))
        form = ResultForm(request.POST or None, trainers=trainers)
        if request.method == "POST" and form.is_valid():
            d = form.cleaned_data
            try:
                entry = actions.record_result(competition, by=request.user, profile=d["profile"], award=d["award"],
                                              rank=d["rank"])
            except ValidationError as exc:
                _apply(form, exc)
            else:
                messages.success(request, " ".join(entry.decision))
                return redirect("trainers:competition_detail", pk=competition.pk)
    entries = competition.entries.filter(profile__in=TrainerProfile.objects.visible_to(request.user)) \
        .select_related("profile__person", "profile__organisation")
    return TemplateResponse(request, "trainers/competition_detail.html", {
        "competition": competition, "entries": entries, "form": form,
    }, status=400 if form is not None and form.errors else 200)


def _malanhua_forms(request: AuthedRequest, posted: str | None) -> dict[str, forms.Form | None]:
    user = request.user
    data = request.POST if request.method == "POST" else None
    province = _is_province(user)
    mentors = (TrainerProfile.objects.visible_to(user).active().filter(category=TrainerCategory.ENTREPRENEURSHIP)
               .select_related("person", "organisation"))
    accredited = mentors.filter(malanhua_accreditations__status="active")
    counties: Any = Region.objects.none()
    if user.role == Role.HRSS_OFFICER and user.region_id:
        counties = Region.objects.filter(code_within("code", user.region_id), level="county").order_by("code")
    elif user.role == Role.INSTITUTION and user.organisation is not None:
        counties = Region.objects.filter(pk=user.organisation.county_id)
    can_record = user.role in (Role.HRSS_OFFICER, Role.INSTITUTION)
    return {
        "accredit": AccreditForm(data if posted == "accredit" else None, trainers=mentors) if province else None,
        "course": CourseVersionForm(data if posted == "course" else None) if province else None,
        "activity": ActivityForm(data if posted == "activity" else None, counties=counties,
                                 trainers=TrainerProfile.objects.filter(pk__in=accredited.values("pk"))
                                 .select_related("person", "organisation")) if can_record else None,
    }


def _malanhua_post(request: AuthedRequest, posted: str, form: forms.Form) -> None:
    d = form.cleaned_data
    if posted == "accredit":
        actions.accredit_malanhua(d["profile"], by=request.user, accredited_on=d["accredited_on"])
    elif posted == "course":
        actions.add_course_version(by=request.user, **d)
    else:
        actions.record_activity(by=request.user, kind=d["kind"], title=d["title"], county=d["county"],
                                held_on=d["held_on"], person_times=d["person_times"], trainers=d["trainers"],
                                course_version=d["course_version"])


@require_roles(*READERS)
def malanhua(request: AuthedRequest) -> HttpResponse:
    """马兰花: accredited trainers, course versions, 创业训练营 and 创培在身边 activities (seed 一(十))."""
    posted = request.POST.get("form") if request.method == "POST" else None
    form_map = _malanhua_forms(request, posted)
    bound = form_map.get(posted or "")
    if bound is not None and bound.is_valid():
        try:
            _malanhua_post(request, posted or "", bound)
        except ValidationError as exc:
            _apply(bound, exc)
        except PermissionDenied:
            bound.add_error(None, _("You cannot record this here."))
        else:
            messages.success(request, _("Saved."))
            return redirect("trainers:malanhua")
    year = timezone.localdate().year
    return TemplateResponse(request, "trainers/malanhua.html", {
        "forms": form_map, "year": year,
        "person_times": queries.malanhua_person_times(request.user, year=year),
        "accreditations": MalanhuaAccreditation.objects.visible_to(request.user)
        .select_related("profile__person", "profile__organisation")[:200],
        "courses": MalanhuaCourseVersion.objects.all()[:200],
        "activities": _page(request, MalanhuaActivity.objects.visible_to(request.user)
                            .select_related("county", "course_version").prefetch_related("trainers__person")),
    }, status=400 if bound is not None and bound.errors else 200)
