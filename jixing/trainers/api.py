"""Trainers and 马兰花 API under /api/v1/trainers/. Roles with ``require_api_roles``, reads through
``visible_to`` (404 out of scope), writes through ``actions`` (403/422)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated, Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Path, Query, Router, Schema, Status
from ninja.pagination import paginate

from jixing.accounts.models import Role
from jixing.core.access import get_for_user
from jixing.core.pagination import BoundedPageNumberPagination
from jixing.core.permissions import AuthedRequest, require_api_roles
from jixing.registry.models import Person, Region

from . import actions, queries
from .models import (
    ActivityKind,
    Award,
    Competition,
    CompetitionTier,
    MalanhuaActivity,
    MalanhuaCourseVersion,
    TrainerCategory,
    TrainerProfile,
)

router = Router(tags=["trainers"])

READERS = (Role.HRSS_OFFICER, Role.AUDITOR, Role.INSTITUTION)
Id = Annotated[int, Path(ge=1, le=2**63 - 1)]
BigId = Annotated[int, Field(ge=1, le=2**63 - 1)]


class TrainerMessage(Schema):
    detail: Any


class TrainerOut(Schema):
    id: int
    organisation_id: int
    person_id: int
    name: str = Field(alias="person.name")
    category: str
    grade: int
    active: bool = Field(alias="is_active")


class TrainerIn(Schema):
    id_number: str = Field(min_length=15, max_length=30)
    category: TrainerCategory


class QualificationIn(Schema):
    number: str = Field(min_length=1, max_length=40)


class QualificationOut(Schema):
    id: int
    number: str
    verified_at: dt.datetime


class TrainingRecordIn(Schema):
    course: str = Field(min_length=1, max_length=200)
    provider: str = Field(min_length=1, max_length=200)
    hours: Decimal = Field(gt=0, le=2000, max_digits=6, decimal_places=1)
    started_on: dt.date
    ended_on: dt.date


class TrainingRecordOut(Schema):
    id: int
    course: str
    hours: Decimal


class CompetitionIn(Schema):
    name: str = Field(min_length=1, max_length=200)
    category: TrainerCategory
    tier: CompetitionTier
    held_on: dt.date
    organiser: str = Field(default="", max_length=200)


class CompetitionOut(Schema):
    id: int
    name: str
    category: str
    tier: str
    held_on: dt.date


class CompetitionResultIn(Schema):
    trainer_id: BigId
    award: Award
    rank: int | None = Field(default=None, ge=1, le=10000)


class CompetitionResultOut(Schema):
    id: int
    trainer_id: int = Field(alias="profile_id")
    award: str
    grade_before: int
    grade_after: int
    decision: list[str]


class ActivityIn(Schema):
    kind: ActivityKind
    title: str = Field(min_length=1, max_length=200)
    county: str = Field(pattern=r"^\d{6}$")
    held_on: dt.date
    person_times: int = Field(ge=1, le=100000)
    trainer_ids: list[BigId] = Field(min_length=1, max_length=50)
    course_version_id: BigId | None = None


class ActivityOut(Schema):
    id: int
    kind: str
    title: str
    county_id: str
    held_on: dt.date
    person_times: int


@router.get("/", response=list[TrainerOut])
@paginate(BoundedPageNumberPagination, page_size=50)
def list_trainers(request: HttpRequest) -> Any:
    require_api_roles(request, *READERS)
    return TrainerProfile.objects.visible_to(request.user).select_related("person")


@router.post("/", response={201: TrainerOut, 403: TrainerMessage, 422: TrainerMessage})
def register_trainer(request: AuthedRequest, body: TrainerIn) -> Any:
    require_api_roles(request, Role.INSTITUTION)
    person = Person.objects.active().with_id_number(body.id_number).first()
    if person is None:
        raise ValidationError({"id_number": [_("No registered person has this ID number.")]})
    return Status(201, actions.register_trainer(by=request.user, person=person, category=body.category.value))


@router.get("/{trainer_id}", response=TrainerOut)
def get_trainer(request: HttpRequest, trainer_id: Id) -> Any:
    require_api_roles(request, *READERS)
    return get_for_user(TrainerProfile.objects.select_related("person"), request.user, trainer_id)


@router.post("/{trainer_id}/qualifications",
             response={201: QualificationOut, 403: TrainerMessage, 404: TrainerMessage, 422: TrainerMessage})
def add_qualification(request: AuthedRequest, trainer_id: Id, body: QualificationIn) -> Any:
    require_api_roles(request, Role.INSTITUTION)
    profile = get_for_user(TrainerProfile.objects.select_related("person"), request.user, trainer_id)
    return Status(201, actions.add_qualification(profile, by=request.user, number=body.number))


@router.post("/{trainer_id}/training",
             response={201: TrainingRecordOut, 403: TrainerMessage, 404: TrainerMessage, 422: TrainerMessage})
def record_training(request: AuthedRequest, trainer_id: Id, body: TrainingRecordIn) -> Any:
    require_api_roles(request, Role.INSTITUTION)
    profile = get_for_user(TrainerProfile.objects.all(), request.user, trainer_id)
    return Status(201, actions.record_trainer_training(profile, by=request.user, **body.dict()))


@router.get("/competitions/", response=list[CompetitionOut])
@paginate(BoundedPageNumberPagination, page_size=50)
def list_competitions(request: HttpRequest) -> Any:
    require_api_roles(request, *READERS)
    return Competition.objects.visible_to(request.user)


@router.post("/competitions/", response={201: CompetitionOut, 403: TrainerMessage, 422: TrainerMessage})
def create_competition(request: AuthedRequest, body: CompetitionIn) -> Any:
    require_api_roles(request, Role.HRSS_OFFICER)
    return Status(201, actions.create_competition(by=request.user, name=body.name, category=body.category.value,
                                                  tier=body.tier.value, held_on=body.held_on, organiser=body.organiser))


@router.post("/competitions/{competition_id}/results",
             response={201: CompetitionResultOut, 403: TrainerMessage, 404: TrainerMessage, 422: TrainerMessage})
def record_result(request: AuthedRequest, competition_id: Id, body: CompetitionResultIn) -> Any:
    require_api_roles(request, Role.HRSS_OFFICER)
    competition = get_for_user(Competition.objects.all(), request.user, competition_id)
    profile = get_for_user(TrainerProfile.objects.select_related("person"), request.user, body.trainer_id)
    return Status(201, actions.record_result(competition, by=request.user, profile=profile, award=body.award.value,
                                             rank=body.rank))


@router.get("/malanhua/activities", response=list[ActivityOut])
@paginate(BoundedPageNumberPagination, page_size=50)
def list_activities(request: HttpRequest) -> Any:
    require_api_roles(request, *READERS)
    return MalanhuaActivity.objects.visible_to(request.user)


@router.post("/malanhua/activities", response={201: ActivityOut, 403: TrainerMessage, 422: TrainerMessage})
def record_activity(request: AuthedRequest, body: ActivityIn) -> Any:
    require_api_roles(request, Role.HRSS_OFFICER, Role.INSTITUTION)
    county = Region.objects.filter(pk=body.county, level="county").first()
    if county is None:
        raise ValidationError({"county": [_("Unknown county code.")]})
    trainers = list(TrainerProfile.objects.filter(pk__in=body.trainer_ids).select_related("person"))
    if len(trainers) != len(set(body.trainer_ids)):
        raise ValidationError({"trainer_ids": [_("Unknown trainer.")]})
    version = None
    if body.course_version_id is not None:
        version = MalanhuaCourseVersion.objects.filter(pk=body.course_version_id).first()
        if version is None:
            raise ValidationError({"course_version_id": [_("Unknown course version.")]})
    return Status(201, actions.record_activity(by=request.user, kind=body.kind.value, title=body.title, county=county,
                                               held_on=body.held_on, person_times=body.person_times,
                                               trainers=trainers, course_version=version))


@router.get("/malanhua/person-times", response=dict[str, int])
def malanhua_person_times(request: HttpRequest, year: int | None = Query(None, ge=2020, le=2035)) -> Any:
    require_api_roles(request, *READERS)
    return queries.malanhua_person_times(request.user, year=year or timezone.localdate().year)
