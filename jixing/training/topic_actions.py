"""揭榜领题 writes (models in topics.py): publish a list, apply, score, award or reject,
report and decide milestones.

Who: the province's HRSS officers publish, award and decide milestones; institution staff
apply and report; the list's panel scores. Each action is atomic, audited, refuses bad input
with a ``ValidationError`` naming the field, and publishes its event after commit.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal, InvalidOperation
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from jixing.accounts.models import Role, User
from jixing.core import audit
from jixing.core.actor import Actor
from jixing.core.events import publish
from jixing.core.models import StatusChange
from jixing.core.workflow import move
from jixing.plan.chain_queries import leader_org_ids
from jixing.plan.chain_rules import topic_bonus
from jixing.registry.models import Organisation, OrganisationKind, RegionLevel

from .access import is_province_officer
from .actions import _next_code, _save_with_code
from .models import TYPES_NEEDING_DEMAND, ProjectStatus, ProjectType, TrainingProject
from .topics import (
    AcceptanceResult,
    ApplicationStatus,
    ExpertReview,
    KeyMilestone,
    MilestoneStatus,
    ReviewScore,
    ScoringCriterion,
    Topic,
    TopicApplication,
    TopicList,
    TopicListStatus,
)

TOPIC_FIELDS = ("title", "action", "fund_source", "occupation", "industry_chain", "project_type",
                "expected_person_times", "outcome_requirements", "budget_cap")
APPLICATION_FIELDS = ("partner", "county", "plan", "planned_person_times", "hours", "requested_budget")


def _require_province(user: Actor) -> None:
    if not is_province_officer(user):
        raise PermissionDenied(_("Only an HRSS officer of the province may do this."))


def _today() -> dt.date:
    return timezone.localdate()


def _lock(obj: Any) -> None:
    list(type(obj).objects.select_for_update().filter(pk=obj.pk).values_list("pk"))
    obj.refresh_from_db()


def _money(value: Any, field: str) -> Decimal:
    try:
        amount = Decimal(str(value)).quantize(Decimal("0.01"))
    except (InvalidOperation, ValueError, TypeError):
        raise ValidationError({field: [_("Enter an amount in yuan.")]}) from None
    if not amount.is_finite() or amount <= 0:
        raise ValidationError({field: [_("Enter an amount above zero.")]})
    return amount


# ---------------------------------------------------------------- lists and topics


def create_topic_list(*, by: User, title: str, deadline: dt.date, description: str = "",
                      criteria: Sequence[tuple[str, int]] = (), panel: Iterable[Any] = ()) -> TopicList:
    _require_province(by)
    title = (title or "").strip()
    if not title:
        raise ValidationError({"title": [_("This field is required.")]})
    if not criteria:
        raise ValidationError({"criteria": [_("Publish at least one scoring criterion.")]})
    seen: set[str] = set()
    for line, (name, max_score) in enumerate(criteria, start=1):
        if not name or name in seen:
            raise ValidationError({"criteria": [_("Criterion %(line)d: give a name used once.") % {"line": line}]})
        if not isinstance(max_score, int) or not 0 < max_score <= 100:
            raise ValidationError({"criteria": [_("Criterion %(line)d: the maximum score must be 1 to 100.") % {"line": line}]})
        seen.add(name)
    with transaction.atomic():
        topic_list = TopicList(title=title, description=description, deadline=deadline, created_by=by,
                               code=_next_code(TopicList, f"JB-{_today().year}-"))
        topic_list.save()
        ScoringCriterion.objects.bulk_create(
            ScoringCriterion(topic_list=topic_list, name=name, max_score=max_score, order=i)
            for i, (name, max_score) in enumerate(criteria))
        topic_list.panel.set(list(panel))
        audit.record("training.topic_list.create", actor=by, obj=topic_list,
                     after={"code": topic_list.code, "deadline": str(deadline), "criteria": [c[0] for c in criteria]})
    return topic_list


def add_topic(topic_list: TopicList, *, by: User, data: Mapping[str, Any]) -> Topic:
    _require_province(by)
    if topic_list.status != TopicListStatus.DRAFT:
        raise ValidationError(_("The list is published; its topics are fixed."), code="locked")
    topic = Topic(topic_list=topic_list, code="")
    for key in TOPIC_FIELDS:
        if key in data:
            setattr(topic, key, data[key])
    if topic.project_type not in ProjectType.values or topic.project_type in TYPES_NEEDING_DEMAND:
        raise ValidationError({"project_type": [_("Choose a project type that does not need a posted job demand.")]})
    topic.budget_cap = _money(topic.budget_cap, "budget_cap")
    if not topic.occupation_id and not (topic.industry_chain or "").strip():
        raise ValidationError({"occupation": [_("Name the occupation or the industry chain.")]})
    topic.full_clean(exclude=["code", "topic_list"], validate_unique=False, validate_constraints=True)
    with transaction.atomic():
        topic.code = _next_code(Topic, f"{topic_list.code}-T")
        topic.save()
        audit.record("training.topic.create", actor=by, obj=topic,
                     after={"code": topic.code, "budget_cap": str(topic.budget_cap)})
    return topic


def publish_topic_list(topic_list: TopicList, *, by: User) -> TopicList:
    _require_province(by)
    with transaction.atomic():
        _lock(topic_list)
        if not topic_list.topics.exists():
            raise ValidationError(_("Add at least one topic before publishing."))
        if not topic_list.panel.exists():
            raise ValidationError(_("Name the expert panel before publishing."))
        if topic_list.deadline < _today():
            raise ValidationError({"deadline": [_("The deadline has passed.")]})
        topic_list.published_at = timezone.now()
        topic_list.save(update_fields=["published_at", "updated_at"])
        move(topic_list, TopicListStatus.PUBLISHED, by=by, event="training.topic_list.publish")
    return topic_list


def close_topic_list(topic_list: TopicList, *, by: Any, reason: str = "") -> TopicList:
    """Close a published list (seed 二(一) 揭榜领题): no more applications; scoring and awards
    go on. The province closes it early with a reason; ``by=None`` is the nightly close of lists
    whose deadline has passed (``close_topic_lists``)."""
    if by is not None:
        _require_province(by)
    with transaction.atomic():
        _lock(topic_list)
        if by is not None and not reason.strip():
            raise ValidationError({"reason": [_("Give the reason for closing the list early.")]})
        if by is None and topic_list.deadline >= _today():
            raise ValidationError(_("The deadline has not passed yet."))
        move(topic_list, TopicListStatus.CLOSED, by=by, reason=reason or _("The application deadline has passed."),
             event="training.topic_list.close")
    return topic_list


def close_lists_past_deadline() -> int:
    """Close every published list whose deadline has passed; returns how many."""
    closed = 0
    for topic_list in TopicList.objects.filter(status=TopicListStatus.PUBLISHED, deadline__lt=_today()):
        close_topic_list(topic_list, by=None)
        closed += 1
    return closed


# ---------------------------------------------------------------- applications


def apply(topic: Topic, *, by: User, data: Mapping[str, Any]) -> TopicApplication:
    """An institution takes up a topic (揭榜) with its plan, alone or with an enterprise."""
    if getattr(by, "role", None) != Role.INSTITUTION or not by.organisation_id:
        raise PermissionDenied(_("Only training institutions and enterprises apply for a topic."))
    topic_list = topic.topic_list
    if topic_list.status != TopicListStatus.PUBLISHED:
        raise ValidationError(_("The list is not open for applications."), code="closed")
    if _today() > topic_list.deadline:
        raise ValidationError(_("The application deadline (%(date)s) has passed.") % {"date": topic_list.deadline},
                              code="deadline")
    applicant = Organisation.objects.get(pk=by.organisation_id)
    application = TopicApplication(topic=topic, applicant=applicant, submitted_by=by, county=applicant.county)
    for key in APPLICATION_FIELDS:
        if key in data and data[key] is not None:
            setattr(application, key, data[key])
    application.requested_budget = _money(application.requested_budget, "requested_budget")
    if application.requested_budget > topic.budget_cap:
        raise ValidationError({"requested_budget": [_("The requested budget is above the topic's cap of %(cap)s yuan.")
                                                    % {"cap": topic.budget_cap}]})
    if application.partner_id:
        if application.partner_id == applicant.pk:
            raise ValidationError({"partner": [_("The partner must be another organisation.")]})
        if application.partner is None or application.partner.kind != OrganisationKind.ENTERPRISE:
            raise ValidationError({"partner": [_("The partner must be an enterprise.")]})
    if application.county_id and application.county.level != RegionLevel.COUNTY:
        raise ValidationError({"county": [_("Choose a county-level region.")]})
    if not (application.plan or "").strip():
        raise ValidationError({"plan": [_("Describe the training plan.")]})
    application.full_clean(exclude=["topic", "applicant", "submitted_by"], validate_unique=False,
                           validate_constraints=True)
    try:
        with transaction.atomic():
            application.save()
            audit.record("training.topic_application.submit", actor=by, obj=application,
                         after={"topic": topic.code, "requested_budget": str(application.requested_budget)})
    except IntegrityError:
        raise ValidationError(_("Your organisation has already applied for this topic."), code="duplicate") from None
    return application


# ---------------------------------------------------------------- expert scoring


def score(application: TopicApplication, *, by: User, scores: Mapping[int, Any] | None = None,
          conflict_of_interest: bool = False, conflict_note: str = "", comment: str = "") -> ExpertReview:
    """One expert's score sheet, locked on submission. A declared conflict records no scores."""
    topic_list = application.topic.topic_list
    if not topic_list.panel.filter(pk=by.pk).exists():
        raise PermissionDenied(_("Only experts of the list's panel score its applications."))
    if by.organisation_id and by.organisation_id in {application.applicant_id, application.partner_id}:
        conflict_of_interest = True
        conflict_note = conflict_note or _("staff of the applicant or its partner")
    conflict_note = (conflict_note or "").strip()
    if conflict_of_interest and not conflict_note:
        raise ValidationError({"conflict_note": [_("Describe the conflict of interest.")]})
    criteria = list(topic_list.criteria.all())
    lines: list[tuple[ScoringCriterion, Decimal]] = []
    if not conflict_of_interest:
        given = {int(k): v for k, v in (scores or {}).items()}
        for criterion in criteria:
            raw = given.pop(criterion.pk, None)
            try:
                value = Decimal(str(raw)).quantize(Decimal("0.1")) if raw not in (None, "") else None
            except (InvalidOperation, ValueError):
                value = None
            if value is None or not value.is_finite():
                raise ValidationError({"scores": [_("Give a score for “%(name)s”.") % {"name": criterion.name}]})
            if not 0 <= value <= criterion.max_score:
                raise ValidationError({"scores": [_("The score for “%(name)s” must be between 0 and %(max)d; %(value)s is outside the sheet's range.")
                                                  % {"name": criterion.name, "max": criterion.max_score, "value": value}]})
            lines.append((criterion, value))
        if given:
            raise ValidationError({"scores": [_("A score was given for a criterion not on this list's sheet.")]})
    with transaction.atomic():
        _lock(application)
        if application.status != ApplicationStatus.SUBMITTED:
            raise ValidationError(_("The application has been decided; scoring is closed."), code="decided")
        if ExpertReview.objects.filter(application=application, expert=by).exists():
            raise ValidationError(_("Your score sheet for this application is locked."), code="locked")
        review = ExpertReview.objects.create(
            application=application, expert=by, conflict_of_interest=conflict_of_interest, conflict_note=conflict_note,
            total=None if conflict_of_interest else sum((v for _c, v in lines), Decimal("0")),
            comment=comment, locked_at=timezone.now())
        ReviewScore.objects.bulk_create(ReviewScore(review=review, criterion=c, score=v) for c, v in lines)
        audit.record("training.topic_application.score", actor=by, obj=application, detail={
            "conflict_of_interest": conflict_of_interest, "total": str(review.total) if review.total is not None else None,
        })
    return review


