"""Demo funds data (runs after the training and evaluation demos).

- Subsidy standards for every city (version 1 from 2025-01-01; Jinan also has a version 2 from
  2026-01-01 with higher amounts), with a few shortage occupations per city. Amounts are
  demo values in the range of the national ceilings noted in reference/subsidy_rules.md.
- Budgets 2025–2027 (and the current year) of five fund sources: appropriated to the province
  and allocated to every city; Jinan allocates on to its counties.
- Claims for a share of the completed enrollments, left in every state of the review, one
  Jinan payment batch paid and reconciled, one recovery with a first instalment, staff
  education fund reports of the enterprises.
- 技能提升补贴 by the published rules: one Jinan person per case (eligible, 11 months, pension
  rows only, drawing benefit on the day, insured in Qingdao, blacklisted, no card account).
- 求学圆梦: study records of three Jinan persons (graduated, still studying, graduated long
  ago) and one submitted education claim.

Everything goes through the actions (real checks, ledger postings and audit rows); the only
shortcut is that public notices are closed "as of" their end date. Deterministic: ``ctx.rng``.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
from collections import defaultdict
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from jixing.accounts.models import Role, User
from jixing.core.access import within_region
from jixing.core.demo import DemoContext
from jixing.core.workflow import IllegalTransition
from jixing.plan.models import FundSource
from jixing.registry.models import (
    Occupation,
    Organisation,
    OrganisationKind,
    Person,
    Region,
    RegionLevel,
    SkillLevel,
    TargetGroup,
)
from jixing.training.models import Enrollment

from . import actions, bankfiles, queries
from .demo_self_training import seed_self_training_claims
from .models import Claim, ClaimStatus, PayeeAccount, SubsidyItem

# Every source the seed pools (二(五) 统筹): enterprises' staff education funds included, for the
# projects enterprises run with them.
SOURCES = ("employment_subsidy", "unemployment_insurance", "staff_education", "sector_department", "mass_organisation",
           "skills_special_account")
PROVINCE_AMOUNT = {  # yuan per year at the province, before allocation to cities
    "employment_subsidy": Decimal("80000000"), "unemployment_insurance": Decimal("40000000"),
    "staff_education": Decimal("6000000"), "sector_department": Decimal("12000000"),
    "mass_organisation": Decimal("4000000"), "skills_special_account": Decimal("8000000"),
}
SHARE_CLAIMED = 0.6
MAX_LINES = {"small": 240, "medium": 2400}
REFUSED = (ValidationError, PermissionDenied, IllegalTransition, actions.Conflict)


def _user(username: str, role: str, **fields: Any) -> User:
    """A demo staff account without a usable password (only the accounts of registry.demo_accounts log in)."""
    user = User.objects.filter(username=username).first()
    if user is None:
        user = User(username=username, role=role, is_demo=True, **fields)
        user.set_unusable_password()
        user.save()
    return user


def _org_user(org: Organisation) -> User:
    user = User.objects.filter(organisation=org, role=Role.INSTITUTION).order_by("id").first()
    return user or _user(f"org{org.pk}-institution", Role.INSTITUTION, organisation=org)


def _rates(factor: Decimal, levels: dict[int, SkillLevel], groups: dict[str, TargetGroup]) -> list[dict[str, Any]]:
    def amount(value: int) -> Decimal:
        return (Decimal(value) * factor).quantize(Decimal("10"))

    rates: list[dict[str, Any]] = [
        {"item": SubsidyItem.VOCATIONAL_TRAINING, "amount": amount(600), "note": "培训合格"},
        {"item": SubsidyItem.VOCATIONAL_TRAINING, "certificate_type": "special_ability", "amount": amount(800)},
    ]
    for order, value in ((2, 1000), (3, 1500), (4, 2000), (5, 3000), (6, 3500)):
        if order in levels:
            rates.append({"item": SubsidyItem.VOCATIONAL_TRAINING, "certificate_type": "skill_level",
                          "level": levels[order], "amount": amount(value)})
    for order, value in ((2, 1000), (3, 1500), (4, 2000)):  # 技能提升补贴 ceilings ([V] subsidy_rules.md 2.1)
        if order in levels:
            rates.append({"item": SubsidyItem.SKILL_UPGRADE, "payee_kind": "person", "level": levels[order], "amount": Decimal(value)})
    rates += [
        {"item": SubsidyItem.APPRENTICESHIP, "amount": amount(5000), "note": "每人每年不低于4000元（人社部发〔2018〕66号）"},
        {"item": SubsidyItem.ENTREPRENEURSHIP, "amount": amount(1000)},
        {"item": SubsidyItem.EVALUATION, "certificate_type": "skill_level", "amount": amount(300)},
        # 求学圆梦: a fixed 1,000 yuan per person (德州/青岛 trade-union notices 2025, docs/education_subsidy.md)
        {"item": SubsidyItem.EDUCATION, "payee_kind": "person", "amount": Decimal("1000.00"), "note": "求学圆梦：每人1000元（工会通知2025）"},
    ]
    for code in ("employment_difficulty", "poverty_monitoring"):
        if code in groups:
            rates.append({"item": SubsidyItem.LIVING_ALLOWANCE, "target_group": groups[code], "amount": amount(300)})
    return rates


def _uplifts(groups: dict[str, TargetGroup]) -> list[dict[str, Any]]:
    uplifts: list[dict[str, Any]] = [
        {"kind": "shortage", "percent": Decimal("20"), "note": "紧缺职业上浮"},
        {"kind": "employed_6m", "item": SubsidyItem.VOCATIONAL_TRAINING, "fixed_amount": Decimal("300"),
         "note": "6个月内就业（鲁人社字〔2025〕37号）"},
    ]
    if "employment_difficulty" in groups:
        uplifts.append({"kind": "target_group", "target_group": groups["employment_difficulty"], "percent": Decimal("10")})
    return uplifts


def _rule_tables(ctx: DemoContext, cities: list[Region], province_officer: User) -> None:
    levels = {lv.pk: lv for lv in SkillLevel.objects.all()}
    groups = {g.code: g for g in TargetGroup.objects.all()}
    occupations = list(Occupation.objects.order_by("id"))
    for city in cities:
        factor = Decimal(ctx.rng.choice(["0.8", "0.9", "1.0"]))
        shortage = ctx.rng.sample(occupations, k=min(3, len(occupations)))
        actions.publish_rule_table(
            by=province_officer, city=city, valid_from=dt.date(2025, 1, 1),
            name=f"{city.name}职业技能培训补贴标准", basis=f"{city.short_name or city.name}人社发〔2025〕（演示）",
            public_notice_days=ctx.rng.choice([5, 7]), rates=_rates(factor, levels, groups), uplifts=_uplifts(groups),
            shortage_occupations=shortage,
        )
        if city.code == "370100":
            actions.publish_rule_table(
                by=province_officer, city=city, valid_from=dt.date(2026, 1, 1), name="济南市职业技能培训补贴标准（2026年修订）",
                basis="济人社发〔2026〕（演示）", public_notice_days=7, rates=_rates(factor + Decimal("0.1"), levels, groups),
                uplifts=_uplifts(groups), shortage_occupations=shortage,
            )
    ctx.counts["subsidy_rule_tables"] = len(cities) + 1


def _budgets(ctx: DemoContext, cities: list[Region], finance_province: User, finance_jinan: User) -> None:
    province = Region.objects.get(code="370000")
    this_year = timezone.localdate().year
    years = sorted({2025, 2026, 2027, this_year})
    sources = list(FundSource.objects.filter(code__in=SOURCES).order_by("id"))
    budgets = 0
    for year in years:
        for source in sources:
            total = PROVINCE_AMOUNT[source.code]
            root = actions.create_budget(by=finance_province, fund_source=source, year=year, region=province,
                                         amount=total, document=f"鲁财社〔{year}〕演示{source.pk}号")
            budgets += 1
            share = (total * Decimal("0.8") / len(cities)).quantize(Decimal("1000"))
            for city in cities:
                amount = (share * Decimal(ctx.rng.choice(["0.8", "1.0", "1.2"]))).quantize(Decimal("1000"))
                actions.allocate(root, by=finance_province, region=city, amount=amount, document=f"鲁财社〔{year}〕下达")
                budgets += 1
            if source.code == "employment_subsidy" and year == this_year:
                jinan = root.children.get(region_id="370100")
                for county in Region.objects.filter(parent_id="370100").order_by("code")[:4]:
                    actions.allocate(jinan, by=finance_jinan, region=county, amount=Decimal("150000"),
                                     document=f"济财社〔{year}〕下达")
                    budgets += 1
    ctx.counts["budgets"] = budgets


def _reviewers(claim: Claim) -> tuple[User, User]:
    """County review by the county's demo officer (``lixia``) or a city officer, city approval by
    another city officer (maker ≠ checker); the demo logins ``jinan``/``qingdao`` approve in
    their own cities so that their pages have history."""
    city = Region.objects.get(code=queries.city_code(claim.county_id))
    logins = User.objects.filter(role=Role.HRSS_OFFICER, is_demo=True).exclude(username__startswith="demo-")
    county_reviewer = logins.filter(region_id=claim.county_id).order_by("id").first() \
        or _user(f"demo-review-{city.code}", Role.HRSS_OFFICER, region=city)
    approver = logins.filter(region=city).order_by("id").first() \
        or _user(f"demo-approve-{city.code}", Role.HRSS_OFFICER, region=city)
    return county_reviewer, approver


def _account_for(ctx: DemoContext, org: Organisation, user: User) -> PayeeAccount:
    existing = PayeeAccount.objects.filter(organisation=org).first()
    if existing:
        return existing
    number = "6222" + "".join(str(ctx.rng.randrange(10)) for _ in range(15))
    return actions.register_payee_account(by=user, holder_name=org.name, bank_name=ctx.rng.choice(
        ["中国工商银行", "中国农业银行", "中国建设银行", "中国银行", "齐鲁银行"]) + "营业部", account_number=number)


def _claims(ctx: DemoContext, province_officer: User) -> list[Claim]:
    completed = list(
        Enrollment.objects.completed().select_related("training_class__project__county", "person")
        .filter(training_class__project__is_subsidised=True).order_by("id")
    )
    ctx.rng.shuffle(completed)
    completed = completed[: min(int(len(completed) * SHARE_CLAIMED), MAX_LINES.get(ctx.scale, 240))]
    by_class: dict[int, list[Enrollment]] = defaultdict(list)  # institutions claim class by class (期)
    for e in completed:
        by_class[e.training_class_id].append(e)
    claims: list[Claim] = []
    for _class_id, enrollments in sorted(by_class.items()):
        project = enrollments[0].training_class.project
        org = project.organiser
        if org.is_blocked_on(timezone.localdate()):
            continue
        user = _org_user(org)
        account = _account_for(ctx, org, user)
        try:
            claims.append(actions.create_claim(by=user, project=project, enrollment_ids=[e.pk for e in enrollments],
                                               payee_account=account, skip_ineligible=True))
        except REFUSED:
            continue
    ctx.counts["subsidy_claims"] = len(claims)
    return claims


def _advance(ctx: DemoContext, claims: list[Claim], province_officer: User) -> None:
    """Spread the claims over the states of the review."""
    states = {"draft": 0, "submitted": 0, "county_reviewed": 0, "public_notice": 0, "payable": 0, "returned": 0,
              "rejected": 0, "refused": 0}
    for claim in claims:
        roll = ctx.rng.random()
        reviewer, approver = _reviewers(claim)
        maker = claim.created_by
        try:
            if roll < 0.08:
                states["draft"] += 1
                continue
            actions.submit_claim(claim, by=maker)
            if roll < 0.18:
                states["submitted"] += 1
                continue
            if roll < 0.22:
                actions.return_claim(claim, by=reviewer, reason="请补充学员实名签到记录和培训影像资料（演示）")
                states["returned"] += 1
                continue
            actions.county_review(claim, by=reviewer, note="资料齐全（演示）")
            if roll < 0.32:
                states["county_reviewed"] += 1
                continue
            actions.city_approve(claim, by=approver, note="同意（演示）")
            claim.refresh_from_db()
            if claim.status == ClaimStatus.CITY_APPROVED:
                actions.province_approve(claim, by=province_officer)
                claim.refresh_from_db()
            if roll < 0.36:
                actions.reject_claim(claim, by=approver, reason="公示期间收到实名举报，经核查部分学员未实际参训（演示）")
                states["rejected"] += 1
                continue
            if roll < 0.50:
                states["public_notice"] += 1
                continue
            # Demo shortcut: the notice period is treated as elapsed.
            ends = claim.notice_ends_on or timezone.localdate()
            actions.close_public_notice(claim, on=ends + dt.timedelta(days=1))
            states["payable"] += 1
        except REFUSED:
            states["refused"] += 1
    ctx.counts.update({f"claims_{k}": v for k, v in states.items() if v})


def _pay_one_city(ctx: DemoContext, finance_jinan: User) -> None:
    """One batch — Jinan's when it has payable claims, else the city with the most — issued,
    exported, returned by the bank all paid, and reconciled."""
    payable = Claim.objects.filter(status=ClaimStatus.PAYABLE)
    cities = [queries.city_code(c) for c in payable.values_list("county_id", flat=True)]
    if not cities:
        return
    city = "370100" if "370100" in cities else max(sorted(set(cities)), key=cities.count)
    finance = finance_jinan if city == "370100" else _user(f"demo-finance-{city}", Role.FINANCE_OFFICER, region_id=city)
    try:
        result = actions.create_payment_batch(by=finance)
    except REFUSED:
        return
    batch = result.batch
    assert batch is not None
    bank_file = bankfiles.build_payment_file(batch)
    actions.record_bank_file_export(batch, by=finance, sha256=bank_file.sha256, rows=bank_file.rows, fmt="csv")
    content = bankfiles.return_file_for(batch)
    reader = csv.reader(io.StringIO(content.decode("utf-8-sig")))
    next(reader)
    rows = [actions.ReturnRow(n, r[0], r[1], r[2], r[3], r[4]) for n, r in enumerate(reader, start=2)]
    actions.reconcile_bank_return(batch, by=finance, rows=rows, file_name=f"{batch.number}-回单.csv",
                                  file_sha256=hashlib.sha256(content).hexdigest())
    ctx.counts["payment_orders_paid"] = batch.orders.count()


def _paying_officer(claim: Claim) -> User | None:
    """The finance officer who paid the claim."""
    order = claim.payment_orders.filter(status="succeeded").select_related("created_by").first()
    return order.created_by if order else None


def _recovery(ctx: DemoContext) -> None:
    claim = Claim.objects.filter(status=ClaimStatus.PAID, organisation__isnull=False).order_by("id").first()
    if claim is None:
        return
    _reviewer, officer = _reviewers(claim)
    finance = _paying_officer(claim)
    line = claim.lines.filter(status="live").order_by("id").first()
    if finance is None or line is None:
        return
    order = actions.create_recovery_order(
        by=officer, payer=claim.organisation, amount=line.amount, claim=claim,
        reason=f"经核查，学员{line.person.name}未实际参加培训，属虚假培训骗取补贴（演示）",
        deadline=timezone.localdate() + dt.timedelta(days=30), case_ref="JC-DEMO-0001",
    )
    actions.record_recovery_instalment(order, by=finance, amount=(line.amount / 2).quantize(Decimal("0.01")),
                                       reference="YH-DEMO-ZH-1")
    ctx.counts["recovery_orders"] = 1


def _staff_education(ctx: DemoContext) -> None:
    year = timezone.localdate().year - 1
    reports = 0
    for org in Organisation.objects.filter(kind=OrganisationKind.ENTERPRISE).order_by("id"):
        user = _org_user(org)
        payroll = Decimal(ctx.rng.randrange(5_000_000, 80_000_000))
        extracted = (payroll * Decimal(ctx.rng.choice(["0.015", "0.02", "0.025"]))).quantize(Decimal("0.01"))
        spent = (extracted * Decimal(ctx.rng.choice(["0.7", "0.85", "0.95"]))).quantize(Decimal("0.01"))
        share = Decimal(ctx.rng.choice(["0.45", "0.55", "0.62", "0.7", "0.8"]))
        actions.report_staff_education(by=user, year=year, payroll_total=payroll, extracted=extracted, spent=spent,
                                       spent_frontline=(spent * share).quantize(Decimal("0.01")))
        reports += 1
    ctx.counts["staff_education_reports"] = reports


# school, programme, level, mode, enrolled on, frontline post, insured (contributions at the employer)
STUDIES = (
    ("山东开放大学", "机械设计制造及其自动化", "bachelor", "open_university", dt.date(2025, 3, 1), "数控车工", True),
    ("济南职业学院", "电气自动化技术", "college", "adult_exam", dt.date(2024, 3, 1), "维修电工", True),
    ("山东理工大学", "会计学", "bachelor", "self_study", dt.date(2025, 9, 1), "仓储理货员", False),
)


def _demo_chsi(person: Person, n: int) -> tuple[str, str]:
    """Well-formed demo 学信网 numbers (not real reports)."""
    return f"DEMO{person.pk:08d}{n:02d}", f"DEMO{person.pk:010d}{n:02d}"


def _studies(ctx: DemoContext) -> None:
    """求学圆梦 on three Jinan persons, each refusal reason shown on one of them:
    - the first (enrolled 2025-03, insured) claims and submits: a Lixia trade-union officer
      reviews it at county level, the Jinan one approves it (union review path), and a second
      bachelor's study of the same person shows "once per level";
    - the second enrolled 2024-03, before the start date 2024-09-01;
    - the third has no contribution at the employer on the claim date;
    and a fourth, a Lixia person, whose claim is submitted and waits for the Lixia trade union."""
    from jixing.employment.models import InsuranceContribution

    day = timezone.localdate()
    employers = list(Organisation.objects.filter(within_region("county", "370100"), kind=OrganisationKind.ENTERPRISE)
                     .order_by("id")[:3])
    persons = list(Person.objects.filter(within_region("current_region", "370100")).order_by("id")[:len(STUDIES)])
    if not employers or not persons:
        return
    claims = 0
    this_month = day.replace(day=1)
    for i, (person, row) in enumerate(zip(persons, STUDIES, strict=False)):
        school, programme, level, mode, enrolled, post, insured = row
        employer = employers[i % len(employers)]
        user = User.objects.filter(person=person).first() or _user(f"demo-trainee-{person.pk}", Role.TRAINEE, person=person)
        if user.role != Role.TRAINEE:
            continue
        if insured:
            for back in range(3):
                month = (this_month - dt.timedelta(days=28 * back)).replace(day=1)
                InsuranceContribution.objects.get_or_create(
                    person=person, employer_uscc=employer.uscc, month=month,
                    defaults={"employer": employer, "base": Decimal("4500.00")})
        report, code = _demo_chsi(person, 1)
        study = actions.record_study(
            by=user, school=school, programme=programme, level=level, mode=mode, student_number=f"DEMO{person.pk:08d}",
            enrolled_on=enrolled, employer=employer, frontline_post=post, chsi_report_number=report,
            chsi_verification_code=code, evidence_note="学籍在线验证报告（演示）",
        )
        ctx.counts["study_records"] = ctx.counts.get("study_records", 0) + 1
        if i != 0:
            continue
        account = PayeeAccount.objects.active().filter(person=person).first() or actions.register_payee_account(
            by=user, holder_name=person.name, bank_name="中国农业银行营业部", account_number=f"62284800{person.pk:011d}")
        try:
            claim = actions.create_education_claim(by=user, study=study, payee_account=account)
            actions.submit_claim(claim, by=user)
            lixia_union = User.objects.filter(role=Role.UNION_OFFICER, region_id=claim.county_id).order_by("id").first() \
                or _user(f"demo-union-{claim.county_id}", Role.UNION_OFFICER, region_id=claim.county_id)
            actions.county_review(claim, by=lixia_union, note="学籍在线验证报告已核验（演示）")
        except REFUSED:
            continue
        claims += 1
        report, code = _demo_chsi(person, 2)  # a second bachelor's programme: "once per level" shows
        actions.record_study(
            by=user, school="山东大学", programme="工商管理", level=level, mode="online", enrolled_on=enrolled,
            employer=employer, frontline_post=post, chsi_report_number=report, chsi_verification_code=code,
        )
        ctx.counts["study_records"] += 1
    waiting = (Person.objects.filter(within_region("current_region", "370102"))
               .exclude(pk__in=[p.pk for p in persons]).order_by("id").first())
    if waiting is not None:
        claims += _waiting_education_claim(ctx, waiting, employers[0], this_month)
    ctx.counts["education_claims"] = claims


def _waiting_education_claim(ctx: DemoContext, person: Person, employer: Organisation, this_month: dt.date) -> int:
    """A submitted 求学圆梦 claim left for the county trade union (its to-do and message)."""
    from jixing.employment.models import InsuranceContribution

    user = User.objects.filter(person=person).first() or _user(f"demo-trainee-{person.pk}", Role.TRAINEE, person=person)
    if user.role != Role.TRAINEE:
        return 0
    for back in range(3):
        month = (this_month - dt.timedelta(days=28 * back)).replace(day=1)
        InsuranceContribution.objects.get_or_create(person=person, employer_uscc=employer.uscc, month=month,
                                                    defaults={"employer": employer, "base": Decimal("4200.00")})
    school, programme, level, mode, enrolled, post, _insured = STUDIES[0]
    report, code = _demo_chsi(person, 1)
    study = actions.record_study(
        by=user, school=school, programme=programme, level=level, mode=mode, student_number=f"DEMO{person.pk:08d}",
        enrolled_on=enrolled, employer=employer, frontline_post=post, chsi_report_number=report,
        chsi_verification_code=code, evidence_note="学籍在线验证报告（演示）",
    )
    ctx.counts["study_records"] = ctx.counts.get("study_records", 0) + 1
    account = PayeeAccount.objects.active().filter(person=person).first() or actions.register_payee_account(
        by=user, holder_name=person.name, bank_name="中国农业银行营业部", account_number=f"62284800{person.pk:011d}")
    try:
        actions.submit_claim(actions.create_education_claim(by=user, study=study, payee_account=account), by=user)
    except REFUSED:
        return 0
    return 1


SKILL_UPGRADE_CASES = (
    # (case, unemployment months, city, other insurance type months, benefit on the day, blocked, card account)
    ("eligible", 14, "3701", 0, False, False, True),
    ("eleven_months", 11, "3701", 0, False, False, True),
    ("pension_only", 0, "3701", 30, False, False, True),
    ("benefit_day", 3, "3701", 0, True, False, True),
    ("insured_elsewhere", 12, "3702", 0, False, False, True),
    ("blacklisted", 12, "3701", 0, False, True, True),
    ("no_card_account", 12, "3701", 0, False, False, False),
)


def _months_back(end: dt.date, n: int) -> list[dt.date]:
    out, month = [], end.replace(day=1)
    for _n in range(n):
        out.append(month)
        month = (month - dt.timedelta(days=1)).replace(day=1)
    return out


def _skill_upgrade_cases(ctx: DemoContext, province_officer: User) -> None:
    """技能提升补贴 by the published rules, one demo person per case: each refusal reason shows on
    the person's 我的补贴 page, and the claims that pass carry the months found and the card account."""
    from jixing.employment.models import InsuranceContribution, InsuranceType, UnemploymentBenefitPeriod
    from jixing.evaluation.models import Certificate
    from jixing.registry.actions import restrict_person

    day = timezone.localdate()
    insured = set(InsuranceContribution.objects.values_list("person_id", flat=True).distinct())
    claimed = set(Claim.objects.filter(subsidy_item=SubsidyItem.SKILL_UPGRADE).values_list("person_id", flat=True))
    certs = [c for c in Certificate.objects.valid().filter(within_region("person__current_region", "370100"),
                                                           issued_on__gte=day - dt.timedelta(days=330))
             .select_related("person", "occupation", "level").order_by("id")
             if c.person_id not in insured and c.person_id not in claimed]
    jinan_officer = User.objects.filter(role=Role.HRSS_OFFICER, region_id="370100").order_by("id").first() or province_officer
    seen: set[int] = set()
    done = 0
    for case, months, city, others, benefit, blocked, card in SKILL_UPGRADE_CASES:
        cert = next((c for c in certs if c.person_id not in seen), None)
        if cert is None:
            break
        seen.add(cert.person_id)
        person = cert.person
        rows = [InsuranceContribution(person=person, employer_uscc=f"91{city}00MA3DEMO{n:03d}"[:18], month=m,
                                      base=Decimal("4800"), insurance_type=InsuranceType.UNEMPLOYMENT, insured_city=city)
                for n, m in enumerate(_months_back(cert.issued_on, months))]
        rows += [InsuranceContribution(person=person, employer_uscc=f"91{city}00MA3DEMO999", month=m, base=Decimal("4800"),
                                       insurance_type=InsuranceType.PENSION, insured_city=city)
                 for m in _months_back(cert.issued_on, others)]
        InsuranceContribution.objects.bulk_create(rows)
        if benefit:
            UnemploymentBenefitPeriod.objects.create(person=person, starts_on=cert.issued_on - dt.timedelta(days=45),
                                                     ends_on=cert.issued_on + dt.timedelta(days=90), city=city)
        if blocked:
            restrict_person(person, by=jinan_officer, kind="blacklist", reason="骗取培训补贴，列入黑名单（演示）",
                            starts_on=day - dt.timedelta(days=30), reference="JC-DEMO-001")
        user = User.objects.filter(person=person).first() or _user(f"demo-trainee-{person.pk}", Role.TRAINEE, person=person)
        number = f"62170000{person.pk:011d}"
        account: PayeeAccount | None
        if card:
            account = actions.register_card_account(by=jinan_officer, person=person, bank_name="中国工商银行济南分行",
                                                    account_number=number, source="card_bank_file")
        else:
            account = actions.register_payee_account(by=user, holder_name=person.name, bank_name="招商银行济南分行",
                                                     account_number=number) if user.role == Role.TRAINEE else None
        ctx.counts[f"skill_upgrade_{case}"] = person.pk
        try:
            claim = actions.create_person_claim(by=user, certificate=cert, payee_account=account)
            actions.submit_claim(claim, by=user)
            done += 1
        except (actions.ClaimRefused, *REFUSED):
            continue  # the reason shows on the person's page and in the claim form
    ctx.counts["skill_upgrade_claims"] = done
    # every demo login of a person gets the card account the card bank's file would bring
    for trainee in User.objects.filter(role=Role.TRAINEE, person__isnull=False).select_related("person").order_by("id"):
        person = trainee.person
        assert person is not None
        if person.pk in seen or PayeeAccount.objects.filter(person=person, kind="social_security_card").exists():
            continue
        if not person.current_region_id.startswith(jinan_officer.region_id[:2] if jinan_officer.region_id else "37"):
            continue
        officer = province_officer if not person.current_region_id.startswith("3701") else jinan_officer
        actions.register_card_account(by=officer, person=person, bank_name="中国工商银行", source="card_bank_file",
                                      account_number=f"62170001{person.pk:011d}")


