"""自主参训 claims (issue 17; seed 一(五); docs/self_training_claims.md): an approved, claimable
self-arranged training is paid to the person once, for the amount decided on approval, counted in
the per-person caps, refused with the stored reasons otherwise, and stopped at payment by a
blacklisting that came later."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from jixing.core.models import AuditEvent
from jixing.funds import actions, queries
from jixing.funds.actions import ClaimRefused
from jixing.funds.models import AccountKind, Claim, ClaimLine, ClaimStatus, SubsidyItem
from jixing.funds.tests import factories as f
from jixing.plan.models import SelfArrangedTraining

D = Decimal
pytestmark = pytest.mark.django_db


def record(personas, *, claimable: bool = True, amount: str = "1000", ends_on: dt.date | None = None,
           course: str = "Python 数据分析", occupation=None, person=None, county: str = "370102",
           reasons: list | None = None) -> SelfArrangedTraining:
    """An approved record as plan's review leaves it (programme_actions.review_self_training)."""
    ends_on = ends_on or f.today() - dt.timedelta(days=10)
    if reasons is None:
        reasons = [{"code": "claimable", "amount": amount}] if claimable else [{"code": "city_not_claimable"}]
    return SelfArrangedTraining.objects.create(
        person=person or personas.lixia_person, county_id=county, provider="济南某职业培训学校", course=course,
        occupation=occupation, starts_on=ends_on - dt.timedelta(days=14), ends_on=ends_on, hours=48, fee=D("1800"),
        evidence="self_training/x.png", evidence_name="发票.png", evidence_sha256="0" * 64, status="approved",
        submitted_by=personas.trent, reviewed_by=personas.dave, reviewed_at=timezone.now(),
        claimable=claimable, claimable_amount=D(amount) if claimable else None, claim_reasons=reasons,
    )


@pytest.fixture
def funded(personas):
    f.rule_table(personas)
    return f.budget(personas)


def account(personas):
    person = personas.lixia_person
    return actions.register_payee_account(by=personas.trent, holder_name=person.name, bank_name="中国农业银行",
                                          account_number="6228480012345678901")


def to_payable(personas, claim: Claim) -> Claim:
    actions.submit_claim(claim, by=personas.trent)
    actions.county_review(claim, by=f.second_county_officer())
    actions.city_approve(claim, by=personas.bob)
    claim.refresh_from_db()
    actions.close_public_notice(claim, on=claim.notice_ends_on + dt.timedelta(days=1))
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.PAYABLE
    return claim


def test_it_pays_an_approved_record_once_from_the_employment_subsidy_fund(client, personas, funded) -> None:
    rec = record(personas)
    acct = account(personas)
    client.force_login(personas.dave)  # the Lixia officer prepares the claim for the person
    response = client.post(reverse("funds:self_training_claim_create", args=[rec.pk]))
    claim = Claim.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("funds:claim_detail", args=[claim.pk])
    assert (claim.subsidy_item, claim.payee_kind, claim.person, claim.amount, claim.fund_source.code,
            claim.county_id, claim.action.code) == (
        SubsidyItem.SELF_TRAINING, "person", personas.lixia_person, D("1000.00"), "employment_subsidy", "370102", "youth")
    line = claim.lines.get()
    assert line.self_training == rec and line.year == rec.ends_on.year and all(c["ok"] for c in line.checks)
    assert AuditEvent.objects.filter(event="funds.claim.create", after__self_training=rec.pk).exists()
    # paid once: a second claim is refused, and the database holds it too
    again = client.post(reverse("funds:self_training_claim_create", args=[rec.pk]), follow=True)
    assert "已在其他申领中申报。" in again.content.decode()
    assert Claim.objects.count() == 1
    with pytest.raises(IntegrityError), transaction.atomic():
        ClaimLine.objects.create(claim=claim, person=rec.person, subsidy_item=SubsidyItem.SELF_TRAINING,
                                 self_training=rec, year=2026, amount=D("1"))
    # the person picks their account and submits; review, notice, payment, ledger as for any claim
    client.force_login(personas.trent)
    page = client.get(reverse("funds:self_training_claims"))
    assert page.status_code == 200 and claim.number in page.content.decode()
    actions.set_claim_payee_account(claim, by=personas.trent, payee_account=acct)
    claim = to_payable(personas, claim)
    assert claim.budget == funded and funded.balance(AccountKind.COMMITTED) == D("1000.00")
    order, created = actions.issue_payment_order(claim, by=personas.grace, idempotency_key="self-training-1")
    assert created and order.amount == D("1000.00")
    assert funded.balance(AccountKind.PAID) == D("1000.00")


