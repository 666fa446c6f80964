"""Issue 16 Build 2, the funds side of 揭榜领题: a decided key-project milestone becomes a
milestone payment through the event listener — released when accepted, withheld (wholly or in
part) when failed — once per milestone, audited, visible to the institution and the province
and to no other institution."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from jixing.accounts.models import Role
from jixing.core.models import AuditEvent
from jixing.core.testing import TEST_PASSWORD, make_organisation, make_user
from jixing.funds import actions
from jixing.funds.models import MilestonePayment, MilestonePaymentStatus
from jixing.plan.models import Action, FundSource
from jixing.training import topic_actions
from jixing.training.tests.factories import occupation

pytestmark = pytest.mark.django_db

MILESTONES = [
    {"title": "中期报告", "due_date": dt.date(2026, 9, 30), "amount": Decimal("200000")},
    {"title": "终期验收", "due_date": dt.date(2026, 12, 31), "amount": Decimal("200000")},
]


@pytest.fixture
def awarded(personas):
    expert = make_user("expert1", Role.HRSS_OFFICER, region_id="370100")
    today = timezone.localdate()
    topic_list = topic_actions.create_topic_list(
        by=personas.alice, title="2026年揭榜领题", deadline=today + dt.timedelta(days=10),
        criteria=[("方案质量", 40), ("师资与场地", 30), ("就业成效", 30)], panel=[expert])
    topic = topic_actions.add_topic(topic_list, by=personas.alice, data={
        "title": "工业机器人运维人才培训", "action": Action.objects.get(number=2),
        "fund_source": FundSource.objects.get(code="employment_subsidy"), "occupation": occupation(),
        "industry_chain": "智能制造", "expected_person_times": 200, "outcome_requirements": "取证率不低于80%",
        "budget_cap": Decimal("500000")})
    topic_actions.publish_topic_list(topic_list, by=personas.alice)
    application = topic_actions.apply(topic, by=personas.ivan, data={
        "plan": "分四期培训，每期50人", "planned_person_times": 200, "hours": 120, "requested_budget": Decimal("450000")})
    criteria = list(topic_list.criteria.all())
    topic_actions.score(application, by=expert, scores={c.pk: v for c, v in zip(criteria, (35, 25, 28), strict=True)})
    topic_actions.award(application, by=personas.alice, awarded_budget="400000", milestones=MILESTONES)
    return application


def test_it_releases_an_accepted_tranche_and_withholds_a_failed_one(personas, awarded, django_capture_on_commit_callbacks):
    first, final = awarded.milestones.order_by("sequence")
    topic_actions.report_milestone(first, by=personas.ivan, report="已完成两期，100人")
    with django_capture_on_commit_callbacks(execute=True):
        topic_actions.decide_milestone(first, by=personas.alice, accepted=True)
    paid = MilestonePayment.objects.get(milestone=first)
    assert (paid.status, paid.released, paid.withheld) == (MilestonePaymentStatus.RELEASED, Decimal("200000"), Decimal("0"))
    assert paid.project_id == awarded.project_id and paid.organisation_id == personas.institution.pk
    assert AuditEvent.objects.filter(event="funds.milestone_payment.released", object_id=str(paid.pk)).exists()

    topic_actions.report_milestone(final, by=personas.ivan, report="完成200人，取证率70%")
    with django_capture_on_commit_callbacks(execute=True):
        topic_actions.decide_milestone(final, by=personas.alice, accepted=False, payable_amount="50000",
                                       note="取证率未达到80%，按比例拨付")
    cut = MilestonePayment.objects.get(milestone=final)
    assert (cut.status, cut.released, cut.withheld) == (MilestonePaymentStatus.PARTLY_WITHHELD, Decimal("50000"), Decimal("150000"))
    assert cut.is_final and "取证率" in cut.reason
    assert AuditEvent.objects.filter(event="funds.milestone_payment.partly_withheld", object_id=str(cut.pk)).exists()
    # A replayed event writes nothing more.
    assert actions.record_milestone_payment(final, by=personas.alice) == cut
    assert MilestonePayment.objects.count() == 2


def test_it_withholds_the_whole_tranche_of_a_failed_milestone_paying_nothing(personas, awarded, django_capture_on_commit_callbacks):
    first = awarded.milestones.order_by("sequence").first()
    topic_actions.report_milestone(first, by=personas.ivan, report="仅完成一期")
    with django_capture_on_commit_callbacks(execute=True):
        topic_actions.decide_milestone(first, by=personas.alice, accepted=False, note="进度严重滞后，不予拨付")
    held = MilestonePayment.objects.get(milestone=first)
    assert (held.status, held.released, held.withheld) == (MilestonePaymentStatus.WITHHELD, Decimal("0"), Decimal("200000"))
    assert AuditEvent.objects.filter(event="funds.milestone_payment.withheld", object_id=str(held.pk)).exists()


def test_it_records_nothing_for_an_undecided_milestone_or_a_send_back(personas, awarded, django_capture_on_commit_callbacks):
    first = awarded.milestones.order_by("sequence").first()
    topic_actions.report_milestone(first, by=personas.ivan, report="已完成两期")
    with django_capture_on_commit_callbacks(execute=True):
        topic_actions.decide_milestone(first, by=personas.alice, accepted=False, send_back=True, note="报告不完整")
    assert actions.record_milestone_payment(first, by=personas.alice) is None
    assert not MilestonePayment.objects.exists()


def test_it_shows_milestone_payments_to_the_institution_and_the_province_only(personas, awarded, django_capture_on_commit_callbacks):
    first = awarded.milestones.order_by("sequence").first()
    topic_actions.report_milestone(first, by=personas.ivan, report="已完成两期，100人")
    with django_capture_on_commit_callbacks(execute=True):
        topic_actions.decide_milestone(first, by=personas.alice, accepted=True)
    paid = MilestonePayment.objects.get()
    other_org = make_organisation("另一培训机构", "370202", seed=2)
    make_user("otherinst", Role.INSTITUTION, organisation=other_org)
    client = Client()
    for username, sees in (("ivan", True), ("alice", True), ("otherinst", False)):
        assert client.login(username=username, password=TEST_PASSWORD)
        page = client.get(reverse("funds:milestone_payments"))
        assert page.status_code == 200
        assert (awarded.project.code in page.content.decode()) is sees, username
        api = client.get("/api/v1/funds/milestone-payments")
        assert api.status_code == 200
        assert [row["id"] for row in api.json()["items"]] == ([paid.pk] if sees else []), username
        client.logout()


def test_it_catches_up_on_a_decided_milestone_the_listener_missed(personas, awarded):
    from django.core.management import call_command

    first = awarded.milestones.order_by("sequence").first()
    topic_actions.report_milestone(first, by=personas.ivan, report="已完成两期，100人")
    topic_actions.decide_milestone(first, by=personas.alice, accepted=True)  # on_commit never runs here
    assert not MilestonePayment.objects.exists()
    call_command("record_milestone_payments", "--json")
    assert MilestonePayment.objects.get().status == MilestonePaymentStatus.RELEASED
    assert actions.record_decided_milestone_payments() == 0