def average_score(application: TopicApplication) -> Decimal | None:
    totals = [r.total for r in application.reviews.all() if not r.conflict_of_interest and r.total is not None]
    if not totals:
        return None
    return (sum(totals, Decimal("0")) / len(totals)).quantize(Decimal("0.01"))


def chain_leader_bonus(application: TopicApplication) -> Decimal:
    """Points added for a chain-leader applicant or partner (seed 一(七) priority; the figure is a
    dated parameter, plan.chain_rules, an assumption until the province publishes its rules)."""
    leaders = leader_org_ids([pk for pk in (application.applicant_id, application.partner_id) if pk])
    return topic_bonus(applicant_leads=application.applicant_id in leaders,
                       partner_leads=application.partner_id in leaders,
                       day=timezone.localtime(application.created_at).date())


def ranking_score(application: TopicApplication) -> Decimal | None:
    """The experts' average plus the chain-leader points: what the province ranks applications by."""
    average = average_score(application)
    return None if average is None else average + chain_leader_bonus(application)


# ---------------------------------------------------------------- award


def _check_milestones(milestones: Sequence[Mapping[str, Any]], budget: Decimal) -> list[tuple[str, dt.date, Decimal]]:
    if not milestones:
        raise ValidationError({"milestones": [_("Set at least the final acceptance milestone.")]})
    out: list[tuple[str, dt.date, Decimal]] = []
    previous: dt.date | None = None
    for line, m in enumerate(milestones, start=1):
        title = str(m.get("title") or "").strip()
        due = m.get("due_date")
        if not title or not isinstance(due, dt.date):
            raise ValidationError({"milestones": [_("Milestone %(line)d: give a title and a due date.") % {"line": line}]})
        if previous and due < previous:
            raise ValidationError({"milestones": [_("Milestone %(line)d is due before the one above it.") % {"line": line}]})
        previous = due
        out.append((title, due, _money(m.get("amount"), "milestones")))
    total = sum((a for _t, _d, a in out), Decimal("0"))
    if total != budget:
        raise ValidationError({"milestones": [_("The tranches add up to %(total)s yuan, not the awarded %(budget)s yuan.")
                                              % {"total": total, "budget": budget}]})
    return out


