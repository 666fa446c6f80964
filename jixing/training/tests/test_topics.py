"""揭榜领题: publish, apply (deadline, cap), expert scoring (range, conflicts, locking), award
(creates the provincial key project with milestones), rejection, milestone reports and the
final acceptance deciding the last payment; only an award makes a project provincial-key."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from jixing.accounts.models import Role
from jixing.core.models import AuditEvent
from jixing.core.testing import make_organisation, make_user
from jixing.plan.models import Action, FundSource
from jixing.registry.models import OrganisationKind
from jixing.training import actions, topic_actions
from jixing.training.models import ProjectStatus, TrainingProject
from jixing.training.topics import (
    AcceptanceResult,
    ApplicationStatus,
    KeyMilestone,
    MilestoneStatus,
    TopicApplication,
    TopicListStatus,
)

from .factories import occupation, project_data

pytestmark = pytest.mark.django_db


@pytest.fixture
def expert(personas):
    return make_user("expert1", Role.HRSS_OFFICER, region_id="370100")


@pytest.fixture
def expert2(personas):
    return make_user("expert2", Role.HRSS_OFFICER, region_id="370200")


@pytest.fixture
def board(personas, expert, expert2):
    today = timezone.localdate()
    topic_list = topic_actions.create_topic_list(
        by=personas.alice, title="2026年揭榜领题", deadline=today + dt.timedelta(days=10),
        criteria=[("方案质量", 40), ("师资与场地", 30), ("就业成效", 30)], panel=[expert, expert2])
    topic = topic_actions.add_topic(topic_list, by=personas.alice, data={
        "title": "工业机器人运维人才培训", "action": Action.objects.get(number=2),
        "fund_source": FundSource.objects.get(code="employment_subsidy"), "occupation": occupation(),
        "industry_chain": "智能制造", "expected_person_times": 200, "outcome_requirements": "取证率不低于80%",
        "budget_cap": Decimal("500000")})
    topic_actions.publish_topic_list(topic_list, by=personas.alice)
    return topic_list, topic


def _apply(personas, topic, **extra):
    data = {"plan": "分四期培训，每期50人", "planned_person_times": 200, "hours": 120,
            "requested_budget": Decimal("450000"), **extra}
    return topic_actions.apply(topic, by=personas.ivan, data=data)


def _score(application, expert, values=(35, 25, 28)):
    criteria = list(application.topic.topic_list.criteria.all())
    return topic_actions.score(application, by=expert, scores={c.pk: v for c, v in zip(criteria, values, strict=True)})


MILESTONES = [
    {"title": "中期报告", "due_date": dt.date(2026, 9, 30), "amount": Decimal("200000")},
    {"title": "终期验收", "due_date": dt.date(2026, 12, 31), "amount": Decimal("200000")},
]


def test_publish_needs_topics_and_panel(personas, expert):
    empty = topic_actions.create_topic_list(by=personas.alice, title="空榜", deadline=dt.date(2099, 1, 1),
                                            criteria=[("方案", 100)], panel=[expert])
    with pytest.raises(ValidationError):
        topic_actions.publish_topic_list(empty, by=personas.alice)
    with pytest.raises(PermissionDenied):
        topic_actions.create_topic_list(by=personas.bob, title="市级", deadline=dt.date(2099, 1, 1), criteria=[("a", 1)])


def test_apply_refuses_after_deadline_and_above_cap(personas, board):
    topic_list, topic = board
    with pytest.raises(ValidationError) as exc:
        _apply(personas, topic, requested_budget=Decimal("600000"))
    assert "requested_budget" in exc.value.message_dict
    topic_list.deadline = timezone.localdate() - dt.timedelta(days=1)
    topic_list.save()
    with pytest.raises(ValidationError) as exc:
        _apply(personas, topic)
    assert exc.value.code == "deadline"
    assert not TopicApplication.objects.exists()


def test_apply_once_and_partner_must_be_enterprise(personas, board):
    _topic_list, topic = board
    school = make_organisation("某技工学校", "370102", OrganisationKind.TECHNICAL_SCHOOL)
    with pytest.raises(ValidationError) as exc:
        _apply(personas, topic, partner=school)
    assert "partner" in exc.value.message_dict
    firm = make_organisation("某机器人公司", "370102", OrganisationKind.ENTERPRISE)
    application = _apply(personas, topic, partner=firm)
    assert application.status == ApplicationStatus.SUBMITTED
    with pytest.raises(ValidationError):
        _apply(personas, topic)


def test_scores_in_range_locked_and_panel_only(personas, board, expert, expert2):
    _topic_list, topic = board
    application = _apply(personas, topic)
    with pytest.raises(ValidationError) as exc:
        _score(application, expert, values=(45, 25, 28))  # 45 > 40
    assert "range" in str(exc.value) or "40" in str(exc.value)
    with pytest.raises(PermissionDenied):
        _score(application, personas.bob)
    review = _score(application, expert)
    assert review.total == Decimal("88.0") and review.locked_at
    with pytest.raises(ValidationError) as exc:
        _score(application, expert, values=(40, 30, 30))
    assert exc.value.code == "locked"
    conflicted = topic_actions.score(application, by=expert2, conflict_of_interest=True, conflict_note="曾在该校任教")
    assert conflicted.total is None and not conflicted.scores.exists()
    expert3 = make_user("expert3", Role.HRSS_OFFICER, region_id="370100")
    application.topic.topic_list.panel.add(expert3)
    with pytest.raises(ValidationError) as exc:  # every criterion needs a score
        topic_actions.score(application, by=expert3, scores={})
    assert "scores" in exc.value.message_dict


def test_award_creates_provincial_key_project_with_milestones(personas, board, expert):
    _topic_list, topic = board
    application = _apply(personas, topic)
    with pytest.raises(ValidationError) as exc:  # nobody scored yet
        topic_actions.award(application, by=personas.alice, awarded_budget="400000", milestones=MILESTONES)
    assert exc.value.code == "unscored"
    _score(application, expert)
    with pytest.raises(ValidationError) as exc:  # tranches must add up
        topic_actions.award(application, by=personas.alice, awarded_budget="300000", milestones=MILESTONES)
    with pytest.raises(PermissionDenied):
        topic_actions.award(application, by=personas.bob, awarded_budget="400000", milestones=MILESTONES)
    topic_actions.award(application, by=personas.alice, awarded_budget="400000", milestones=MILESTONES, reason="综合得分第一")
    application.refresh_from_db()
    project = application.project
    assert application.status == ApplicationStatus.AWARDED and application.awarded_budget == Decimal("400000")
    assert project.is_provincial_key and project.status == ProjectStatus.APPROVED and project.organiser == personas.institution
    assert list(application.milestones.values_list("sequence", "is_final")) == [(1, False), (2, True)]
    assert AuditEvent.objects.filter(event="training.project.award", object_id=str(project.pk)).exists()
    with pytest.raises(ValidationError):
        topic_actions.award(application, by=personas.alice, awarded_budget="400000", milestones=MILESTONES)


def test_reject_needs_reason_and_notifies(personas, board, django_capture_on_commit_callbacks):
    from jixing.notify.models import Notification

    _topic_list, topic = board
    application = _apply(personas, topic)
    with pytest.raises(ValidationError):
        topic_actions.reject(application, by=personas.alice, reason=" ")
    with django_capture_on_commit_callbacks(execute=True):
        topic_actions.reject(application, by=personas.alice, reason="方案针对性不强")
    application.refresh_from_db()
    assert application.status == ApplicationStatus.REJECTED and application.project is None
    assert Notification.objects.filter(user=personas.ivan, event="training.topic_application.rejected").exists()


def test_milestones_decide_the_last_payment(personas, board, expert):
    _topic_list, topic = board
    application = _apply(personas, topic)
    _score(application, expert)
    topic_actions.award(application, by=personas.alice, awarded_budget="400000", milestones=MILESTONES)
    first, final = application.milestones.order_by("sequence")
    with pytest.raises(ValidationError):  # the final report waits for the first decision
        topic_actions.report_milestone(final, by=personas.ivan, report="终期")
    topic_actions.report_milestone(first, by=personas.ivan, report="已完成两期，100人")
    with pytest.raises(ValidationError):
        topic_actions.decide_milestone(first, by=personas.alice, accepted=True, payable_amount="250000")
    topic_actions.decide_milestone(first, by=personas.alice, accepted=True)
    first.refresh_from_db()
    assert first.status == MilestoneStatus.ACCEPTED and first.payable_amount == Decimal("200000")
    topic_actions.report_milestone(final, by=personas.ivan, report="完成200人，取证率70%")
    with pytest.raises(ValidationError):  # failing needs a reason
        topic_actions.decide_milestone(final, by=personas.alice, accepted=False, payable_amount="100000")
    topic_actions.decide_milestone(final, by=personas.alice, accepted=False, payable_amount="100000",
                                   note="取证率未达到80%，按比例拨付")
    application.refresh_from_db()
    final.refresh_from_db()
    assert application.acceptance_result == AcceptanceResult.FAILED
    assert final.status == MilestoneStatus.FAILED and final.payable_amount == Decimal("100000")
    assert topic_actions.decided_payable(application) == Decimal("300000")


def test_payable_never_above_tranche_in_database(personas, board, expert):
    _topic_list, topic = board
    application = _apply(personas, topic)
    _score(application, expert)
    topic_actions.award(application, by=personas.alice, awarded_budget="400000", milestones=MILESTONES)
    with pytest.raises(IntegrityError), transaction.atomic():
        KeyMilestone.objects.filter(application=application, sequence=1).update(payable_amount=Decimal("999999"))


def test_institution_cannot_tick_provincial_key(personas):
    project = actions.create_project(by=personas.ivan, data={**project_data(), "is_provincial_key": True})
    assert TrainingProject.objects.get(pk=project.pk).is_provincial_key is False


def test_topic_list_states(personas, board):
    topic_list, _topic = board
    assert topic_list.status == TopicListStatus.PUBLISHED


def test_pages_apply_score_award(client, personas, board, expert):
    import json

    _topic_list, topic = board
    client.force_login(personas.ivan)
    assert client.get("/training/topics/").status_code == 200
    page = client.get(f"/training/topics/lists/{topic.topic_list_id}/").content.decode()
    assert topic.title in page
    response = client.post(f"/training/topics/{topic.pk}/apply/", {
        "plan": "分四期培训", "county": "370102", "planned_person_times": 200, "hours": 120, "requested_budget": "450000"})
    assert response.status_code == 302
    application = TopicApplication.objects.get()
    # over the cap: refused with the field named, nothing written
    client.force_login(expert)
    criteria = list(topic.topic_list.criteria.all())
    bad = client.post(f"/training/topics/applications/{application.pk}/score/",
                      {f"score_{c.pk}": "99" for c in criteria}, follow=True)
    assert "99" in bad.content.decode() and not application.reviews.exists()
    client.post(f"/training/topics/applications/{application.pk}/score/", {f"score_{c.pk}": "20" for c in criteria})
    assert application.reviews.get().total == Decimal("60.0")
    client.force_login(personas.alice)
    client.post(f"/training/topics/applications/{application.pk}/decide/", {
        "decision": "award", "awarded_budget": "400000",
        "m1_title": "中期", "m1_due": "2026-09-30", "m1_amount": "150000",
        "m2_title": "终期验收", "m2_due": "2026-12-31", "m2_amount": "250000"})
    application.refresh_from_db()
    assert application.status == ApplicationStatus.AWARDED and application.project.is_provincial_key
    # the API shows it to the applicant, not to another institution
    client.force_login(personas.ivan)
    body = client.get(f"/api/v1/training/topics/applications/{application.pk}").json()
    assert body["status"] == "awarded" and [m["amount"] for m in body["milestones"]] == ["150000.00", "250000.00"]
    other = make_user("otto", Role.INSTITUTION, organisation=make_organisation("别的学校", "370103"))
    client.force_login(other)
    assert client.get(f"/api/v1/training/topics/applications/{application.pk}").status_code == 404
    late = client.post(f"/api/v1/training/topics/{topic.pk}/applications", data=json.dumps({
        "plan": "x", "planned_person_times": 10, "hours": 10, "requested_budget": "1000"}), content_type="application/json")
    assert late.status_code == 201  # before the deadline, another institution may still apply


def test_api_refuses_score_outside_sheet(client, personas, board, expert):
    import json

    _topic_list, topic = board
    application = _apply(personas, topic)
    client.force_login(expert)
    criteria = list(topic.topic_list.criteria.all())
    response = client.post(f"/api/v1/training/topics/applications/{application.pk}/scores", data=json.dumps(
        {"scores": {str(c.pk): 41 for c in criteria}}), content_type="application/json")
    assert response.status_code == 422
    assert not application.reviews.exists()
