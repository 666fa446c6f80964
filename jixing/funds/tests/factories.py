"""Builders for funds tests: a Jinan rule table, budgets, a Lixia project with completed
trainees, certificates, and a claim walked to any status through the real actions."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.utils import timezone

from jixing.accounts.models import Role, User
from jixing.core.testing import Personas, make_organisation, make_person, make_user
from jixing.evaluation.models import Certificate, DirectRecognition, EvaluationMode, RecognitionStatus
from jixing.funds import actions
from jixing.funds.models import (
    Budget,
    Claim,
    ClaimStatus,
    PayeeAccount,
    PaymentBatch,
    SubsidyItem,
    SubsidyRuleTable,
)
from jixing.plan.models import Action, FundSource
from jixing.registry.models import Occupation, Organisation, Person, Region, SkillLevel, TargetGroup
from jixing.training.models import (
    Attendance,
    Enrollment,
    EnrollmentStatus,
    ProjectStatus,
    ProjectType,
    Provenance,
    Teacher,
    TrainingClass,
    TrainingProject,
    TrainingSession,
)

_seq = {"n": 0}


def nxt() -> int:
    _seq["n"] += 1
    return _seq["n"]


def today() -> dt.date:
    return timezone.localdate()


def occupation(n: int = 0) -> Occupation:
    return Occupation.objects.order_by("id")[n]


def level(order: int) -> SkillLevel:
    return SkillLevel.objects.get(order=order)


def fund(code: str = "employment_subsidy") -> FundSource:
    return FundSource.objects.get(code=code)


def jinan_rates() -> list[dict[str, Any]]:
    return [
        {"item": SubsidyItem.VOCATIONAL_TRAINING, "amount": Decimal("600"), "note": "培训合格"},
        {"item": SubsidyItem.VOCATIONAL_TRAINING, "certificate_type": "skill_level", "level": level(3), "amount": Decimal("1500")},
        {"item": SubsidyItem.VOCATIONAL_TRAINING, "certificate_type": "skill_level", "level": level(4), "amount": Decimal("2000")},
        {"item": SubsidyItem.APPRENTICESHIP, "amount": Decimal("4000")},
        {"item": SubsidyItem.SKILL_UPGRADE, "payee_kind": "person", "level": level(2), "amount": Decimal("1000")},
        {"item": SubsidyItem.SKILL_UPGRADE, "payee_kind": "person", "level": level(3), "amount": Decimal("1500")},
        {"item": SubsidyItem.LIVING_ALLOWANCE, "target_group": TargetGroup.objects.get(code="employment_difficulty"),
         "amount": Decimal("300")},
    ]


def jinan_uplifts() -> list[dict[str, Any]]:
    return [
        {"kind": "shortage", "percent": Decimal("20")},
        {"kind": "employed_6m", "item": SubsidyItem.VOCATIONAL_TRAINING, "fixed_amount": Decimal("300")},
        {"kind": "target_group", "target_group": TargetGroup.objects.get(code="employment_difficulty"), "percent": Decimal("10")},
    ]


def national_insurance_rules() -> None:
    """The national months-of-insurance rows that funds migration 0005 loads. A transactional
    (browser) test's flush empties the table, so the factories put them back."""
    from jixing.funds.models import InsuranceMonthsRule

    for day, months in ((dt.date(2017, 1, 1), 36), (dt.date(2019, 1, 1), 12)):
        InsuranceMonthsRule.objects.get_or_create(city="", valid_from=day, defaults={"months": months, "basis": "测试"})


def rule_table(p: Personas, *, city: str = "370100", valid_from: dt.date | None = None, shortage: tuple[Occupation, ...] = (),
               rates: list[dict[str, Any]] | None = None, notice_days: int = 7) -> SubsidyRuleTable:
    national_insurance_rules()
    maker = p.bob if city == "370100" else p.alice
    return actions.publish_rule_table(
        by=maker, city=Region.objects.get(code=city), valid_from=valid_from or dt.date(2025, 1, 1),
        name="济南市职业技能培训补贴标准", basis="济人社字〔2025〕测试号", public_notice_days=notice_days,
        rates=rates if rates is not None else jinan_rates(), uplifts=jinan_uplifts(), shortage_occupations=shortage,
    )


