"""揭榜领题 API under /api/v1/training/topics/: lists (榜单) with topics and scoring sheets,
applications, expert score sheets, award or rejection, milestone reports and decisions.

Same rules as the rest of the training API: roles with ``require_api_roles``, reads through
``visible_to`` (404 out of scope), writes through ``topic_actions`` (403/422)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated, Any

from django.utils.translation import gettext as _
from ninja import Field, Path, Router, Schema, Status

from jixing.accounts.models import Role, User
from jixing.core.access import get_for_user
from jixing.core.actor import Actor
from jixing.core.permissions import AuthedRequest, require_api_roles
from jixing.plan.models import Action, FundSource
from jixing.registry.models import Occupation, Organisation, Region

from . import topic_actions
from .roles import READERS
from .topics import KeyMilestone, Topic, TopicApplication, TopicList

router = Router(tags=["training: 揭榜领题"])

Id = Annotated[int, Path(ge=1, le=2**63 - 1)]


class TopicMessage(Schema):
    detail: Any


class TopicCriterionOut(Schema):
    id: int
    name: str
    max_score: int


class KeyTopicOut(Schema):
    id: int
    code: str
    title: str
    occupation_id: int | None
    industry_chain: str
    expected_person_times: int
    outcome_requirements: str
    budget_cap: Decimal


class KeyTopicListOut(Schema):
    id: int
    code: str
    title: str
    deadline: dt.date
    status: str
    criteria: list[TopicCriterionOut]
    topics: list[KeyTopicOut]

    @staticmethod
    def resolve_criteria(obj: TopicList) -> list[Any]:
        return list(obj.criteria.all())

    @staticmethod
    def resolve_topics(obj: TopicList) -> list[Any]:
        return list(obj.topics.all())


class TopicCriterionIn(Schema):
    name: str = Field(max_length=100)
    max_score: int = Field(ge=1, le=100)


class KeyTopicListIn(Schema):
    title: str = Field(max_length=150)
    deadline: dt.date
    description: str = ""
    criteria: list[TopicCriterionIn]
    panel: list[str] = Field(description="User names of the expert panel.")


class KeyTopicIn(Schema):
    title: str = Field(max_length=150)
    action: int = Field(ge=1, le=10)
    fund_source: str
    occupation_id: int | None = None
    industry_chain: str = Field("", max_length=100)
    expected_person_times: int = Field(gt=0)
    outcome_requirements: str
    budget_cap: Decimal = Field(gt=0, max_digits=12, decimal_places=2)


class TopicApplicationIn(Schema):
    plan: str
    partner_id: int | None = None
    county: str | None = Field(None, min_length=6, max_length=6)
    planned_person_times: int = Field(gt=0)
    hours: int = Field(gt=0)
    requested_budget: Decimal = Field(gt=0, max_digits=12, decimal_places=2)


class TopicMilestoneOut(Schema):
    id: int
    sequence: int
    title: str
    due_date: dt.date
    amount: Decimal
    is_final: bool
    status: str
    payable_amount: Decimal | None


class TopicApplicationOut(Schema):
    id: int
    topic: str = Field(alias="topic.code")
    applicant_id: int
    partner_id: int | None
    planned_person_times: int
    requested_budget: Decimal
    status: str
    awarded_budget: Decimal | None
    project_id: int | None
    acceptance_result: str
    milestones: list[TopicMilestoneOut]

    @staticmethod
    def resolve_milestones(obj: TopicApplication) -> list[Any]:
        return list(obj.milestones.all())


class TopicScoreSheetIn(Schema):
    scores: dict[int, Decimal] = Field(default_factory=dict, description="criterion id → score")
    conflict_of_interest: bool = False
    conflict_note: str = Field("", max_length=300)
    comment: str = ""


class TopicScoreSheetOut(Schema):
    id: int
    conflict_of_interest: bool
    total: Decimal | None
    locked_at: dt.datetime


class TopicMilestoneIn(Schema):
    title: str = Field(max_length=150)
    due_date: dt.date
    amount: Decimal = Field(gt=0, max_digits=12, decimal_places=2)


class TopicAwardIn(Schema):
    awarded_budget: Decimal = Field(gt=0, max_digits=12, decimal_places=2)
    milestones: list[TopicMilestoneIn]
    reason: str = ""


class TopicReasonIn(Schema):
    reason: str = Field("", max_length=2000)


class TopicReportIn(Schema):
    report: str


class TopicDecideIn(Schema):
    accepted: bool
    payable_amount: Decimal | None = Field(None, ge=0, max_digits=12, decimal_places=2)
    note: str = ""


def _lookup(model: Any, field: str, value: Any, name: str) -> Any:
    from django.core.exceptions import ValidationError

    obj = model.objects.filter(**{field: value}).first() if value is not None else None
    if obj is None:
        raise ValidationError({name: [_("Unknown value “%(value)s”.") % {"value": str(value)[:40]}]})
    return obj


def _applications(user: Actor) -> Any:
    return TopicApplication.objects.visible_to(user).select_related("topic").prefetch_related("milestones")


@router.get("/lists", response=list[KeyTopicListOut])
def list_topic_lists(request: AuthedRequest) -> Any:
    require_api_roles(request, *READERS)
    return TopicList.objects.visible_to(request.user).prefetch_related("criteria", "topics")[:200]


@router.post("/lists", response={201: KeyTopicListOut, 403: TopicMessage, 422: TopicMessage})
def create_topic_list(request: AuthedRequest, body: KeyTopicListIn) -> Any:
    require_api_roles(request, Role.HRSS_OFFICER)
    panel = list(User.objects.filter(username__in=body.panel, is_active=True))
    if len(panel) != len(set(body.panel)):
        from django.core.exceptions import ValidationError

        raise ValidationError({"panel": [_("Unknown user in the panel.")]})
    board = topic_actions.create_topic_list(by=request.user, title=body.title, deadline=body.deadline,
                                            description=body.description,
                                            criteria=[(c.name, c.max_score) for c in body.criteria], panel=panel)
    return Status(201, board)


@router.get("/lists/{list_id}", response=KeyTopicListOut)
def get_topic_list(request: AuthedRequest, list_id: Id) -> Any:
    require_api_roles(request, *READERS)
    return get_for_user(TopicList.objects.all(), request.user, list_id)


@router.post("/lists/{list_id}/topics", response={201: KeyTopicOut, 403: TopicMessage, 422: TopicMessage})
def add_topic(request: AuthedRequest, list_id: Id, body: KeyTopicIn) -> Any:
    require_api_roles(request, Role.HRSS_OFFICER)
    board = get_for_user(TopicList.objects.all(), request.user, list_id)
    data = body.dict(exclude={"action", "fund_source", "occupation_id"})
    data["action"] = _lookup(Action, "number", body.action, "action")
    data["fund_source"] = _lookup(FundSource, "code", body.fund_source, "fund_source")
    data["occupation"] = _lookup(Occupation, "pk", body.occupation_id, "occupation_id") if body.occupation_id else None
    return Status(201, topic_actions.add_topic(board, by=request.user, data=data))


@router.post("/lists/{list_id}/publish", response={200: KeyTopicListOut, 403: TopicMessage, 409: TopicMessage, 422: TopicMessage})
def publish_topic_list(request: AuthedRequest, list_id: Id) -> Any:
    require_api_roles(request, Role.HRSS_OFFICER)
    board = get_for_user(TopicList.objects.all(), request.user, list_id)
    return topic_actions.publish_topic_list(board, by=request.user)


class CloseIn(Schema):
    reason: str = Field(max_length=300)


@router.post("/lists/{list_id}/close", response={200: KeyTopicListOut, 403: TopicMessage, 409: TopicMessage, 422: TopicMessage})
def close_topic_list(request: AuthedRequest, list_id: Id, body: CloseIn) -> Any:
    """Close a published list for applications early (the province, with a reason)."""
    require_api_roles(request, Role.HRSS_OFFICER)
    board = get_for_user(TopicList.objects.all(), request.user, list_id)
    return topic_actions.close_topic_list(board, by=request.user, reason=body.reason)


@router.post("/{topic_id}/applications", response={201: TopicApplicationOut, 403: TopicMessage, 404: TopicMessage, 422: TopicMessage},
             summary="Apply for a topic (揭榜) with a plan")
def apply(request: AuthedRequest, topic_id: Id, body: TopicApplicationIn) -> Any:
    require_api_roles(request, Role.INSTITUTION)
    topic = Topic.objects.filter(pk=topic_id, topic_list__in=TopicList.objects.visible_to(request.user)).first()
    if topic is None:
        return Status(404, {"detail": _("Not found.")})
    data = body.dict(exclude={"partner_id", "county"})
    if body.partner_id is not None:
        data["partner"] = _lookup(Organisation, "pk", body.partner_id, "partner_id")
    if body.county:
        data["county"] = _lookup(Region, "code", body.county, "county")
    application = topic_actions.apply(topic, by=request.user, data=data)
    return Status(201, _applications(request.user).get(pk=application.pk))


@router.get("/applications", response=list[TopicApplicationOut])
def list_applications(request: AuthedRequest, status: str | None = None) -> Any:
    require_api_roles(request, *READERS)
    qs = _applications(request.user)
    return qs.filter(status=status)[:500] if status else qs[:500]


@router.get("/applications/{application_id}", response=TopicApplicationOut)
def get_application(request: AuthedRequest, application_id: Id) -> Any:
    require_api_roles(request, *READERS)
    return get_for_user(_applications(request.user), request.user, application_id)


@router.post("/applications/{application_id}/scores", response={201: TopicScoreSheetOut, 403: TopicMessage, 422: TopicMessage},
             summary="Submit (and lock) the caller's score sheet, or declare a conflict of interest")
def score(request: AuthedRequest, application_id: Id, body: TopicScoreSheetIn) -> Any:
    require_api_roles(request, Role.HRSS_OFFICER, Role.SECTOR_OFFICER, Role.FINANCE_OFFICER, Role.INSTITUTION)
    application = get_for_user(TopicApplication.objects.all(), request.user, application_id)
    review = topic_actions.score(application, by=request.user, scores=body.scores,
                                 conflict_of_interest=body.conflict_of_interest, conflict_note=body.conflict_note,
                                 comment=body.comment)
    return Status(201, review)


@router.post("/applications/{application_id}/award", response={200: TopicApplicationOut, 403: TopicMessage, 422: TopicMessage})
def award(request: AuthedRequest, application_id: Id, body: TopicAwardIn) -> Any:
    require_api_roles(request, Role.HRSS_OFFICER)
    application = get_for_user(TopicApplication.objects.all(), request.user, application_id)
    topic_actions.award(application, by=request.user, awarded_budget=body.awarded_budget,
                        milestones=[m.dict() for m in body.milestones], reason=body.reason)
    return _applications(request.user).get(pk=application.pk)


@router.post("/applications/{application_id}/reject", response={200: TopicApplicationOut, 403: TopicMessage, 422: TopicMessage})
def reject(request: AuthedRequest, application_id: Id, body: TopicReasonIn) -> Any:
    require_api_roles(request, Role.HRSS_OFFICER)
    application = get_for_user(TopicApplication.objects.all(), request.user, application_id)
    topic_actions.reject(application, by=request.user, reason=body.reason)
    return _applications(request.user).get(pk=application.pk)


@router.post("/milestones/{milestone_id}/report", response={200: TopicMilestoneOut, 403: TopicMessage, 409: TopicMessage, 422: TopicMessage})
def report_milestone(request: AuthedRequest, milestone_id: Id, body: TopicReportIn) -> Any:
    require_api_roles(request, Role.INSTITUTION)
    milestone = get_for_user(KeyMilestone.objects.all(), request.user, milestone_id)
    return topic_actions.report_milestone(milestone, by=request.user, report=body.report)


@router.post("/milestones/{milestone_id}/decide", response={200: TopicMilestoneOut, 403: TopicMessage, 409: TopicMessage, 422: TopicMessage},
             summary="Accept or fail a reported milestone; the final one records the final acceptance")
def decide_milestone(request: AuthedRequest, milestone_id: Id, body: TopicDecideIn) -> Any:
    require_api_roles(request, Role.HRSS_OFFICER)
    milestone = get_for_user(KeyMilestone.objects.all(), request.user, milestone_id)
    return topic_actions.decide_milestone(milestone, by=request.user, accepted=body.accepted,
                                          payable_amount=body.payable_amount, note=body.note)
