"""Demo outcomes (runs AFTER training and evaluation, as ``employment.demo_outcomes``):
social-insurance contribution rows before and after training for a share of completers (some
with wage rises, some with employers not in the registry), a few held rows of unregistered
persons, placements from every source (derived from contributions, enterprise confirmations
and institution reports waiting in the verification queue, self-reports of flexible work and
start-ups), referrals to open demands with results, and skill pay reports by level."""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal

from django.utils import timezone

from jixing.accounts.models import Role, User
from jixing.core.demo import DemoContext
from jixing.registry.idgen import make_id_number, make_uscc
from jixing.registry.models import Organisation, OrganisationKind, Person, SkillLevel

from . import actions, queries
from .models import (
    HeldContribution,
    InsuranceContribution,
    InsuranceType,
    JobDemand,
    JobDemandStatus,
    Placement,
    PlacementKind,
    PlacementSource,
    SkillPayReport,
    VerificationStatus,
)
from .rules import add_months, month_start

RAISES = [Decimal(x) for x in ("1.00", "1.05", "1.10", "1.15", "1.20", "1.30", "1.45")]
PAY_BY_LEVEL = {1: 3600, 2: 4300, 3: 5200, 4: 6400, 5: 8200, 6: 10500, 7: 13000, 8: 16000}


def _money(value: Decimal) -> Decimal:
    return (value / 50).quantize(Decimal(1), rounding=ROUND_HALF_UP) * 50