def province_finance() -> User:
    return User.objects.filter(username="pf").first() or make_user("pf", Role.FINANCE_OFFICER, region_id="370000")


def lixia_finance() -> User:
    return User.objects.filter(username="lf").first() or make_user("lf", Role.FINANCE_OFFICER, region_id="370102")


def budget(p: Personas, *, amount: str = "1000000", year: int | None = None, source: str = "employment_subsidy",
           allocate_to_lixia: str | None = None) -> Budget:
    """A Jinan city budget funded from the treasury (grace is Jinan finance); optionally
    allocated down to Lixia."""
    b = actions.create_budget(by=p.grace, fund_source=fund(source), year=year or today().year,
                              region=Region.objects.get(code="370100"), amount=amount, document="济财社〔2025〕1号")
    if allocate_to_lixia:
        actions.allocate(b, by=p.grace, region=Region.objects.get(code="370102"), amount=allocate_to_lixia)
    return b


def project(p: Personas, *, requires_certificate: bool = False, project_type: str = ProjectType.EMPLOYMENT_SKILL,
            organiser: Organisation | None = None, partner: Organisation | None = None, key: bool = False,
            occ: Occupation | None = None, lvl: int = 3, county: str = "370102") -> TrainingProject:
    n = nxt()
    return TrainingProject.objects.create(
        code=f"XM-F-{n:05d}", name="家政服务员培训", action=Action.objects.get(number=4), project_type=project_type,
        organiser=organiser or p.institution, partner=partner, occupation=occ or occupation(0), level=level(lvl),
        county_id=county, planned_person_times=40, hours=60, fund_source=fund(), requires_certificate=requires_certificate,
        is_provincial_key=key, created_by=p.ivan, status=ProjectStatus.FINISHED,
    )


def klass(proj: TrainingProject, *, end: dt.date | None = None) -> TrainingClass:
    n = nxt()
    end = end or today() - dt.timedelta(days=10)
    return TrainingClass.objects.create(
        filing_status="accepted",
        project=proj, code=f"BJ-F-{n:05d}", name=f"{proj.name}第{n}期", site_address="济南市历下区经十路1号",
        county_id=proj.county_id, latitude=Decimal("36.65"), longitude=Decimal("117.12"), capacity=50,
        start_date=end - dt.timedelta(days=20), end_date=end,
    )


def trainee(name: str = "", *, county: str = "370102", birth: dt.date = dt.date(1988, 4, 9)) -> Person:
    n = nxt()
    return make_person(name or f"学员{n}", county, birth=birth, seq=100 + n)


SESSIONS_PER_CLASS = 20


def _sessions(k: TrainingClass) -> list[TrainingSession]:
    """The class's 20 one-hour sessions (made on first use), one a day from its start."""
    existing = list(k.sessions.order_by("starts_at"))
    if existing:
        return existing
    org = k.project.organiser
    teacher = Teacher.objects.filter(organisation=org).first() or Teacher.objects.create(
        organisation=org, person=make_person(f"教师{nxt()}", k.county_id, birth=dt.date(1975, 3, 3), seq=5000 + nxt()))
    tz = dt.timezone(dt.timedelta(hours=8))
    return [TrainingSession.objects.create(
        training_class=k, teacher=teacher, topic=f"第{i + 1}课", hours=Decimal("1"),
        starts_at=dt.datetime.combine(k.start_date + dt.timedelta(days=i), dt.time(9), tzinfo=tz),
        ends_at=dt.datetime.combine(k.start_date + dt.timedelta(days=i), dt.time(10), tzinfo=tz),
    ) for i in range(SESSIONS_PER_CLASS)]


def enroll(k: TrainingClass, person: Person, *, status: str = EnrollmentStatus.COMPLETED, rate: str = "0.950",
           subsidised: bool = True, provenance: str = Provenance.CAPTURED) -> Enrollment:
    """An enrollment whose rate is backed by attendance rows (issue 13: money counts evidence):
    ``rate`` × 20 sessions attended in full, ``provenance`` as given."""
    enrollment = Enrollment.objects.create(
        training_class=k, person=person, status=status, attendance_rate=Decimal(rate), subsidised=subsidised,
        completed_on=k.end_date if status == EnrollmentStatus.COMPLETED else None,
    )
    attended = int((Decimal(rate) * SESSIONS_PER_CLASS).to_integral_value())
    Attendance.objects.bulk_create([Attendance(
        enrollment=enrollment, session=s, person_id=person.pk, training_class=k, check_in_at=s.starts_at,
        check_out_at=s.ends_at, method="qr" if provenance == Provenance.CAPTURED else "teacher",
        credited_hours=s.hours, provenance=provenance,
    ) for s in _sessions(k)[:attended]])
    return enrollment


