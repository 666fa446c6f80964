"""Claims: creation with checks and rule-engine amounts, every review transition and every
forbidden one, maker ≠ checker, budget commitment (G1)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction

from jixing.core.workflow import IllegalTransition, history
from jixing.funds import actions, ledger
from jixing.funds.models import (
    AccountKind,
    Claim,
    ClaimLine,
    ClaimStatus,
    LineStatus,
    Posting,
    PostingKind,
    SubsidyItem,
)
from jixing.funds.tests import factories as f
from jixing.registry.models import OrganisationStatus
from jixing.training.models import EnrollmentStatus

D = Decimal
pytestmark = pytest.mark.django_db


def balances(budget):
    return {k: ledger.budget_account(budget, k).balance for k in (AccountKind.AVAILABLE, AccountKind.COMMITTED, AccountKind.PAID)}


# ---------------------------------------------------------------- creation


def test_it_creates_a_claim_with_rule_engine_amounts_and_reasons(personas) -> None:
    w = f.funded_class(personas, trainees=2)
    claim = actions.create_claim(by=personas.ivan, project=w.project, enrollment_ids=[e.pk for e in w.enrollments])
    assert claim.status == ClaimStatus.DRAFT
    assert claim.subsidy_item == SubsidyItem.VOCATIONAL_TRAINING and claim.payee_kind == "institution"
    assert claim.amount == D("1200.00")  # 2 × 600 (training certificate, no uplift)
    line = claim.lines.first()
    assert line.rule_table_id == w.table.pk
    assert [r["code"] for r in line.reasons][:2] == ["table", "base"]
    assert all(c["ok"] for c in line.checks)
    assert {c["code"] for c in line.checks} >= {"completed", "attendance", "not_claimed", "yearly_cap",
                                               "same_occupation_level", "lower_than_certificate"}
    w.table.refresh_from_db()
    assert w.table.is_used


def test_it_prices_a_certified_shortage_occupation_with_uplift(personas) -> None:
    occ = f.occupation(1)
    table = f.rule_table(personas, shortage=(occ,))
    f.budget(personas)
    proj = f.project(personas, requires_certificate=True, occ=occ, lvl=3)
    k = f.klass(proj)
    person = f.trainee()
    e = f.enroll(k, person)
    f.certificate(person, occ=occ, lvl=3, issued_on=k.end_date + dt.timedelta(days=3))
    claim = actions.create_claim(by=personas.ivan, project=proj, enrollment_ids=[e.pk])
    assert claim.amount == D("1800.00")  # 1500 level-3 certificate + 20% shortage uplift
    line = claim.lines.get()
    assert line.certificate is not None
    assert [r["code"] for r in line.reasons] == ["table", "base", "shortage", "employed_6m_unknown", "total", "employment_evidence"]
    assert table.pk == line.rule_table_id


def test_it_ignores_an_amount_given_by_hand(personas, client) -> None:
    w = f.funded_class(personas, trainees=1)
    client.force_login(personas.ivan)
    response = client.post("/funds/claims/new/", {
        "project": w.project.pk, "enrollments": [w.enrollments[0].pk], "payee_account": w.account.pk,
        "amount": "99999", "status": "payable", "budget": w.budget.pk,
    })
    assert response.status_code == 302
    claim = Claim.objects.get()
    assert claim.amount == D("600.00") and claim.status == ClaimStatus.DRAFT and claim.budget_id is None


@pytest.mark.parametrize(
    ("setup", "reason"),
    [
        ({"status": EnrollmentStatus.ENROLLED}, "未结业"),
        ({"status": EnrollmentStatus.NOT_COMPLETED}, "未结业"),
        ({"rate": "0.750"}, "低于"),
        ({"subsidised": False}, "补贴性培训"),
    ],
)
def test_it_refuses_ineligible_enrollments_with_chinese_reasons(personas, setup, reason) -> None:
    w = f.funded_class(personas, trainees=1)
    bad = f.enroll(w.klass, f.trainee("赵未结"), **setup)
    with pytest.raises(actions.ClaimRefused) as exc:
        actions.create_claim(by=personas.ivan, project=w.project, enrollment_ids=[w.enrollments[0].pk, bad.pk])
    text = " ".join(exc.value.messages)
    assert "赵未结" in text and reason in text
    assert not Claim.objects.exists() and not ClaimLine.objects.exists()


def test_it_claims_only_the_passing_lines_when_asked(personas) -> None:
    w = f.funded_class(personas, trainees=2)
    bad = f.enroll(w.klass, f.trainee(), status=EnrollmentStatus.ENROLLED)
    claim = actions.create_claim(by=personas.ivan, project=w.project, enrollment_ids=[*(e.pk for e in w.enrollments), bad.pk],
                                 skip_ineligible=True)
    assert claim.lines.count() == 2


def test_it_refuses_an_already_claimed_enrollment(personas) -> None:
    w = f.funded_class(personas, trainees=1)
    actions.create_claim(by=personas.ivan, project=w.project, enrollment_ids=[w.enrollments[0].pk])
    with pytest.raises(actions.ClaimRefused) as exc:
        actions.create_claim(by=personas.ivan, project=w.project, enrollment_ids=[w.enrollments[0].pk])
    assert "已申领" in " ".join(exc.value.messages)
    assert Claim.objects.count() == 1


def test_it_has_a_database_unique_constraint_on_person_item_class(personas) -> None:
    w = f.funded_class(personas, trainees=1)
    claim = actions.create_claim(by=personas.ivan, project=w.project, enrollment_ids=[w.enrollments[0].pk])
    line = claim.lines.get()
    line.pk = None
    line.claim = Claim.objects.create(
        number="DUP-1", subsidy_item=claim.subsidy_item, payee_kind=claim.payee_kind, organisation=claim.organisation,
        county=claim.county, fund_source=claim.fund_source, rule_table=claim.rule_table, created_by=personas.ivan,
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        line.save()
    # Under another fund source the same person × item × class is still one line.
    line.claim.fund_source = f.fund("unemployment_insurance")
    line.claim.save()
    with pytest.raises(IntegrityError), transaction.atomic():
        line.save()
    # An excluded line frees the slot.
    ClaimLine.objects.filter(pk=claim.lines.get().pk).update(status=LineStatus.EXCLUDED)
    line.save()


def test_it_refuses_a_fourth_subsidised_training_in_a_year(personas) -> None:
    f.rule_table(personas)
    person = f.trainee("钱四次")
    enrollments = []
    for n in range(4):
        proj = f.project(personas, occ=f.occupation(n), lvl=3)
        enrollments.append((proj, f.enroll(f.klass(proj), person)))
    for proj, e in enrollments[:3]:
        actions.create_claim(by=personas.ivan, project=proj, enrollment_ids=[e.pk])
    proj, e = enrollments[3]
    with pytest.raises(actions.ClaimRefused) as exc:
        actions.create_claim(by=personas.ivan, project=proj, enrollment_ids=[e.pk])
    assert "钱四次" in " ".join(exc.value.messages)


def test_it_refuses_the_same_occupation_and_level_twice(personas) -> None:
    f.rule_table(personas)
    person = f.trainee("孙重复")
    p1, p2 = f.project(personas), f.project(personas)
    e1, e2 = f.enroll(f.klass(p1), person), f.enroll(f.klass(p2), person)
    actions.create_claim(by=personas.ivan, project=p1, enrollment_ids=[e1.pk])
    with pytest.raises(actions.ClaimRefused):
        actions.create_claim(by=personas.ivan, project=p2, enrollment_ids=[e2.pk])


def test_it_refuses_a_lower_level_than_a_certificate_held(personas) -> None:
    f.rule_table(personas)
    person = f.trainee("周高级")
    f.certificate(person, occ=f.occupation(0), lvl=4)
    proj = f.project(personas, lvl=3)
    e = f.enroll(f.klass(proj), person)
    with pytest.raises(actions.ClaimRefused) as exc:
        actions.create_claim(by=personas.ivan, project=proj, enrollment_ids=[e.pk])
    assert "周高级" in " ".join(exc.value.messages)


def test_it_needs_a_certificate_where_the_project_requires_one(personas) -> None:
    f.rule_table(personas)
    proj = f.project(personas, requires_certificate=True)
    person = f.trainee("吴无证")
    e = f.enroll(f.klass(proj), person)
    with pytest.raises(actions.ClaimRefused):
        actions.create_claim(by=personas.ivan, project=proj, enrollment_ids=[e.pk])
    revoked = f.certificate(person, lvl=3, valid=False)
    with pytest.raises(actions.ClaimRefused) as exc:
        actions.create_claim(by=personas.ivan, project=proj, enrollment_ids=[e.pk])
    assert revoked.number in " ".join(exc.value.messages)
    f.certificate(person, lvl=3)
    assert actions.create_claim(by=personas.ivan, project=proj, enrollment_ids=[e.pk]).amount == D("1500.00")


def test_it_lets_only_the_organiser_claim(personas) -> None:
    w = f.funded_class(personas, trainees=1)
    other_org, kate = f.enterprise_user(personas)
    for user in (kate, personas.bob, personas.trent):
        with pytest.raises(PermissionDenied):
            actions.create_claim(by=user, project=w.project, enrollment_ids=[w.enrollments[0].pk])


def test_it_lets_the_apprenticeship_enterprise_claim(personas) -> None:
    f.rule_table(personas)
    company, kate = f.enterprise_user(personas)
    proj = f.project(personas, project_type="apprenticeship", partner=company)
    e = f.enroll(f.klass(proj), f.trainee())
    claim = actions.create_claim(by=kate, project=proj, enrollment_ids=[e.pk])
    assert claim.subsidy_item == SubsidyItem.APPRENTICESHIP and claim.payee_kind == "enterprise"
    assert claim.amount == D("4000.00")


@pytest.mark.parametrize("status", [OrganisationStatus.SUSPENDED, OrganisationStatus.BLACKLISTED])
def test_it_refuses_claims_from_a_blocked_organisation(personas, status) -> None:
    w = f.funded_class(personas, trainees=1)
    draft = actions.create_claim(by=personas.ivan, project=w.project, enrollment_ids=[w.enrollments[0].pk],
                                 payee_account=w.account)
    org = personas.institution
    org.status = status
    org.status_reason = "虚假培训"
    org.save()
    personas.ivan.refresh_from_db()
    with pytest.raises(actions.ClaimRefused, match="暂停|黑名单"):
        actions.submit_claim(draft, by=personas.ivan)
    with pytest.raises(actions.ClaimRefused):
        actions.create_claim(by=personas.ivan, project=w.project, enrollment_ids=[w.enrollments[0].pk])
    assert Claim.objects.get(pk=draft.pk).status == ClaimStatus.DRAFT
    # once the block has expired the organisation may claim again
    org.status_until = f.today() - dt.timedelta(days=1)
    org.save()
    personas.ivan.refresh_from_db()
    actions.submit_claim(draft, by=personas.ivan)


# ---------------------------------------------------------------- transitions


def test_it_walks_the_whole_review_and_commits_the_budget(personas) -> None:
    w = f.funded_class(personas, trainees=2)
    claim = f.claim_in(w, ClaimStatus.COUNTY_REVIEWED)
    assert balances(w.budget)[AccountKind.COMMITTED] == 0
    actions.city_approve(claim, by=personas.bob)
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.PUBLIC_NOTICE and claim.budget == w.budget
    assert claim.notice_ends_on == f.today() + dt.timedelta(days=7)
    assert balances(w.budget) == {AccountKind.AVAILABLE: D("998800.00"), AccountKind.COMMITTED: D("1200.00"),
                                  AccountKind.PAID: D("0.00")}
    commitment = Posting.objects.get(kind=PostingKind.COMMITMENT)
    assert (commitment.reference_type, commitment.reference_id) == ("claim", str(claim.pk))
    steps = [(h.from_status, h.to_status, h.by_id) for h in history(claim)]
    assert steps == [
        ("draft", "submitted", personas.ivan.pk), ("submitted", "county_reviewed", personas.dave.pk),
        ("county_reviewed", "public_notice", personas.bob.pk),
    ]


def test_it_closes_the_public_notice_after_the_configured_days(personas) -> None:
    with time_machine.travel(dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC), tick=False):
        table = f.rule_table(personas, notice_days=5)
        f.budget(personas, year=2026)
        proj = f.project(personas)
        k = f.klass(proj)
        e = f.enroll(k, f.trainee())
        w = f.FundedClass(personas, table, f.Budget.objects.get(), proj, k, [e], f.org_account(personas))
        claim = f.claim_in(w, ClaimStatus.PUBLIC_NOTICE)
        assert claim.notice_ends_on == dt.date(2026, 3, 7)
    for day, expected in [(dt.date(2026, 3, 7), ClaimStatus.PUBLIC_NOTICE), (dt.date(2026, 3, 8), ClaimStatus.PAYABLE)]:
        with time_machine.travel(dt.datetime.combine(day, dt.time(10), tzinfo=dt.UTC), tick=False):
            actions.close_due_notices()
        claim.refresh_from_db()
        assert claim.status == expected


def test_it_sends_provincial_key_projects_to_the_province(personas) -> None:
    w = f.funded_class(personas, trainees=1, key=True)
    claim = f.claim_in(w, ClaimStatus.COUNTY_REVIEWED)
    actions.city_approve(claim, by=personas.bob)
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.CITY_APPROVED and claim.budget_id == w.budget.pk
    with pytest.raises(PermissionDenied):
        actions.province_approve(claim, by=f.second_city_officer())
    actions.province_approve(claim, by=personas.alice)
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.PUBLIC_NOTICE and claim.province_approved_by == personas.alice


def test_it_returns_and_resubmits(personas) -> None:
    w = f.funded_class(personas, trainees=1)
    claim = f.claim_in(w, ClaimStatus.SUBMITTED)
    with pytest.raises(ValidationError):
        actions.return_claim(claim, by=personas.dave, reason="")
    actions.return_claim(claim, by=personas.dave, reason="请补充学员签到表")
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.RETURNED and claim.last_reason == "请补充学员签到表"
    actions.submit_claim(claim, by=personas.ivan)
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.SUBMITTED


def test_it_releases_the_commitment_when_a_committed_claim_is_returned_or_rejected(personas) -> None:
    w = f.funded_class(personas, trainees=2, key=True)
    claim = f.claim_in(w, ClaimStatus.COUNTY_REVIEWED)
    actions.city_approve(claim, by=personas.bob)
    assert balances(w.budget)[AccountKind.COMMITTED] == D("1200.00")
    actions.return_claim(claim, by=personas.alice, reason="省级复核：材料不全")
    assert balances(w.budget)[AccountKind.COMMITTED] == 0
    assert balances(w.budget)[AccountKind.AVAILABLE] == D("1000000.00")
    assert Posting.objects.filter(kind=PostingKind.RELEASE).count() == 1
    # in public notice an upheld objection rejects the claim and frees its trainees
    w2 = f.another_funded_class(w)
    claim2 = f.claim_in(w2, ClaimStatus.CITY_APPROVED)
    actions.province_approve(claim2, by=personas.alice)
    actions.reject_claim(claim2, by=personas.bob, reason="公示期间收到实名举报，经查属实")
    claim2.refresh_from_db()
    assert claim2.status == ClaimStatus.REJECTED
    assert not claim2.lines.filter(status=LineStatus.LIVE).exists()
    assert ledger.verify().ok
    assert balances(w.budget)[AccountKind.COMMITTED] == 0


def test_it_cancels_a_draft_and_frees_its_trainees(personas) -> None:
    w = f.funded_class(personas, trainees=1)
    claim = f.claim_in(w, ClaimStatus.DRAFT)
    actions.cancel_claim(claim, by=personas.ivan)
    again = actions.create_claim(by=personas.ivan, project=w.project, enrollment_ids=[w.enrollments[0].pk])
    assert again.amount == D("600.00")


def test_it_excludes_a_line_with_a_reason(personas) -> None:
    w = f.funded_class(personas, trainees=2)
    claim = f.claim_in(w, ClaimStatus.SUBMITTED)
    line = claim.lines.first()
    with pytest.raises(PermissionDenied):
        actions.exclude_line(line, by=personas.ivan, reason="机构自行撤回")
    actions.exclude_line(line, by=personas.dave, reason="该学员签到照片与本人不符")
    claim.refresh_from_db()
    assert claim.amount == D("600.00")


FORBIDDEN = [
    # (status, action name, actor attribute)
    (ClaimStatus.DRAFT, "county_review", "dave"),
    (ClaimStatus.DRAFT, "city_approve", "bob"),
    (ClaimStatus.SUBMITTED, "city_approve", "bob"),
    (ClaimStatus.SUBMITTED, "province_approve", "alice"),
    (ClaimStatus.SUBMITTED, "submit_claim", "ivan"),
    (ClaimStatus.COUNTY_REVIEWED, "county_review", "dave"),
    (ClaimStatus.COUNTY_REVIEWED, "province_approve", "alice"),
    (ClaimStatus.PUBLIC_NOTICE, "city_approve", "bob"),
    (ClaimStatus.PUBLIC_NOTICE, "return_claim", "bob"),
    (ClaimStatus.PAYABLE, "reject_claim", "bob"),
    (ClaimStatus.PAYABLE, "county_review", "dave"),
    (ClaimStatus.PAYABLE, "cancel_claim", "ivan"),
]


@pytest.mark.parametrize(("status", "verb", "actor"), FORBIDDEN)
def test_it_refuses_forbidden_transitions(personas, status, verb, actor) -> None:
    w = f.funded_class(personas, trainees=1)
    claim = f.claim_in(w, status)
    before = (claim.status, Posting.objects.count())
    kwargs = {"reason": "不应允许的操作"} if verb in ("return_claim", "reject_claim") else {}
    with pytest.raises((IllegalTransition, ValidationError)):
        getattr(actions, verb)(claim, by=getattr(personas, actor), **kwargs)
    claim.refresh_from_db()
    assert (claim.status, Posting.objects.count()) == before


def test_it_keeps_maker_and_checkers_apart(personas) -> None:
    w = f.funded_class(personas, trainees=1)
    claim = f.claim_in(w, ClaimStatus.SUBMITTED)
    # the claimant cannot review its own claim
    with pytest.raises(PermissionDenied):
        actions.county_review(claim, by=personas.ivan)
    # a county officer of another county cannot review it
    with pytest.raises(PermissionDenied):
        actions.county_review(claim, by=personas.erin)
    # a city officer may act as county reviewer, but then cannot also approve at city level
    actions.county_review(claim, by=personas.bob)
    with pytest.raises(PermissionDenied, match="经办与审核分离"):
        actions.city_approve(claim, by=personas.bob)
    # a county officer cannot take the city step
    with pytest.raises(PermissionDenied):
        actions.city_approve(claim, by=f.second_county_officer())
    actions.city_approve(claim, by=f.second_city_officer())
    claim.refresh_from_db()
    assert claim.county_reviewed_by == personas.bob and claim.city_approved_by.username == "bill"
    assert claim.status == ClaimStatus.PUBLIC_NOTICE


def test_it_refuses_approval_when_the_budget_is_short_and_posts_nothing(personas) -> None:
    w = f.funded_class(personas, trainees=2, amount="1000")
    claim = f.claim_in(w, ClaimStatus.COUNTY_REVIEWED)
    postings = Posting.objects.count()
    with pytest.raises(ValidationError) as exc:
        actions.city_approve(claim, by=personas.bob)
    assert "1000.00" in " ".join(exc.value.messages) and "1200.00" in " ".join(exc.value.messages)
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.COUNTY_REVIEWED and claim.budget_id is None
    assert Posting.objects.count() == postings


def test_it_refuses_approval_without_a_budget(personas) -> None:
    f.rule_table(personas)
    proj = f.project(personas)
    e = f.enroll(f.klass(proj), f.trainee())
    w = f.FundedClass(personas, f.SubsidyRuleTable.objects.get(), None, proj, e.training_class, [e], f.org_account(personas))  # type: ignore[arg-type]
    claim = f.claim_in(w, ClaimStatus.COUNTY_REVIEWED)
    with pytest.raises(ValidationError, match="预算|budget"):
        actions.city_approve(claim, by=personas.bob)


def test_it_charges_the_county_budget_before_the_city_budget(personas) -> None:
    w = f.funded_class(personas, trainees=1, allocate="5000")
    claim = f.claim_in(w, ClaimStatus.PUBLIC_NOTICE)
    assert claim.budget.region_id == "370102"


# ---------------------------------------------------------------- 技能提升补贴 by a person


def test_it_lets_a_person_claim_skill_upgrade_within_12_months(personas) -> None:
    f.rule_table(personas)
    person = personas.lixia_person
    cert = f.certificate(person, lvl=3, issued_on=f.today() - dt.timedelta(days=200))
    f.insured(person, months=12, until=cert.issued_on)
    account = f.card_account(personas, person)
    claim = actions.create_person_claim(by=personas.trent, certificate=cert, payee_account=account)
    assert claim.amount == D("1500.00") and claim.payee_kind == "person" and claim.fund_source.code == "unemployment_insurance"
    with pytest.raises(actions.ClaimRefused):
        actions.create_person_claim(by=personas.trent, certificate=cert, payee_account=account)
    old = f.certificate(person, occ=f.occupation(2), lvl=2, issued_on=f.today() - dt.timedelta(days=400))
    with pytest.raises(actions.ClaimRefused, match="12"):
        actions.create_person_claim(by=personas.trent, certificate=old, payee_account=account)
    with pytest.raises(PermissionDenied):
        actions.create_person_claim(by=personas.ivan, certificate=cert, payee_account=account)


def test_it_exercises_every_transition_of_the_claim_table(personas, tmp_path) -> None:
    """Walk claims through every edge of Claim.TRANSITIONS; the status history holds them all."""
    from django.contrib.contenttypes.models import ContentType

    from jixing.core.models import StatusChange
    from jixing.funds import bankfiles

    p = personas
    w = f.funded_class(personas, trainees=1)

    def fresh(n: int = 1):
        return f.another_funded_class(w, n)

    # draft → cancelled; returned → cancelled; submitted → returned → submitted; submitted → rejected
    actions.cancel_claim(f.claim_in(fresh(), ClaimStatus.DRAFT), by=p.ivan)
    c = f.claim_in(fresh(), ClaimStatus.SUBMITTED)
    actions.return_claim(c, by=p.dave, reason="材料不全，请补充")
    actions.cancel_claim(c, by=p.ivan)
    c = f.claim_in(fresh(), ClaimStatus.SUBMITTED)
    actions.return_claim(c, by=p.dave, reason="材料不全，请补充")
    actions.submit_claim(c, by=p.ivan)
    actions.reject_claim(c, by=p.dave, reason="虚假培训，不予受理")
    # county_reviewed → returned / rejected
    actions.return_claim(f.claim_in(fresh(), ClaimStatus.COUNTY_REVIEWED), by=p.bob, reason="请补充签到记录")
    actions.reject_claim(f.claim_in(fresh(), ClaimStatus.COUNTY_REVIEWED), by=p.bob, reason="学员不符合条件")
    # public_notice → rejected; → payable → paying → paid, and paying → payable on a failed payment
    actions.reject_claim(f.claim_in(fresh(), ClaimStatus.PUBLIC_NOTICE), by=p.bob, reason="公示期间异议成立")
    f.claim_in(fresh(), ClaimStatus.PAYABLE)
    f.claim_in(fresh(), ClaimStatus.PAYABLE)
    batch = actions.create_payment_batch(by=p.grace).batch
    bank_file = bankfiles.build_payment_file(batch)
    actions.record_bank_file_export(batch, by=p.grace, sha256=bank_file.sha256, rows=bank_file.rows, fmt="csv")
    first = batch.orders.order_by("number").first()
    path = tmp_path / "r.csv"
    path.write_bytes(bankfiles.return_file_for(batch, fail={first.number}))
    parsed = bankfiles.parse_return_file(path, "r.csv")
    actions.reconcile_bank_return(batch, by=p.grace, rows=parsed.rows, file_name="r.csv", file_sha256=parsed.sha256)
    # provincial key projects: county_reviewed → city_approved → public_notice / returned / rejected
    kw = f.FundedClass(p, w.table, w.budget, f.project(p, key=True), None, [], w.account)  # type: ignore[arg-type]
    for verb in ("approve", "return", "reject"):
        k = f.klass(kw.project)
        kw.klass, kw.enrollments = k, [f.enroll(k, f.trainee())]
        c = f.claim_in(kw, ClaimStatus.CITY_APPROVED)
        if verb == "approve":
            actions.province_approve(c, by=p.alice)
        elif verb == "return":
            actions.return_claim(c, by=p.alice, reason="省级复核：材料不全")
        else:
            actions.reject_claim(c, by=p.alice, reason="省级复核：不符合重点项目条件")
    seen = set(StatusChange.objects.filter(content_type=ContentType.objects.get_for_model(Claim))
               .values_list("from_status", "to_status"))
    assert seen == {(a.value, b.value) for a, b in Claim.TRANSITIONS}
    assert ledger.verify().ok


def test_it_refuses_an_institution_line_for_a_trainee_under_a_restriction(personas) -> None:
    """A person barred from subsidies (issue 12) is not subsidised through an institution either:
    the line names the restriction, its dates and its document."""
    import datetime as dt

    from jixing.registry import actions as registry_actions

    w = f.funded_class(personas, trainees=2)
    barred = w.enrollments[1].person
    registry_actions.restrict_person(barred, by=personas.alice, kind="blacklist", reason="骗取培训补贴",
                                     starts_on=dt.date(2025, 1, 1), reference="鲁人社罚〔2025〕1号")
    with pytest.raises(actions.ClaimRefused) as exc:
        actions.create_claim(by=personas.ivan, project=w.project, enrollment_ids=[e.pk for e in w.enrollments])
    text = " ".join(exc.value.messages)
    assert barred.name in text and "鲁人社罚〔2025〕1号" in text and "2025-01-01" in text
    claim = actions.create_claim(by=personas.ivan, project=w.project, enrollment_ids=[e.pk for e in w.enrollments],
                                 skip_ineligible=True)
    assert [line.person_id for line in claim.lines.all()] == [w.enrollments[0].person_id]