def seed(ctx: DemoContext) -> None:
    cities = list(Region.objects.home().filter(level=RegionLevel.CITY).order_by("code"))
    if not cities:
        return
    province_officer = User.objects.filter(role=Role.HRSS_OFFICER, region_id="370000").order_by("id").first() \
        or _user("demo-hrss-province", Role.HRSS_OFFICER, region_id="370000")
    finance_province = _user("demo-finance-province", Role.FINANCE_OFFICER, region_id="370000")
    finance_jinan = User.objects.filter(role=Role.FINANCE_OFFICER, region_id="370100").order_by("id").first() \
        or _user("demo-finance-jinan", Role.FINANCE_OFFICER, region_id="370100")
    _rule_tables(ctx, cities, province_officer)
    _budgets(ctx, cities, finance_province, finance_jinan)
    claims = _claims(ctx, province_officer)
    _advance(ctx, claims, province_officer)
    _pay_one_city(ctx, finance_jinan)
    _recovery(ctx)
    _staff_education(ctx)
    _studies(ctx)
    _skill_upgrade_cases(ctx, province_officer)
    seed_self_training_claims(ctx)  # 自主参训 (issue 17)
    # 揭榜领题 milestones the training demo decided get their released / withheld tranche.
    ctx.counts["milestone_payments"] = actions.record_decided_milestone_payments(by=province_officer)
    ctx.shared["subsidy_claims"] = claims