def certificate(person: Person, *, occ: Occupation | None = None, lvl: int = 3, issued_on: dt.date | None = None,
                issuer: Organisation | None = None, valid: bool = True) -> Certificate:
    """A certificate through direct recognition (the cheapest valid origin)."""
    occ = occ or occupation(0)
    issuer = issuer or Organisation.objects.filter(kind="evaluation_institution").first()
    proposer = User.objects.filter(role=Role.INSTITUTION).first()
    decider = User.objects.filter(role=Role.HRSS_OFFICER).first()
    rec = DirectRecognition.objects.create(
        organisation=issuer, person=person, occupation=occ, level=level(lvl), achievements="测试", evidence="测试",
        status=RecognitionStatus.APPROVED, decision_reason="符合条件", proposed_by=proposer, decided_by=decider,
    )
    return Certificate.objects.create(
        number=f"S{nxt():012d}", person=person, occupation=occ, level=level(lvl), mode=EvaluationMode.DIRECT,
        issuer=issuer, issued_on=issued_on or today() - dt.timedelta(days=5), recognition=rec,
        status="valid" if valid else "revoked", revoked_reason="" if valid else "考试作弊", issued_by=decider,
    )


def org_account(p: Personas, org: Organisation | None = None, user: User | None = None) -> PayeeAccount:
    return actions.register_payee_account(
        by=user or p.ivan, holder_name=(org or p.institution).name, bank_name="中国工商银行济南历下支行",
        account_number="6222020200112233445",
    )


@dataclass
class FundedClass:
    """A class with enrolled trainees in an approved project, with a rule table, a budget and the
    institution's payee account: everything a claim needs."""

    p: Personas
    table: SubsidyRuleTable
    budget: Budget
    project: TrainingProject
    klass: TrainingClass
    enrollments: list[Enrollment]
    account: PayeeAccount
    extra: dict[str, Any] = field(default_factory=dict)


def funded_class(p: Personas, *, trainees: int = 3, amount: str = "1000000", allocate: str | None = None, **project_kw: Any) -> FundedClass:
    table = rule_table(p)
    b = budget(p, amount=amount, allocate_to_lixia=allocate)
    proj = project(p, **project_kw)
    k = klass(proj)
    enrollments = [enroll(k, trainee()) for _ in range(trainees)]
    return FundedClass(p, table, b, proj, k, enrollments, org_account(p))


def another_funded_class(w: FundedClass, trainees: int = 2) -> FundedClass:
    """Another class of the same project (same table, budget and account)."""
    k = klass(w.project)
    return FundedClass(w.p, w.table, w.budget, w.project, k, [enroll(k, trainee()) for _ in range(trainees)], w.account)


def enterprise_user(p: Personas, county: str = "370102") -> tuple[Organisation, User]:
    from jixing.core.testing import make_organisation

    org = Organisation.objects.filter(name="济南重工机械有限公司").first() or make_organisation(
        "济南重工机械有限公司", county, "enterprise")
    user = User.objects.filter(username="kate").first() or make_user("kate", Role.INSTITUTION, organisation=org)
    return org, user


