"""Evaluation API under /api/v1/evaluation/.

Authenticated by default (session with CSRF, or an organisation's ``X-API-Token``); each
endpoint checks roles with ``require_api_roles`` and reads through ``visible_to``. The one
exception is ``GET /certificates/verify`` (``auth=None``): the public check of a certificate
by number and name, rate-limited per IP and audited like the public page.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from jixing.accounts.models import Role
from jixing.core.access import get_for_user
from jixing.core.pagination import BoundedPageNumberPagination
from jixing.core.permissions import AuthedRequest, require_api_roles
from jixing.core.request_context import client_ip

from . import actions, queries, verification
from .engineer_api import router as engineer_router
from .models import Candidate, Certificate, EvaluationFiling, EvaluationSession, LevelAppointment
from .roles import ORG, READERS

router = Router(tags=["evaluation"])
router.add_router("/engineers/", engineer_router)



class VerifyOut(Schema):
    found: bool
    valid: bool
    message: str
    number: str = ""
    holder: str = Field("", description="Masked name, e.g. 张*.")
    occupation: str = ""
    level: str = Field("", description="Eight-level ladder name (新八级工).")
    national_level: str = Field("", description="National level label, e.g. 四级/中级工.")
    issuer: str = ""
    issued_on: str = ""
    mode: str = ""
    status: str = ""
    revoked_on: str = ""


class MessageOut(Schema):
    detail: str


class CertificateOut(Schema):
    id: int
    number: str
    holder: str = Field(alias="person.name")
    holder_id_number_masked: str = Field(alias="person.masked_id_number")
    occupation: str = Field(alias="occupation.name")
    level: int = Field(alias="level_id", description="SkillLevel.order (1 学徒工 … 8 首席技师).")
    level_name: str = Field(alias="level.name")
    national_level: str = Field(alias="level.national_label")
    mode: str
    issuer: str = Field(alias="issuer.name")
    issued_on: dt.date
    status: str
    revoked_reason: str


class FilingOut(Schema):
    id: int
    code: str
    organisation: str = Field(alias="organisation.name")
    kind: str
    valid_from: dt.date
    valid_to: dt.date
    status: str
    status_reason: str
    scopes: list[tuple[int, int]] = Field(description="(occupation id, level order) pairs.")

    @staticmethod
    def resolve_scopes(obj: EvaluationFiling) -> list[tuple[int, int]]:
        return [(s.occupation_id, s.level_id) for s in obj.scopes.all()]


class ResultOut(Schema):
    id: int
    version: int
    theory_score: Decimal
    practical_score: Decimal
    comprehensive_score: Decimal | None
    passed: bool
    status: str


class CandidateOut(Schema):
    id: int
    name: str
    id_number_masked: str
    source: str
    enrollment_id: int | None
    result: ResultOut | None
    certificate_number: str | None


class EvaluationSessionOut(Schema):
    id: int
    code: str
    filing_code: str = Field(alias="filing.code")
    occupation_id: int
    level: int = Field(alias="level_id")
    mode: str
    date: dt.date
    site: str
    status: str


class SessionDetailOut(Schema):
    id: int
    code: str
    filing_code: str
    occupation_id: int
    level: int
    mode: str
    date: dt.date
    site: str
    status: str
    candidates: list[CandidateOut]


class EvaluationResultIn(Schema):
    """The fields a caller may set; anything else in the body is ignored (SECURITY.md B5)."""

    theory: Decimal = Field(ge=0, le=100, decimal_places=2)
    practical: Decimal = Field(ge=0, le=100, decimal_places=2)
    comprehensive: Decimal | None = Field(None, ge=0, le=100, decimal_places=2)
    examiner_id: int


class VerifyQuery(Schema):
    number: str = Field(max_length=40)
    name: str = Field(max_length=50)


# ------------------------------------------------------------------ public


@router.get("/certificates/verify", auth=None, response={200: VerifyOut, 429: MessageOut},
            summary="Verify a certificate by number and holder name (public)")
def verify_certificate(request: AuthedRequest, q: Query[VerifyQuery]) -> Any:
    if verification.throttled(client_ip(request.META)):
        return Status(429, {"detail": verification.too_many_message()})
    return verification.verify(q.number, q.name).__dict__


# ------------------------------------------------------------------ scoped reads


@router.get("/certificates", response=list[CertificateOut])
@paginate(BoundedPageNumberPagination, page_size=50)
def list_certificates(request: AuthedRequest, person_id: int | None = None, valid_only: bool = False) -> Any:
    require_api_roles(request, *READERS, Role.TRAINEE)
    qs = Certificate.objects.visible_to(request.user).select_related("person", "occupation", "level", "issuer")
    if person_id is not None:
        qs = qs.filter(person_id=person_id)
    if valid_only:
        qs = qs.valid()
    return qs


@router.get("/certificates/{certificate_id}", response=CertificateOut)
def get_certificate(request: AuthedRequest, certificate_id: int) -> Any:
    require_api_roles(request, *READERS, Role.TRAINEE)
    return get_for_user(Certificate.objects.select_related("person", "occupation", "level", "issuer"), request.user, certificate_id)


@router.get("/filings", response=list[FilingOut])
@paginate(BoundedPageNumberPagination, page_size=50)
def list_filings(request: AuthedRequest, status: str | None = None) -> Any:
    require_api_roles(request, *READERS)
    qs = EvaluationFiling.objects.visible_to(request.user).select_related("organisation").prefetch_related("scopes")
    return qs.filter(status=status) if status else qs


@router.get("/filings/{filing_id}", response=FilingOut)
def get_filing(request: AuthedRequest, filing_id: int) -> Any:
    require_api_roles(request, *READERS)
    return get_for_user(EvaluationFiling.objects.select_related("organisation"), request.user, filing_id)


@router.get("/sessions", response=list[EvaluationSessionOut])
@paginate(BoundedPageNumberPagination, page_size=50)
def list_sessions(request: AuthedRequest, status: str | None = None) -> Any:
    require_api_roles(request, *READERS)
    qs = EvaluationSession.objects.visible_to(request.user).select_related("filing")
    return qs.filter(status=status) if status else qs


def _session_detail(session: EvaluationSession) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": session.pk, "code": session.code, "filing_code": session.filing.code,
        "occupation_id": session.occupation_id, "level": session.level_id, "mode": session.mode,
        "date": session.date, "site": session.site, "status": session.status,
    }
    data["candidates"] = [
        {
            "id": row.candidate.pk, "name": row.candidate.person.name,
            "id_number_masked": row.candidate.person.masked_id_number, "source": row.candidate.source,
            "enrollment_id": row.candidate.enrollment_id,
            "result": None if row.result is None else {
                "id": row.result.pk, "version": row.result.version, "theory_score": row.result.theory_score,
                "practical_score": row.result.practical_score, "comprehensive_score": row.result.comprehensive_score,
                "passed": row.result.passed, "status": row.result.status,
            },
            "certificate_number": row.certificate.number if row.certificate else None,
        }
        for row in queries.session_rows(session)
    ]
    return data


@router.get("/sessions/{session_id}", response=SessionDetailOut)
def get_session(request: AuthedRequest, session_id: int) -> Any:
    require_api_roles(request, *READERS)
    return _session_detail(get_for_user(EvaluationSession.objects.select_related("filing"), request.user, session_id))


# ------------------------------------------------------------------ writes


@router.post("/sessions/{session_id}/candidates/{candidate_id}/result", response={200: ResultOut})
def record_result(request: AuthedRequest, session_id: int, candidate_id: int, payload: EvaluationResultIn) -> Any:
    require_api_roles(request, *ORG)
    session = get_for_user(EvaluationSession.objects.select_related("filing"), request.user, session_id)
    candidate = get_for_user(Candidate.objects.filter(session=session), request.user, candidate_id)
    examiner = session.examiners.filter(pk=payload.examiner_id).first()
    if examiner is None:
        raise ValidationError({"examiner_id": [_("The examiner must be one of the session's examiners.")]})
    return actions.record_result(candidate, theory=payload.theory, practical=payload.practical,
                                 comprehensive=payload.comprehensive, examiner=examiner, by=request.user)


@router.post("/sessions/{session_id}/submit", response=EvaluationSessionOut)
def submit_session(request: AuthedRequest, session_id: int) -> Any:
    require_api_roles(request, *ORG)
    session = get_for_user(EvaluationSession.objects.select_related("filing"), request.user, session_id)
    return actions.submit_results(session, by=request.user)


@router.post("/sessions/{session_id}/lock", response=SessionDetailOut)
def lock_session(request: AuthedRequest, session_id: int) -> Any:
    require_api_roles(request, Role.HRSS_OFFICER)
    session = get_for_user(EvaluationSession.objects.select_related("filing__organisation"), request.user, session_id)
    actions.lock_results(session, by=request.user)
    session.refresh_from_db()
    return _session_detail(session)


# ------------------------------------------------------------------ enterprise employees and ladder appointments


class EmployeeIn(Schema):
    name: str = Field(max_length=50)
    id_number: str = Field(max_length=18, description="Resident ID number (real-name check with the name).")


class RosterIn(Schema):
    employees: list[EmployeeIn] = Field(max_length=5000)


class RosterOut(Schema):
    added: int


class AppointmentIn(EmployeeIn):
    occupation_id: int
    level: int = Field(description="SkillLevel.order: 1 学徒工, 7 特级技师 or 8 首席技师.")
    appointed_on: dt.date
    basis: str = Field(max_length=2000)


class AppointmentOut(Schema):
    id: int
    organisation_id: int
    person_masked_id_number: str = Field(alias="person.masked_id_number")
    occupation_id: int
    level: int = Field(alias="level_id")
    level_name: str = Field(alias="level.name")
    appointed_on: dt.date
    employment_basis: str = Field(description="insurance (records) or roster (enterprise not yet in the records).")
    ended_on: dt.date | None


def _named_person(name: str, id_number: str, row: int | None = None) -> Any:
    from jixing.registry.models import Person
    from jixing.registry.validators import parse_resident_id

    where = _("Row %(row)s: ") % {"row": row} if row is not None else ""
    try:
        number = parse_resident_id(id_number).number
    except ValidationError as exc:
        raise ValidationError({"id_number": [where + m for m in exc.messages]}) from None
    person = Person.objects.with_id_number(number).first()
    if person is None or person.name != name.strip():
        raise ValidationError({"id_number": [where + _("No registered person has this ID number and name.")]})
    return person


def _own_organisation(request: AuthedRequest) -> Any:
    from jixing.registry.models import Organisation

    organisation_id = getattr(request.user, "organisation_id", None)
    return get_for_user(Organisation.objects.all(), request.user, organisation_id or 0)


@router.post("/enterprise-roster", response={200: RosterOut},
             summary="An enterprise not yet in the insurance records uploads its employees")
def upload_roster(request: AuthedRequest, payload: RosterIn) -> Any:
    require_api_roles(request, Role.INSTITUTION)
    persons = [_named_person(e.name, e.id_number, row=i) for i, e in enumerate(payload.employees, start=1)]
    added = actions.record_enterprise_roster(organisation=_own_organisation(request), persons=persons, by=request.user)
    return {"added": added}


@router.get("/level-appointments", response=list[AppointmentOut])
@paginate(BoundedPageNumberPagination, page_size=50)
def list_appointments(request: AuthedRequest) -> Any:
    require_api_roles(request, *READERS, Role.TRAINEE)
    return LevelAppointment.objects.visible_to(request.user).select_related("person", "level")


@router.post("/level-appointments", response={201: AppointmentOut},
             summary="Record a worker's 学徒工, 特级技师 or 首席技师 level (the employing enterprise)")
def create_appointment(request: AuthedRequest, payload: AppointmentIn) -> Any:
    from jixing.registry.models import Occupation, SkillLevel

    require_api_roles(request, Role.INSTITUTION)
    occupation = Occupation.objects.filter(pk=payload.occupation_id).first()
    level = SkillLevel.objects.filter(pk=payload.level).first()
    if occupation is None or level is None:
        raise ValidationError({"occupation_id" if occupation is None else "level": [_("Unknown value.")]})
    appointment = actions.appoint_level(
        organisation=_own_organisation(request), person=_named_person(payload.name, payload.id_number),
        occupation=occupation, level=level, appointed_on=payload.appointed_on, basis=payload.basis, by=request.user)
    return Status(201, appointment)
