"""Supervision API: findings (list, detail), cases (create, detail, transition) and the
institution's explanation. Every endpoint checks roles and reads through ``visible_to``;
missing and forbidden both answer 404."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from django.core.exceptions import ValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from ninja import Field, File, Form, Router, Schema, Status
from ninja.files import UploadedFile
from ninja.pagination import paginate

from jixing.accounts.models import Role, User
from jixing.core.access import get_for_user
from jixing.core.pagination import BoundedPageNumberPagination
from jixing.core.permissions import AuthedRequest, require_api_roles
from jixing.registry.models import Person

from . import actions, queries, rules
from .models import Case, Finding
from .roles import EVERY_VIEWER as READERS

router = Router(tags=["supervision"])


class FindingOut(Schema):
    id: int
    rule: str = Field(alias="code", description="Rule code, R01 … R11.")
    rule_title: str
    subject_type: str = Field(description="app_label.model of the subject.")
    subject_id: str
    subject_label: str
    organisation_id: int | None
    county: str | None = Field(alias="county_id", description="GB/T 2260 county code.")
    severity: str
    status: str
    case_id: int | None
    explanation: str = Field(description="The rule's explanation of this finding, in the request's language.")
    created_at: dt.datetime
    last_seen_at: dt.datetime

    @staticmethod
    def resolve_rule_title(obj: Finding) -> str:
        rule = obj.rule
        return str(rule.title) if rule else obj.code

    @staticmethod
    def resolve_subject_type(obj: Finding) -> str:
        return f"{obj.subject_type.app_label}.{obj.subject_type.model}"


class FindingDetailOut(FindingOut):
    evidence: dict[str, Any] = Field(description="The records the finding rests on: ids, times, devices, distances.")


class CaseOut(Schema):
    id: int
    number: str
    title: str
    organisation_id: int
    county: str = Field(alias="county_id")
    status: str
    assigned_to: str | None
    explanation_due: dt.date | None
    decision_reasons: str
    finding_ids: list[int]
    measures: list[dict[str, Any]]

    @staticmethod
    def resolve_assigned_to(obj: Case) -> str | None:
        return obj.assigned_to.username if obj.assigned_to is not None else None

    @staticmethod
    def resolve_finding_ids(obj: Case) -> list[int]:
        return list(obj.findings.order_by("id").values_list("id", flat=True))

    @staticmethod
    def resolve_measures(obj: Case) -> list[dict[str, Any]]:
        return [{"id": m.pk, "kind": m.kind, "reference": m.reference, "amount": str(m.amount) if m.amount else None,
                 "until": m.until.isoformat() if m.until else None,
                 **({"restriction_id": m.restriction_id, "restriction_kind": m.restriction.kind,
                     "lifted_at": m.restriction.lifted_at.isoformat() if m.restriction.lifted_at else None}
                    if m.restriction is not None else {})}
                for m in obj.measures.select_related("restriction")]


class CaseIn(Schema):
    finding_ids: list[int] = Field(min_length=1)
    title: str = Field("", max_length=200)


class TransitionIn(Schema):
    action: Literal["assign", "request_explanation", "resume", "decide", "close", "overturn"]
    officer: str | None = Field(None, description="assign: the officer's username.")
    questions: str = Field("", description="request_explanation: what the institution should explain.")
    due: dt.date | None = Field(None, description="request_explanation: the deadline.")
    violation: bool | None = Field(None, description="decide: true for a violation, false to clear.")
    reasons: str = Field("", description="decide, resume, close, overturn: the reasons (required).")


class ExplanationOut(Schema):
    id: int
    case_id: int | None
    finding_id: int | None
    text: str
    attachment_name: str
    attachment_sha256: str
    submitted_at: dt.datetime


@router.get("/findings", response=list[FindingOut])
@paginate(BoundedPageNumberPagination, page_size=50)
def list_findings(request: AuthedRequest, rule: str | None = None, status: str | None = None,
                  organisation: int | None = None, region: str | None = None) -> Any:
    """Findings in the caller's scope; ``status=unresolved`` for open, explained and in-case ones."""
    require_api_roles(request, *READERS)
    code = rule if rule in rules.by_code() else ""
    return queries.findings_for(request.user, code=code, status=status or "", organisation=organisation,
                                county=(region or "")[:6]).select_related("subject_type")


@router.get("/findings/{finding_id}", response=FindingDetailOut)
def get_finding(request: AuthedRequest, finding_id: int) -> Any:
    require_api_roles(request, *READERS)
    return get_for_user(Finding.objects.select_related("subject_type"), request.user, finding_id)


@router.post("/findings/{finding_id}/explanation", response={201: ExplanationOut})
def explain_finding(request: AuthedRequest, finding_id: int, text: Form[str],
                    attachment: File[UploadedFile] | None = None) -> Any:
    """The institution explains one of its findings (multipart; optional PDF/PNG/JPEG ≤ 10 MB)."""
    require_api_roles(request, Role.INSTITUTION, Role.EVALUATOR)
    finding = get_for_user(Finding.objects.all(), request.user, finding_id)
    return Status(201, actions.submit_explanation(by=request.user, finding=finding, text=text, attachment=attachment))