def claim_in(w: FundedClass, status: str = ClaimStatus.DRAFT, *, enrollments: list[Enrollment] | None = None) -> Claim:
    """A claim on ``w``'s project walked to ``status`` through the actions."""
    p = w.p
    claim = actions.create_claim(by=p.ivan, project=w.project, enrollment_ids=[e.pk for e in (enrollments or w.enrollments)],
                                 payee_account=w.account)
    path = [ClaimStatus.SUBMITTED, ClaimStatus.COUNTY_REVIEWED, ClaimStatus.PUBLIC_NOTICE, ClaimStatus.PAYABLE]
    if status == ClaimStatus.DRAFT:
        return claim
    actions.submit_claim(claim, by=p.ivan)
    if status == ClaimStatus.SUBMITTED:
        return _fresh(claim)
    actions.county_review(claim, by=p.dave)
    if status == ClaimStatus.COUNTY_REVIEWED:
        return _fresh(claim)
    actions.city_approve(claim, by=p.bob)
    claim = _fresh(claim)
    if status in (ClaimStatus.CITY_APPROVED, ClaimStatus.PUBLIC_NOTICE):
        return claim
    assert status in path or status in (ClaimStatus.PAYING, ClaimStatus.PAID)
    actions.close_public_notice(claim, on=claim.notice_ends_on + dt.timedelta(days=1))
    claim = _fresh(claim)
    if status == ClaimStatus.PAYABLE:
        return claim
    actions.issue_payment_order(claim, by=p.grace, idempotency_key=f"test-key-{claim.pk}-0001")
    claim = _fresh(claim)
    if status == ClaimStatus.PAYING:
        return claim
    raise AssertionError(f"use paid_claim() for {status}")


def _fresh(claim: Claim) -> Claim:
    return Claim.objects.get(pk=claim.pk)


def paid_batch(w: FundedClass, claims: list[Claim] | None = None) -> PaymentBatch:
    """Issue a batch for every payable claim in Jinan, export it and read an all-success return."""
    from jixing.funds import bankfiles

    result = actions.create_payment_batch(by=w.p.grace)
    batch = result.batch
    assert batch is not None
    f = bankfiles.build_payment_file(batch)
    actions.record_bank_file_export(batch, by=w.p.grace, sha256=f.sha256, rows=f.rows, fmt="csv")
    content = bankfiles.return_file_for(batch)
    rows = _rows_of(content)
    actions.reconcile_bank_return(batch, by=w.p.grace, rows=rows, file_name="return.csv",
                                  file_sha256=__import__("hashlib").sha256(content).hexdigest())
    return PaymentBatch.objects.get(pk=batch.pk)


def _rows_of(content: bytes) -> list[actions.ReturnRow]:
    import csv
    import io

    reader = csv.reader(io.StringIO(content.decode("utf-8-sig")))
    next(reader)
    return [actions.ReturnRow(i + 2, r[0], r[1], r[2], r[3], r[4]) for i, r in enumerate(reader)]


def second_county_officer() -> User:
    return User.objects.filter(username="dora").first() or make_user("dora", Role.HRSS_OFFICER, region_id="370102")


def second_city_officer() -> User:
    return User.objects.filter(username="bill").first() or make_user("bill", Role.HRSS_OFFICER, region_id="370100")


def region(code: str) -> Region:
    return Region.objects.get(code=code)


def person_user(person: Person, username: str = "tina") -> User:
    return User.objects.filter(username=username).first() or make_user(username, Role.TRAINEE, person=person)


__all__ = ["FundedClass", "funded_class", "claim_in", "paid_batch", "make_person", "make_organisation", "make_user", "Personas"]


def insured(person: Person, *, months: int, until: dt.date, city: str = "3701", kind: str = "unemployment",
            employer_uscc: str = "91370102MA3C4ABC1X", gap_after: int | None = None) -> None:
    """``months`` months of contributions of ``kind`` ending with the month of ``until`` (with a
    one-year gap after the first ``gap_after`` months when given)."""
    from jixing.employment.models import InsuranceContribution

    month = until.replace(day=1)
    rows = []
    for n in range(months):
        rows.append(InsuranceContribution(person=person, employer_uscc=employer_uscc, month=month, base=Decimal("4500"),
                                          insurance_type=kind, insured_city=city))
        back = 13 if gap_after is not None and n == months - gap_after - 1 else 1
        for _ in range(back):
            month = (month - dt.timedelta(days=1)).replace(day=1)
    InsuranceContribution.objects.bulk_create(rows)


def card_account(p: Personas, person: Person | None = None, number: str = "6228480012345678901") -> PayeeAccount:
    person = person or p.lixia_person
    by = User.objects.filter(role=Role.TRAINEE, person=person).first()
    return actions.register_card_account(by=by, person=person, bank_name="中国农业银行", account_number=number)