def seed(ctx: DemoContext) -> None:
    from jixing.training.models import Enrollment

    rng = ctx.rng
    today = timezone.localdate()
    last_month = add_months(month_start(today), -1)  # the latest month the insurance office has closed
    enterprises = list(Organisation.objects.filter(kind=OrganisationKind.ENTERPRISE).order_by("id"))
    officer = User.objects.filter(role=Role.HRSS_OFFICER, region_id="370000").order_by("id").first()
    staff = {u.organisation_id: u for u in User.objects.filter(role=Role.INSTITUTION).order_by("id")}
    if not enterprises or officer is None:
        return
    enrollments = list(Enrollment.objects.completed().select_related(
        "training_class", "training_class__project", "training_class__project__organiser", "person",
        "person__current_region").order_by("id"))

    # ---- contribution rows before and after training
    rows: dict[tuple[int, str, dt.date], InsuranceContribution] = {}

    def add(person_id: int, employer: Organisation | None, uscc: str, first: dt.date, months: int, base: Decimal) -> None:
        month = first
        for _n in range(months):
            if month > last_month:
                break
            # 失业保险 paid where the employer is registered (its credit code's region, GB 32100).
            rows.setdefault((person_id, uscc, month), InsuranceContribution(
                person_id=person_id, employer=employer, employer_uscc=uscc, month=month, base=base,
                insurance_type=InsuranceType.UNEMPLOYMENT, insured_city=uscc[2:6]))
            month = add_months(month, 1)

    latest: dict[int, Enrollment] = {}
    for e in enrollments:
        latest[e.person_id] = e  # ordered by id: the last one wins
    for e in latest.values():
        start, done = e.training_class.start_date, e.completed_on
        assert done is not None  # completed enrollments carry their date (check constraint)
        before_base = None
        if rng.random() < 0.45:
            former = rng.choice(enterprises)
            before_base = _money(Decimal(rng.randrange(2600, 5200)))
            add(e.person_id, former, former.uscc, add_months(month_start(start), -6), 6, before_base)
        if rng.random() < 0.68:
            employer: Organisation | None
            if rng.random() < 0.8:
                employer = rng.choice(enterprises)
                uscc = employer.uscc
            else:  # an employer the registry does not know (yet)
                employer, uscc = None, make_uscc(e.training_class.county_id, rng)
            first = add_months(month_start(done), rng.choice((0, 1, 1, 2, 3, 5, 7)))
            base = (_money(before_base * rng.choice(RAISES)) if before_base
                    else _money(Decimal(rng.randrange(3400, 7200))))
            add(e.person_id, employer, uscc, first, rng.randrange(4, 16), base)
    InsuranceContribution.objects.bulk_create(rows.values(), batch_size=2000)
    ctx.counts["contributions"] = len(rows)

    # ---- rows of persons not registered yet: kept aside until they are
    held = []
    seen: set[str] = set()
    counties = [c for cs in ctx.shared.get("counties_by_city", {}).values() for c in cs] or [None]
    for n in range(24):
        county = rng.choice(counties)
        code = county.code if county is not None else "370102"
        number = make_id_number(code, dt.date(rng.randrange(1975, 2004), rng.randrange(1, 13), rng.randrange(1, 28)),
                                rng.randrange(0, 1000))
        if number in seen or Person.objects.with_id_number(number).exists():
            continue
        seen.add(number)
        employer = rng.choice(enterprises)
        for k in range(rng.randrange(1, 4)):
            held.append(HeldContribution(
                id_number=number, id_number_hash=Person.hash_id_number(number), employer_uscc=employer.uscc,
                month=add_months(last_month, -k - (n % 3)), base=_money(Decimal(rng.randrange(3000, 6000))),
                insurance_type=InsuranceType.UNEMPLOYMENT, insured_city=employer.uscc[2:6],
            ))
    HeldContribution.objects.bulk_create(held)
    ctx.counts["held_contributions"] = len(held)

    # ---- placements derived from contributions (verified), then reported ones
    effects = actions.after_contributions_changed(latest.keys())
    ctx.counts["placements_from_insurance"] = effects["placements_derived"]
    placed = set(Placement.objects.values_list("person_id", flat=True))
    unplaced = [e for e in latest.values() if e.person_id not in placed]
    rng.shuffle(unplaced)
    reported: list[Placement] = []
    for i, e in enumerate(unplaced[: max(6, len(unplaced) // 4)]):
        assert e.completed_on is not None
        start = min(e.completed_on + dt.timedelta(days=rng.randrange(5, 150)), today - dt.timedelta(days=3))
        wage = _money(Decimal(rng.randrange(3000, 6500)))
        kind = i % 4
        if kind == 0:  # enterprise confirmation: waits in the queue (no contributions yet)
            employer = rng.choice(enterprises)
            reported.append(Placement(
                person_id=e.person_id, enrollment=e, kind=PlacementKind.EMPLOYED, employer=employer,
                employer_uscc=employer.uscc, employer_name=employer.name, county=employer.county, post="技术工人",
                start_date=start, monthly_wage=wage, source=PlacementSource.ENTERPRISE,
                evidence="劳动合同（演示）", reported_by=staff.get(employer.pk), reporting_organisation=employer,
            ))
        elif kind == 1:  # institution report of a graduate's job
            employer = rng.choice(enterprises)
            organiser = e.training_class.project.organiser
            reported.append(Placement(
                person_id=e.person_id, enrollment=e, kind=PlacementKind.EMPLOYED, employer=employer,
                employer_uscc=employer.uscc, employer_name=employer.name, county=employer.county,
                start_date=start, monthly_wage=wage, source=PlacementSource.INSTITUTION, evidence="回访记录（演示）",
                reported_by=staff.get(organiser.pk), reporting_organisation=organiser,
            ))
        elif kind == 2:  # flexible employment, self-reported
            reported.append(Placement(
                person_id=e.person_id, enrollment=e, kind=PlacementKind.FLEXIBLE, county=e.person.current_region,
                post=rng.choice(("网约车司机", "外卖骑手", "家政服务", "直播电商")), start_date=start, monthly_wage=wage,
                source=PlacementSource.SELF_REPORT, evidence="平台服务协议截图（演示）",
                status=rng.choice((VerificationStatus.UNVERIFIED, VerificationStatus.VERIFIED)),
            ))
        else:  # business start-up after entrepreneurship training
            reported.append(Placement(
                person_id=e.person_id, enrollment=e, kind=PlacementKind.STARTUP, county=e.person.current_region,
                business_licence_uscc=make_uscc(e.person.current_region_id, rng, kind="92"), post="个体工商户",
                start_date=start, monthly_wage=wage, source=PlacementSource.SELF_REPORT, evidence="营业执照（演示）",
                status=rng.choice((VerificationStatus.UNVERIFIED, VerificationStatus.VERIFIED)),
            ))
    now = timezone.now()
    for p in reported:
        if p.status == VerificationStatus.VERIFIED:
            p.verified_by, p.verified_at, p.verification_note = officer, now, "现场核验（演示）"
    Placement.objects.bulk_create(reported)
    ctx.counts["placements_reported"] = len(reported)

    # ---- referrals to open demands, with results
    referrals = hired = 0
    for demand in JobDemand.objects.filter(status=JobDemandStatus.OPEN).order_by("id")[:12]:
        for n, candidate in enumerate(queries.candidates_for(demand, officer, limit=3)):
            referral = actions.refer_candidate(demand, candidate.person, by=officer, note="演示推荐")
            referrals += 1
            if n == 0:
                actions.record_referral_result(referral, "interviewed", by=officer)
                if rng.random() < 0.6:
                    actions.record_referral_result(
                        referral, "hired", by=officer, start_date=today - dt.timedelta(days=rng.randrange(3, 40)),
                        monthly_wage=demand.wage_min,
                    )
                    hired += 1
            elif n == 2:
                actions.record_referral_result(referral, "declined", by=officer, note="未到面试")
    ctx.counts["referrals"] = referrals
    ctx.counts["referrals_hired"] = hired

    # ---- skill pay reports: the last two years, the levels each enterprise has
    levels = {lv.pk: lv for lv in SkillLevel.objects.all()}
    reports = []
    for org in enterprises:
        top = rng.choice((4, 5, 6, 6, 7, 8))
        premium = Decimal(str(rng.choice((0.9, 1.0, 1.05, 1.15, 1.3))))
        for year in (today.year - 2, today.year - 1):
            growth = Decimal("1.00") if year == today.year - 2 else Decimal("1.05")
            for order in range(1, top + 1):
                average = _money(Decimal(PAY_BY_LEVEL[order]) * premium * growth)
                reports.append(SkillPayReport(
                    enterprise=org, year=year, level=levels[order], workers=rng.randrange(2, 60) if order < 6 else rng.randrange(1, 6),
                    average_monthly_pay=average,
                    starting_monthly_pay=_money(average * Decimal("0.82")) if order <= 5 else None,
                    reported_by=staff.get(org.pk, officer),
                ))
    SkillPayReport.objects.bulk_create(reports)
    ctx.counts["skill_pay_reports"] = len(reports)