def award(application: TopicApplication, *, by: User, awarded_budget: Any, milestones: Sequence[Mapping[str, Any]],
          reason: str = "") -> TopicApplication:
    """Award the topic: the application becomes the provincial key project (approved), with
    its budget split into milestone tranches, the last of which is the final acceptance."""
    _require_province(by)
    budget = _money(awarded_budget, "awarded_budget")
    plan = _check_milestones(milestones, budget)
    with transaction.atomic():
        _lock(application)
        if application.status != ApplicationStatus.SUBMITTED:
            raise ValidationError(_("The application has already been decided."), code="decided")
        if application.reviews.filter(expert=by).exists():
            raise PermissionDenied(_("An expert who scored the application cannot award it."))
        if not application.reviews.filter(conflict_of_interest=False).exists():
            raise ValidationError(_("No expert has scored the application yet."), code="unscored")
        if budget > application.requested_budget:
            raise ValidationError({"awarded_budget": [_("The award is above the requested budget of %(amount)s yuan.")
                                                      % {"amount": application.requested_budget}]})
        topic = application.topic
        if TopicApplication.objects.filter(topic=topic, status=ApplicationStatus.AWARDED).exists():
            raise ValidationError(_("This topic has already been awarded."), code="awarded")
        project = TrainingProject(
            name=topic.title[:150], action=topic.action, project_type=topic.project_type, organiser=application.applicant,
            partner=application.partner, occupation=topic.occupation, county=application.county,
            planned_person_times=application.planned_person_times, hours=application.hours,
            fund_source=topic.fund_source, is_provincial_key=True, description=application.plan,
            status=ProjectStatus.APPROVED, created_by=application.submitted_by, submitted_by=application.submitted_by,
            approved_by=by, approved_at=timezone.now(),
        )
        _save_with_code(project, f"XM-{application.county_id}-{_today().year}-")
        application.project = project
        application.awarded_budget = budget
        application.decided_by = by
        application.decided_at = timezone.now()
        application.decision_reason = (reason or "").strip()
        # Status, budget and project in one write: the table's constraints hold them together.
        application.status = ApplicationStatus.AWARDED
        application.save(update_fields=["status", "project", "awarded_budget", "decided_by", "decided_at",
                                        "decision_reason", "updated_at"])
        StatusChange.objects.create(
            content_type=ContentType.objects.get_for_model(application), object_id=str(application.pk),
            from_status=ApplicationStatus.SUBMITTED, to_status=ApplicationStatus.AWARDED, by=by,
            reason=application.decision_reason)
        audit.record("training.topic_application.award", actor=by, obj=application,
                     before={"status": ApplicationStatus.SUBMITTED.value},
                     after={"status": ApplicationStatus.AWARDED.value, "awarded_budget": str(budget), "project": project.code})
        KeyMilestone.objects.bulk_create(
            KeyMilestone(application=application, sequence=i, title=title, due_date=due, amount=amount,
                         is_final=i == len(plan))
            for i, (title, due, amount) in enumerate(plan, start=1))
        audit.record("training.project.award", actor=by, obj=project, after={
            "code": project.code, "is_provincial_key": True, "application": application.pk, "budget": str(budget)})
        publish("training.topic_application.awarded", obj=application, actor=by, topic=topic.code,
                amount=str(budget), project=project.code)
    return application


