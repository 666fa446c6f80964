"""Claims API: lists, review queue, create and review steps, a trainee's own subsidies."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Schema, Status
from ninja.pagination import paginate

from jixing.accounts.models import Role
from jixing.core import risk
from jixing.core.access import get_for_user
from jixing.core.pagination import BoundedPageNumberPagination
from jixing.core.permissions import require_api_roles

from .. import actions, queries
from ..models import Claim, ClaimLine, PayeeAccount
from ..queries import CLAIM_MAKERS, CLAIM_READERS, REVIEWERS
from .common import router

# ---------------------------------------------------------------- claims


class CheckOut(Schema):
    code: str
    ok: bool
    text: str


class ReasonOut(Schema):
    code: str
    text: str
    amount: str | None = None


class LineAttendanceOut(Schema):
    """Sessions as money counts them (issue 13): captured fully, declared up to the city's share."""

    sessions: int
    captured: int
    declared: int
    declared_verified: int
    declared_counted: int
    declared_limit: int
    missing: int
    rate: Decimal


class LineOut(Schema):
    id: int
    person: str = Field(description="name")
    id_number_masked: str
    training_class: str | None
    certificate: str | None
    study: int | None = Field(None, description="study record id (求学圆梦)")
    amount: Decimal
    status: str
    reasons: list[ReasonOut]
    checks: list[CheckOut]
    rule_version: int | None
    attendance: LineAttendanceOut | None = None

    @staticmethod
    def resolve_attendance(obj: ClaimLine) -> Any:
        return queries.line_attendance([obj]).get(obj.pk)

    @staticmethod
    def resolve_person(obj: ClaimLine) -> str:
        return obj.person.name

    @staticmethod
    def resolve_id_number_masked(obj: ClaimLine) -> str:
        return obj.person.masked_id_number

    @staticmethod
    def resolve_training_class(obj: ClaimLine) -> str | None:
        return obj.training_class.code if obj.training_class is not None else None

    @staticmethod
    def resolve_certificate(obj: ClaimLine) -> str | None:
        return obj.certificate.number if obj.certificate is not None else None

    @staticmethod
    def resolve_study(obj: ClaimLine) -> int | None:
        return obj.study_id

    @staticmethod
    def resolve_rule_version(obj: ClaimLine) -> int | None:
        return obj.rule_table.version if obj.rule_table is not None else None


class ClaimOut(Schema):
    id: int
    number: str
    subsidy_item: str
    payee_kind: str
    claimant: str
    project: str | None
    county: str
    fund_source: str
    amount: Decimal
    status: str
    payee_account_masked: str
    notice_ends_on: dt.date | None
    last_reason: str

    @staticmethod
    def resolve_claimant(obj: Claim) -> str:
        return str(obj.claimant.name)

    @staticmethod
    def resolve_project(obj: Claim) -> str | None:
        return obj.project.code if obj.project is not None else None

    @staticmethod
    def resolve_county(obj: Claim) -> str:
        return obj.county_id

    @staticmethod
    def resolve_fund_source(obj: Claim) -> str:
        return obj.fund_source.code

    @staticmethod
    def resolve_payee_account_masked(obj: Claim) -> str:
        return obj.payee_account.masked_number if obj.payee_account is not None else ""


class RiskOut(Schema):
    kind: str = Field(description="finding or case")
    id: int
    code: str = Field(description="rule code of a finding, number of a case")
    severity: str
    status: str
    title: str
    touches: list[str] = Field(description="institution, class, person, claim")
    url: str
    since: dt.datetime | None


def _risks_for(obj: Claim, context: dict[str, Any]) -> list[Any]:
    if context["request"].user.role not in queries.RISK_READERS:
        return []
    return [r.as_json() for r in queries.claim_risks(obj)]


class ReviewClaimOut(ClaimOut):
    risks_high: int
    risks_medium: int
    risks_low: int

    @staticmethod
    def resolve_risks_high(obj: Claim) -> int:
        return _counts(obj)["high"]

    @staticmethod
    def resolve_risks_medium(obj: Claim) -> int:
        return _counts(obj)["medium"]

    @staticmethod
    def resolve_risks_low(obj: Claim) -> int:
        return _counts(obj)["low"]


def _counts(obj: Claim) -> dict[str, int]:
    cached: dict[str, int] | None = getattr(obj, "_risk_counts", None)
    if cached is None:
        cached = risk.count_by_severity(queries.claim_risks(obj))
        obj._risk_counts = cached  # type: ignore[attr-defined]
    return cached


class ClaimDetailOut(ClaimOut):
    lines: list[LineOut]
    risks: list[RiskOut] = Field(description="open supervision findings and cases touching the claim (officers only)")

    @staticmethod
    def resolve_risks(obj: Claim, context: dict[str, Any]) -> list[Any]:
        return _risks_for(obj, context)

    @staticmethod
    def resolve_lines(obj: Claim, context: dict[str, Any]) -> list[ClaimLine]:
        lines = obj.lines.select_related("person", "training_class", "certificate", "rule_table").order_by("id")
        user = context["request"].user
        if user.role == Role.TRAINEE and obj.person_id != user.person_id:
            lines = lines.filter(person_id=user.person_id)
        return list(lines)


