"""数字技术工程师 API under /api/v1/evaluation/engineers/: fields, sessions (create, candidates,
scores, the officer's lock), certificates and the year's count toward the digital line.
Roles with ``require_api_roles``, reads through ``visible_to`` (404 out of scope), writes through
``engineer_actions`` (403/422)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated, Any

from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Path, Query, Router, Schema, Status
from ninja.pagination import paginate

from jixing.accounts.models import Role
from jixing.core.access import get_for_user
from jixing.core.pagination import BoundedPageNumberPagination
from jixing.core.permissions import AuthedRequest, require_api_roles
from jixing.registry.models import Person

from . import engineer_actions, engineer_queries
from .engineer_models import DigitalField, EngineerCertificate, EngineerLevel, EngineerSession

router = Router(tags=["evaluation: 数字技术工程师"])

SITE = (Role.EVALUATOR, Role.INSTITUTION)
READERS = (Role.HRSS_OFFICER, Role.AUDITOR, *SITE)
Id = Annotated[int, Path(ge=1, le=2**63 - 1)]


class EngineerMessage(Schema):
    detail: Any


class DigitalFieldOut(Schema):
    id: int
    key: str
    name: str
    code: str
    verified: bool


class EngineerSessionOut(Schema):
    id: int
    code: str
    organisation_id: int
    field_id: int
    level: str
    date: dt.date
    site: str
    status: str


class EngineerSessionIn(Schema):
    field_id: int = Field(ge=1, le=2**63 - 1)
    level: EngineerLevel
    date: dt.date
    site: str = Field(min_length=1, max_length=200)


class EngineerCandidateIn(Schema):
    id_number: str = Field(min_length=15, max_length=30)


class EngineerCandidateOut(Schema):
    id: int
    person_id: int
    score: Decimal | None
    passed: bool


class EngineerScoreIn(Schema):
    score: Decimal = Field(ge=0, le=100, max_digits=5, decimal_places=2)


class EngineerCertificateOut(Schema):
    id: int
    number: str
    person_id: int
    field_id: int
    level: str
    session_id: int
    issued_on: dt.date
    status: str


class EngineerProgressOut(Schema):
    year: int
    sessions: int
    candidates: int
    certificates: int
    certificates_by_level: dict[str, int]
    counted_via_training: int
    counted_extra: int


@router.get("/fields", response=list[DigitalFieldOut])
def list_fields(request: HttpRequest) -> Any:
    require_api_roles(request, *READERS)
    return DigitalField.objects.all()


@router.get("/sessions", response=list[EngineerSessionOut])
@paginate(BoundedPageNumberPagination, page_size=50)
def list_engineer_sessions(request: HttpRequest) -> Any:
    require_api_roles(request, *READERS)
    return EngineerSession.objects.visible_to(request.user)


@router.post("/sessions", response={201: EngineerSessionOut, 403: EngineerMessage, 422: EngineerMessage})
def create_engineer_session(request: AuthedRequest, body: EngineerSessionIn) -> Any:
    require_api_roles(request, *SITE)
    field = DigitalField.objects.filter(pk=body.field_id).first()
    if field is None:
        raise ValidationError({"field_id": [_("Unknown digital-technology field.")]})
    if request.user.organisation is None:
        raise ValidationError(_("Your account belongs to no organisation."))
    return Status(201, engineer_actions.create_engineer_session(
        by=request.user, organisation=request.user.organisation, field=field, level=body.level.value,
        date=body.date, site=body.site))


@router.get("/sessions/{session_id}/candidates", response=list[EngineerCandidateOut])
def list_engineer_candidates(request: HttpRequest, session_id: Id) -> Any:
    require_api_roles(request, *READERS)
    return get_for_user(EngineerSession.objects.all(), request.user, session_id).candidates.order_by("id")


@router.post("/sessions/{session_id}/candidates",
             response={201: EngineerCandidateOut, 403: EngineerMessage, 404: EngineerMessage, 422: EngineerMessage})
def add_engineer_candidate(request: AuthedRequest, session_id: Id, body: EngineerCandidateIn) -> Any:
    require_api_roles(request, *SITE)
    session = get_for_user(EngineerSession.objects.all(), request.user, session_id)
    person = Person.objects.active().with_id_number(body.id_number).first()
    if person is None:
        raise ValidationError({"id_number": [_("No registered person has this ID number.")]})
    return Status(201, engineer_actions.add_engineer_candidate(session, by=request.user, person=person))


@router.post("/sessions/{session_id}/candidates/{candidate_id}/score",
             response={200: EngineerCandidateOut, 403: EngineerMessage, 404: EngineerMessage, 422: EngineerMessage})
def record_engineer_score(request: AuthedRequest, session_id: Id, candidate_id: Id, body: EngineerScoreIn) -> Any:
    require_api_roles(request, *SITE)
    session = get_for_user(EngineerSession.objects.all(), request.user, session_id)
    candidate = session.candidates.select_related("session").filter(pk=candidate_id).first()
    if candidate is None:
        raise Http404
    return engineer_actions.record_engineer_score(candidate, by=request.user, score=body.score)


@router.post("/sessions/{session_id}/lock",
             response={200: list[EngineerCertificateOut], 403: EngineerMessage, 404: EngineerMessage, 422: EngineerMessage})
def lock_engineer_session(request: AuthedRequest, session_id: Id) -> Any:
    require_api_roles(request, Role.HRSS_OFFICER)
    session = get_for_user(EngineerSession.objects.all(), request.user, session_id)
    return engineer_actions.lock_engineer_session(session, by=request.user)


@router.get("/certificates", response=list[EngineerCertificateOut])
@paginate(BoundedPageNumberPagination, page_size=50)
def list_engineer_certificates(request: HttpRequest) -> Any:
    require_api_roles(request, *READERS, Role.TRAINEE)
    return EngineerCertificate.objects.visible_to(request.user)


@router.get("/progress", response=EngineerProgressOut)
def engineer_progress(request: HttpRequest, year: int | None = Query(None, ge=2020, le=2035)) -> Any:
    require_api_roles(request, *READERS)
    return engineer_queries.engineer_progress(request.user, year=year or timezone.localdate().year)