def reject(application: TopicApplication, *, by: User, reason: str) -> TopicApplication:
    _require_province(by)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": [_("Give the reason for your decision.")]})
    with transaction.atomic():
        _lock(application)
        if application.status != ApplicationStatus.SUBMITTED:
            raise ValidationError(_("The application has already been decided."), code="decided")
        application.decided_by = by
        application.decided_at = timezone.now()
        application.decision_reason = reason
        application.save(update_fields=["decided_by", "decided_at", "decision_reason", "updated_at"])
        move(application, ApplicationStatus.REJECTED, by=by, reason=reason, event="training.topic_application.reject")
        publish("training.topic_application.rejected", obj=application, actor=by, topic=application.topic.code,
                reason=reason)
    return application


# ---------------------------------------------------------------- milestones


def report_milestone(milestone: KeyMilestone, *, by: User, report: str) -> KeyMilestone:
    application = milestone.application
    if getattr(by, "role", None) != Role.INSTITUTION or by.organisation_id != application.applicant_id:
        raise PermissionDenied(_("Only staff of the awarded institution report its milestones."))
    report = (report or "").strip()
    if not report:
        raise ValidationError({"report": [_("Write the milestone report.")]})
    with transaction.atomic():
        _lock(milestone)
        open_before = application.milestones.filter(sequence__lt=milestone.sequence).exclude(
            status__in=[MilestoneStatus.ACCEPTED, MilestoneStatus.FAILED])
        if open_before.exists():
            raise ValidationError(_("Earlier milestones must be decided first."), code="order")
        milestone.report = report
        milestone.reported_at = timezone.now()
        milestone.reported_by = by
        milestone.save(update_fields=["report", "reported_at", "reported_by", "updated_at"])
        move(milestone, MilestoneStatus.REPORTED, by=by, event="training.key_milestone.report")
        publish("training.key_milestone.reported", obj=milestone, actor=by, number=milestone.number)
    return milestone


