"""The funds demo: budgets, standards, claims in every state, a paid batch and a recovery, with
a ledger that verifies clean (zero unbalanced postings, zero negative balances)."""

from __future__ import annotations

import io
import json
import random

import pytest
from django.core.management import call_command
from faker import Faker

from jixing.core.demo import DemoContext
from jixing.funds import demo, queries
from jixing.funds.models import (
    Budget,
    Claim,
    ClaimStatus,
    PaymentBatch,
    RecoveryOrder,
    StaffEducationReport,
    StudyRecord,
)
from jixing.funds.tests import factories as f
from jixing.registry.models import OrganisationKind

pytestmark = pytest.mark.django_db


def test_it_seeds_a_demo_whose_ledger_verifies_clean(personas) -> None:
    # what the training demo would leave: completed trainees of Jinan and Qingdao projects
    qingdao_school = f.make_organisation("青岛职业培训学校", "370202")
    f.make_organisation("济南示范机械有限公司", "370103", OrganisationKind.ENTERPRISE)
    for organiser, county in ((personas.institution, "370102"), (qingdao_school, "370202")):
        for _ in range(4):
            proj = f.project(personas, organiser=organiser, county=county)
            k = f.klass(proj)
            for _ in range(6):
                f.enroll(k, f.trainee(county=county))
    ctx = DemoContext(scale="small", seed=7, rng=random.Random(7), faker=Faker("zh_CN"))
    demo.seed(ctx)
    assert Budget.objects.filter(year=2027, region_id="370500").count() == len(demo.SOURCES)
    statuses = set(Claim.objects.values_list("status", flat=True))
    assert {ClaimStatus.PAID, ClaimStatus.PUBLIC_NOTICE, ClaimStatus.SUBMITTED} <= statuses
    assert PaymentBatch.objects.filter(status="reconciled").count() == 1
    assert RecoveryOrder.objects.filter(status="partially_received").count() == 1
    assert StaffEducationReport.objects.count() >= 1
    # 求学圆梦: one claim on a new enrolment, reviewed by the county trade union (not HRSS)
    education = Claim.objects.get(subsidy_item="education", status=ClaimStatus.COUNTY_REVIEWED)
    assert education.lines.get().study is not None
    # a second one waits for the Lixia trade union (its to-do in the demo)
    waiting = Claim.objects.get(subsidy_item="education", status=ClaimStatus.SUBMITTED)
    assert waiting.county_id == "370102"
    assert education.county_reviewed_by.role == "union_officer"
    # each refusal reason shows on one demo person: before the start date, not insured, once per level
    failing = {c.code for study in StudyRecord.objects.all() for c in queries.evaluate_study(study.person, study).checks
               if not c.ok}
    assert {"enrolled", "employed_insured", "once_per_level"} <= failing
    out = io.StringIO()
    call_command("verify_ledger", "--json", stdout=out)
    report = json.loads(out.getvalue())
    assert (report["unbalanced_postings"], report["negative_balances"], report["stale_balances"]) == (0, 0, 0)
    assert report["postings"] > 100


def test_it_seeds_one_person_per_skill_upgrade_case_with_its_reason(personas) -> None:
    import datetime as dt

    from jixing.funds import queries
    from jixing.registry.models import Person

    for n in range(len(demo.SKILL_UPGRADE_CASES)):
        f.certificate(f.trainee(county="370102"), occ=f.occupation(n % 3), lvl=3,
                      issued_on=f.today() - dt.timedelta(days=60 + n))
    ctx = DemoContext(scale="small", seed=7, rng=random.Random(7), faker=Faker("zh_CN"))
    demo.seed(ctx)
    expect = {
        "eligible": None, "benefit_day": None, "insured_elsewhere": None,
        "eleven_months": "累计缴费 11 个月，需满 12 个月", "pension_only": "只缴纳了其他险种",
        "blacklisted": "JC-DEMO-001", "no_card_account": None,
    }
    for case, text in expect.items():
        person = Person.objects.get(pk=ctx.counts[f"skill_upgrade_{case}"])
        claim = Claim.objects.filter(person=person, subsidy_item="skill_upgrade").first()
        if case in ("eligible", "benefit_day", "insured_elsewhere"):
            assert claim is not None and claim.status == ClaimStatus.SUBMITTED, case
            assert claim.lines.get().insured_months is not None and claim.payee_account.kind == "social_security_card"
            if case == "insured_elsewhere":
                assert claim.county_id == "370200"
            continue
        assert claim is None, case
        if text:
            draft = queries.evaluate_certificate(person, person.certificates.get())
            assert any(text in p for p in draft.problems), (case, draft.problems)
        else:  # refused for the account: only a plain bank account is registered
            assert person.payee_accounts.get().kind == "bank"