def test_it_refuses_a_record_that_is_not_claimable_with_the_stored_reason(client, personas, funded) -> None:
    rec = record(personas, claimable=False)
    client.force_login(personas.trent)
    response = client.post(reverse("funds:self_training_claim_create", args=[rec.pk]), follow=True)
    assert "所在市规则不对自主参训给予补贴。" in response.content.decode()
    api = client.post(f"/api/v1/funds/self-trainings/{rec.pk}/claim", {}, content_type="application/json")
    assert api.status_code == 422 and "所在市规则不对自主参训给予补贴。" in str(api.json())
    listing = client.get("/api/v1/funds/self-trainings").json()
    assert listing[0]["claimable"] is False and listing[0]["reasons"] == ["所在市规则不对自主参训给予补贴。"]
    pending = record(personas, course="未审核课程")
    SelfArrangedTraining.objects.filter(pk=pending.pk).update(status="submitted", claimable=None, claimable_amount=None,
                                                               claim_reasons=[])
    with pytest.raises(ClaimRefused, match="尚未审核通过"):
        actions.create_self_training_claim(by=personas.trent, record=SelfArrangedTraining.objects.get(pk=pending.pk))
    assert not Claim.objects.exists()


def test_another_region_or_person_gets_404(client, personas, funded) -> None:
    rec = record(personas)
    client.force_login(personas.erin)  # Shizhong officer
    assert rec.pk not in [r.record.pk for r in client.get(reverse("funds:self_training_claims")).context["rows"]]
    assert client.post(reverse("funds:self_training_claim_create", args=[rec.pk])).status_code == 404
    assert client.post(f"/api/v1/funds/self-trainings/{rec.pk}/claim", {},
                       content_type="application/json").status_code == 404
    other = f.person_user(f.trainee("王五"), username="wangwu")
    client.force_login(other)
    assert client.get("/api/v1/funds/self-trainings").json() == []
    assert client.post(reverse("funds:self_training_claim_create", args=[rec.pk])).status_code == 404
    assert not Claim.objects.exists()


def test_it_counts_self_arranged_trainings_in_the_yearly_and_same_occupation_caps(personas, funded) -> None:
    occ_a, occ_b = f.occupation(0), f.occupation(1)
    year_end = dt.date(f.today().year - 1, 12, 20)
    first = record(personas, course="课程一", occupation=occ_a, ends_on=year_end)
    actions.create_self_training_claim(by=personas.trent, record=first)
    same_occupation = record(personas, course="课程二", occupation=occ_a, ends_on=year_end - dt.timedelta(days=30))
    with pytest.raises(ClaimRefused, match=occ_a.name):
        actions.create_self_training_claim(by=personas.trent, record=same_occupation)
    for n in (3, 4):
        actions.create_self_training_claim(
            by=personas.trent, record=record(personas, course=f"课程{n}", ends_on=year_end - dt.timedelta(days=40 * n)))
    fourth = record(personas, course="课程五", occupation=occ_b, ends_on=year_end - dt.timedelta(days=200))
    draft = queries.evaluate_self_training(fourth)
    assert not draft.ok and any(c.code == "yearly_cap" and not c.ok for c in draft.checks)
    # the caps count by the year of the last training day: this year starts again
    this_year = record(personas, course="课程六", occupation=occ_b, ends_on=f.today())
    assert queries.evaluate_self_training(this_year).ok


def test_a_blacklisting_after_approval_stops_the_payment(personas, funded) -> None:
    from jixing.registry.actions import restrict_person

    rec = record(personas)
    claim = actions.create_self_training_claim(by=personas.trent, record=rec, payee_account=account(personas))
    claim = to_payable(personas, claim)
    restrict_person(personas.lixia_person, by=personas.dave, kind="blacklist", reason="骗取培训补贴",
                    starts_on=f.today(), reference="LX-BL-2026-9")
    with pytest.raises(ClaimRefused, match="LX-BL-2026-9"):
        actions.issue_payment_order(claim, by=personas.grace, idempotency_key="self-training-2")
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.PAYABLE and not claim.payment_orders.exists()


def test_the_demo_makes_a_draft_claim_for_each_approved_claimable_record(personas, funded) -> None:
    import random

    from faker import Faker

    from jixing.core.demo import DemoContext
    from jixing.funds.demo_self_training import seed_self_training_claims

    rec = record(personas)
    record(personas, claimable=False, course="电子商务直播运营")
    ctx = DemoContext(scale="small", seed=7, rng=random.Random(7), faker=Faker("zh_CN"))
    seed_self_training_claims(ctx)
    assert ctx.counts["self_training_claims"] == 1
    assert Claim.objects.get().lines.get().self_training == rec