def decide_milestone(milestone: KeyMilestone, *, by: User, accepted: bool, payable_amount: Any = None,
                     note: str = "", send_back: bool = False) -> KeyMilestone:
    """Accept (paying up to the tranche), fail (paying what the note justifies, possibly 0) or
    send back a report. Deciding the final milestone records the project's final acceptance
    and so the last payment; funds pays on ``training.key_milestone.accepted``."""
    _require_province(by)
    note = (note or "").strip()
    with transaction.atomic():
        _lock(milestone)
        if milestone.reported_by_id == by.pk:
            raise PermissionDenied(_("You cannot decide on a report you made."))
        if send_back:
            if not note:
                raise ValidationError({"note": [_("Give the reason for your decision.")]})
            move(milestone, MilestoneStatus.PENDING, by=by, reason=note, event="training.key_milestone.send_back")
            return milestone
        if accepted:
            amount = milestone.amount if payable_amount in (None, "") else _money(payable_amount, "payable_amount")
        else:
            if not note:
                raise ValidationError({"note": [_("Give the reason for your decision.")]})
            amount = Decimal("0") if payable_amount in (None, "") else Decimal(str(payable_amount)).quantize(Decimal("0.01"))
        if amount < 0 or amount > milestone.amount:
            raise ValidationError({"payable_amount": [_("The payable amount must be between 0 and the tranche of %(amount)s yuan.")
                                                      % {"amount": milestone.amount}]})
        milestone.payable_amount = amount
        milestone.decided_by = by
        milestone.decided_at = timezone.now()
        milestone.decision_note = note
        milestone.save(update_fields=["payable_amount", "decided_by", "decided_at", "decision_note", "updated_at"])
        to = MilestoneStatus.ACCEPTED if accepted else MilestoneStatus.FAILED
        move(milestone, to, by=by, reason=note, event=f"training.key_milestone.{to}")
        if milestone.is_final:
            application = milestone.application
            application.acceptance_result = AcceptanceResult.PASSED if accepted else AcceptanceResult.FAILED
            application.save(update_fields=["acceptance_result", "updated_at"])
            audit.record("training.topic_application.final_acceptance", actor=by, obj=application,
                         after={"result": application.acceptance_result, "last_payment": str(amount)})
        publish(f"training.key_milestone.{to}", obj=milestone, actor=by, number=milestone.number, amount=str(amount),
                final=milestone.is_final, reason=note)
    return milestone


def decided_payable(application: TopicApplication) -> Decimal:
    return application.milestones.aggregate(total=Sum("payable_amount"))["total"] or Decimal("0")