_CLAIM_RELATED = ("organisation", "person", "project", "fund_source", "payee_account")


@router.get("/claims", response=list[ClaimOut])
@paginate(BoundedPageNumberPagination, page_size=50)
def list_claims(request: HttpRequest, status: str = "", item: str = "") -> Any:
    require_api_roles(request, *CLAIM_READERS)
    return queries.claims_for(request.user, status=status, item=item).select_related(*_CLAIM_RELATED)


@router.get("/review-queue", response=list[ReviewClaimOut])
@paginate(BoundedPageNumberPagination, page_size=50)
def review_queue(request: HttpRequest) -> Any:
    require_api_roles(request, *REVIEWERS)
    return queries.review_queue(request.user).select_related(*_CLAIM_RELATED)


@router.get("/claims/{claim_id}", response=ClaimDetailOut)
def get_claim(request: HttpRequest, claim_id: int) -> Any:
    require_api_roles(request, *CLAIM_READERS)
    return get_for_user(Claim.objects.select_related(*_CLAIM_RELATED), request.user, claim_id)


class ClaimIn(Schema):
    """What a claimant may send; any ``amount``, ``status`` or ``budget`` in the body is ignored."""

    project_id: int
    enrollment_ids: list[int] = Field(min_length=1, max_length=2000)
    subsidy_item: str = Field("", max_length=30)
    payee_account_id: int | None = None
    skip_ineligible: bool = False


@router.post("/claims", response={201: ClaimDetailOut})
def create_claim(request: HttpRequest, payload: ClaimIn) -> Any:
    require_api_roles(request, *CLAIM_MAKERS)
    project = queries.claimable_projects(request.user).filter(pk=payload.project_id).first()
    if project is None:
        raise ValidationError({"project_id": _("No completed trainees of yours in this project.")})
    account = None
    if payload.payee_account_id is not None:
        account = PayeeAccount.objects.visible_to(request.user).filter(pk=payload.payee_account_id).first()
        if account is None:
            raise ValidationError({"payee_account_id": _("Choose one of your organisation's bank accounts.")})
    claim = actions.create_claim(by=request.user, project=project, enrollment_ids=payload.enrollment_ids,
                                 subsidy_item=payload.subsidy_item, payee_account=account,
                                 skip_ineligible=payload.skip_ineligible)
    return Status(201, Claim.objects.select_related(*_CLAIM_RELATED).get(pk=claim.pk))


class NoteIn(Schema):
    note: str = Field("", max_length=500)


class ClaimReasonIn(Schema):
    reason: str = Field(max_length=1000)


def _claim_for(request: HttpRequest, claim_id: int) -> Claim:
    return get_for_user(Claim.objects.select_related(*_CLAIM_RELATED), request.user, claim_id)


def _fresh(claim: Claim) -> Claim:
    return Claim.objects.select_related(*_CLAIM_RELATED).get(pk=claim.pk)


@router.post("/claims/{claim_id}/submit", response=ClaimOut)
def submit_claim(request: HttpRequest, claim_id: int) -> Any:
    require_api_roles(request, *CLAIM_MAKERS, Role.TRAINEE)
    return _fresh(actions.submit_claim(_claim_for(request, claim_id), by=request.user))


@router.post("/claims/{claim_id}/approve", response=ClaimOut)
def approve_claim(request: HttpRequest, claim_id: int, payload: NoteIn) -> Any:
    """The next step for the claim's status: county review, city approval (commits the
    budget), or province approval for provincial key projects."""
    require_api_roles(request, *REVIEWERS)
    return _fresh(actions.approve_claim(_claim_for(request, claim_id), by=request.user, note=payload.note))


@router.post("/claims/{claim_id}/return", response=ClaimOut)
def return_claim(request: HttpRequest, claim_id: int, payload: ClaimReasonIn) -> Any:
    require_api_roles(request, *REVIEWERS)
    return _fresh(actions.return_claim(_claim_for(request, claim_id), by=request.user, reason=payload.reason))


@router.post("/claims/{claim_id}/reject", response=ClaimOut)
def reject_claim(request: HttpRequest, claim_id: int, payload: ClaimReasonIn) -> Any:
    require_api_roles(request, *REVIEWERS)
    return _fresh(actions.reject_claim(_claim_for(request, claim_id), by=request.user, reason=payload.reason))


@router.get("/my/subsidies", response=list[LineOut])
def my_subsidies(request: HttpRequest) -> Any:
    require_api_roles(request, Role.TRAINEE)
    return list(queries.my_subsidies(request.user).select_related("person", "rule_table"))