@router.post("/cases", response={201: CaseOut})
def create_case(request: AuthedRequest, payload: CaseIn) -> Any:
    require_api_roles(request, Role.HRSS_OFFICER)
    findings = list(Finding.objects.visible_to(request.user).filter(pk__in=payload.finding_ids))
    if len(findings) != len(set(payload.finding_ids)):
        raise ValidationError({"finding_ids": _("Some findings do not exist or are outside your region.")})
    return Status(201, actions.open_case(findings, by=request.user, title=payload.title))


@router.get("/cases/{case_id}", response=CaseOut)
def get_case(request: AuthedRequest, case_id: int) -> Any:
    require_api_roles(request, *READERS)
    return get_for_user(Case.objects.select_related("assigned_to"), request.user, case_id)


@router.post("/cases/{case_id}/transition", response=CaseOut)
def transition_case(request: AuthedRequest, case_id: int, payload: TransitionIn) -> Any:
    """Move a case along its lifecycle (open → investigating → awaiting explanation → explained →
    cleared / violation → closed). A decision without reasons is refused (422)."""
    require_api_roles(request, Role.HRSS_OFFICER)
    case = get_for_user(Case.objects.all(), request.user, case_id)
    if payload.action == "assign":
        officer = User.objects.filter(username=payload.officer or "", role=Role.HRSS_OFFICER).first()
        if officer is None:
            raise ValidationError({"officer": _("Assign the case to an HRSS officer responsible for its region.")})
        case = actions.assign_case(case, by=request.user, officer=officer)
    elif payload.action == "request_explanation":
        if payload.due is None:
            raise ValidationError({"due": _("Give the deadline for the explanation.")})
        case = actions.request_explanation(case, by=request.user, questions=payload.questions, due=payload.due)
    elif payload.action == "resume":
        case = actions.resume_investigation(case, by=request.user, reason=payload.reasons)
    elif payload.action == "decide":
        if payload.violation is None:
            raise ValidationError({"violation": _("Say whether a violation was found.")})
        case = actions.decide_case(case, by=request.user, violation=payload.violation, reasons=payload.reasons)
    elif payload.action == "overturn":
        case = actions.overturn_decision(case, by=request.user, reason=payload.reasons)
    else:
        case = actions.close_case(case, by=request.user, reason=payload.reasons)
    return Case.objects.select_related("assigned_to").get(pk=case.pk)


@router.post("/cases/{case_id}/explanation", response={201: ExplanationOut})
def explain_case(request: AuthedRequest, case_id: int, text: Form[str],
                 attachment: File[UploadedFile] | None = None) -> Any:
    """The institution answers a case awaiting its explanation (multipart; optional attachment)."""
    require_api_roles(request, Role.INSTITUTION, Role.EVALUATOR)
    case = get_for_user(Case.objects.all(), request.user, case_id)
    return Status(201, actions.submit_explanation(by=request.user, case=case, text=text, attachment=attachment))


class PersonRestrictionIn(Schema):
    person_id: int = Field(description="The person found in the violation (registry person id).")
    blacklist: bool = Field(False, description="true: blacklist; false: no subsidies under this case decision.")
    until: dt.date | None = Field(None, description="Last day; none: no end date.")
    reason: str = Field(max_length=500)


class MeasureLiftIn(Schema):
    reason: str = Field(max_length=500)


@router.post("/cases/{case_id}/person-restrictions", response={201: CaseOut})
def restrict_person(request: AuthedRequest, case_id: int, payload: PersonRestrictionIn) -> Any:
    """On a violation, bar a person from subsidies; written to the registry's person restrictions
    with the case number as its document, and refused on the person's claims while in force."""
    require_api_roles(request, Role.HRSS_OFFICER)
    case = get_for_user(Case.objects.all(), request.user, case_id)
    person = get_for_user(Person.objects.all(), request.user, payload.person_id)
    actions.restrict_person(case, by=request.user, person=person, blacklist=payload.blacklist, until=payload.until,
                            reason=payload.reason)
    return Status(201, Case.objects.select_related("assigned_to").get(pk=case.pk))


@router.post("/cases/{case_id}/measures/{measure_id}/lift", response=CaseOut)
def lift_measure(request: AuthedRequest, case_id: int, measure_id: int, payload: MeasureLiftIn) -> Any:
    """Lift a case's restriction of a person (422 for another kind of measure or one already lifted)."""
    require_api_roles(request, Role.HRSS_OFFICER)
    case = get_for_user(Case.objects.all(), request.user, case_id)
    measure = case.measures.filter(pk=measure_id).first()
    if measure is None:
        raise Http404
    actions.lift_person_restriction(measure, by=request.user, reason=payload.reason)
    return Case.objects.select_related("assigned_to").get(pk=case.pk)
