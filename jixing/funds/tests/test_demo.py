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
    education = Claim.objects.get(subsidy_item="education")
    assert education.status == ClaimStatus.COUNTY_REVIEWED and education.lines.get().study is not None
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
