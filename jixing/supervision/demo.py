"""Demo supervision data: each rule's pattern planted once or twice among ordinary classes,
then the rules run, so a new user sees real findings (with evidence) after ``make run``.

Runs after the training, evaluation and funds demos; it builds its own small classes so it
works whether or not those demos have landed. Patterns (known, small rate):
R01 a trainee in two classes with overlapping attendance; R02 a teacher scheduled in two
classes at once; R03 one device used by 15 trainees within 3 minutes; R04 identical 120-second
stays; R05 a check-in ~300 km from the site; R06 a 75-year-old trainee and a pensioner;
R07 four subsidised trainings in one year; R08 identical evaluation scores; R09 a certificate
revoked after its claim line was submitted; R10 six trainees sharing one mobile number; R11 a
class enrolled beyond its capacity; R12 a spot check finding 9 trainees where 15 were recorded.
"""

from __future__ import annotations

import datetime as dt
import itertools
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from django.utils import timezone

from jixing.accounts.models import Role, User
from jixing.core.access import within_region
from jixing.core.demo import DemoContext
from jixing.registry.idgen import make_id_number
from jixing.registry.models import Organisation, OrganisationKind, Person, PersonGroup, TargetGroup

SH = ZoneInfo("Asia/Shanghai")
_codes = itertools.count(1)


class _Builder:
    def __init__(self, ctx: DemoContext, creator: Any) -> None:
        from jixing.plan.models import Action, FundSource

        self.ctx, self.rng, self.creator = ctx, ctx.rng, creator
        self.action = Action.objects.order_by("number").first()
        self.fund = FundSource.objects.order_by("id").first()
        self.today = timezone.localdate()
        # trainees of working age only, so that only the planted R06 pattern fires
        young, old = dt.date(self.today.year - 45, 1, 1), dt.date(self.today.year - 20, 1, 1)
        self.persons = [p for p in ctx.shared.get("persons") or Person.objects.order_by("id")[:2000]
                        if young <= p.birth_date <= old]
        self.person_iter = iter(self.persons[len(self.persons) // 2:])

    def person(self) -> Person:
        return next(self.person_iter)

    def new_person(self, name: str, county: str, birth: dt.date, seq: int) -> Person:
        existing = Person.objects.with_id_number(make_id_number(county, birth, seq)).first()
        if existing:
            return existing
        p = Person(name=name, household_region_id=county, current_region_id=county)
        p.set_id_number(make_id_number(county, birth, seq))
        p.set_phone(f"137{self.rng.randrange(10**8):08d}")
        p.save()
        return p

    def klass(self, org: Organisation, *, start: dt.date, days: int = 20, capacity: int = 40,
              site: tuple[str, str] = ("36.651200", "117.120000"), **project: Any) -> Any:
        from jixing.training.models import TrainingClass, TrainingProject

        assert self.action is not None and self.fund is not None, "reference data (load_reference)"
        n = next(_codes)
        proj = TrainingProject.objects.create(
            code=f"JG-DEMO-{n:04d}", name=f"{org.name[:20]}技能培训项目{n}", action=self.action,
            project_type="employment_skill", organiser=org, county_id=org.county_id, planned_person_times=capacity,
            hours=60, fund_source=self.fund, created_by=self.creator, status="running", **project,
        )
        return TrainingClass.objects.create(
            project=proj, code=f"JG-DEMO-C{n:04d}", name=f"{proj.name}第1期", site_address=org.address or org.name,
            county_id=org.county_id, latitude=Decimal(site[0]), longitude=Decimal(site[1]), capacity=capacity,
            start_date=start, end_date=start + dt.timedelta(days=days),
        )

    def teacher(self, org: Organisation, person: Person | None = None) -> Any:
        from jixing.training.models import Teacher

        return Teacher.objects.get_or_create(organisation=org, person=person or self.person())[0]

    def session(self, klass: Any, start: dt.datetime, *, hours: int = 3, teacher: Any = None) -> Any:
        from jixing.training.models import TrainingSession

        return TrainingSession.objects.create(
            training_class=klass, starts_at=start, ends_at=start + dt.timedelta(hours=hours), hours=Decimal(hours),
            teacher=teacher or self.teacher(klass.project.organiser), topic="实操训练",
        )

    def attend(self, person: Person, session: Any, check_in: dt.datetime, check_out: dt.datetime | None, *,
               device: str = "", lat: str | None = None, lon: str | None = None, subsidised: bool = True) -> Any:
        from jixing.training.models import Attendance, Enrollment

        enrollment = Enrollment.objects.get_or_create(
            person=person, training_class=session.training_class, defaults={"subsidised": subsidised})[0]
        jitter = self.rng.randrange(-30, 30) / 1_000_000
        site_lat, site_lon = session.training_class.latitude, session.training_class.longitude
        return Attendance.objects.create(
            enrollment=enrollment, session=session, person=person, training_class=session.training_class,
            check_in_at=check_in, check_out_at=check_out, method="qr", device_id=device or f"phone-{person.pk}",
            latitude=Decimal(lat) if lat else site_lat + Decimal(f"{jitter:.6f}"),
            longitude=Decimal(lon) if lon else site_lon + Decimal(f"{jitter:.6f}"),
        )

    def ordinary(self, klass: Any, trainees: list[Person], day: dt.date) -> Any:
        """An ordinary session: check-ins spread over 20 minutes, stays of varying length."""
        start = dt.datetime(day.year, day.month, day.day, 9, tzinfo=SH)
        session = self.session(klass, start)
        for p in trainees:
            check_in = start - dt.timedelta(seconds=self.rng.randrange(0, 1200))
            check_out = start + dt.timedelta(hours=3, seconds=self.rng.randrange(0, 900))
            self.attend(p, session, check_in, check_out)
        return session


def _at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, hour, minute, tzinfo=SH)


def seed(ctx: DemoContext) -> None:
    orgs = [o for o in ctx.shared.get("organisations") or Organisation.objects.order_by("id")
            if o.kind in (OrganisationKind.PRIVATE_INSTITUTION, OrganisationKind.PUBLIC_TRAINING_BASE,
                          OrganisationKind.TECHNICAL_SCHOOL, OrganisationKind.VOCATIONAL_COLLEGE)]
    if len(orgs) < 3:
        return
    jinan = [o for o in orgs if o.county_id.startswith("3701")]
    school = next((o for o in jinan if o.kind == OrganisationKind.PRIVATE_INSTITUTION), orgs[0])
    others = [o for o in orgs if o.pk != school.pk]
    neighbour = next((o for o in others if o.county_id.startswith("3701")), others[0])
    far_org = next(o for o in others if not o.county_id.startswith("3701"))
    creator = (User.objects.filter(organisation=school).first() or User.objects.filter(role=Role.INSTITUTION).first()
               or User.objects.order_by("id").first())
    if creator is None:
        return
    b = _Builder(ctx, creator)
    today = b.today
    weeks = [today - dt.timedelta(days=7 * w + 2) for w in range(8, 0, -1)]  # Tuesdays-ish, oldest first
    planted: list[tuple[str, dt.date]] = []

    # ordinary classes: the background against which the patterns stand out
    main = b.klass(school, start=weeks[0], days=60)
    regulars = [b.person() for _ in range(24)]
    for day in weeks[:6]:
        b.ordinary(main, regulars, day)

    # R01: one trainee in two classes at once
    other_class = b.klass(neighbour, start=weeks[1], days=30)
    double = regulars[0]
    s = b.session(other_class, _at(weeks[2], 9, 30))
    b.attend(double, s, _at(weeks[2], 9, 28), _at(weeks[2], 12, 20))
    planted.append(("R01", weeks[2]))

    # R02: a teacher registered at two institutions, teaching both at the same hour
    tutor = b.person()
    b.session(main, _at(weeks[3], 14), teacher=b.teacher(school, tutor))
    b.session(other_class, _at(weeks[3], 14, 30), teacher=b.teacher(neighbour, tutor))
    planted.append(("R02", weeks[3]))

    # R03: one device used by 15 trainees within 3 minutes
    proxy_class = b.klass(school, start=weeks[4], days=20)
    proxied = [b.person() for _ in range(15)]
    s = b.session(proxy_class, _at(weeks[4], 8, 30))
    for i, p in enumerate(proxied):
        b.attend(p, s, _at(weeks[4], 8, 25) + dt.timedelta(seconds=11 * i), _at(weeks[4], 11, 31), device="HW-P40-7731")
    planted.append(("R03", weeks[4]))

    # R04: identical 120-second stays (brushing software)
    brushed = b.klass(neighbour, start=weeks[5], days=20)
    s = b.session(brushed, _at(weeks[5], 19))
    for i in range(10):
        check_in = _at(weeks[5], 19) + dt.timedelta(minutes=i, seconds=7 * i)
        b.attend(b.person(), s, check_in, check_in + dt.timedelta(seconds=120))
    planted.append(("R04", weeks[5]))

    # R05: a check-in from Qingdao for a Jinan class
    s = b.session(main, _at(weeks[6], 9))
    b.attend(regulars[5], s, _at(weeks[6], 9, 3), _at(weeks[6], 12), lat="36.066900", lon="120.382600")
    for p in regulars[6:20]:
        b.attend(p, s, _at(weeks[6], 8, 50) + dt.timedelta(seconds=b.rng.randrange(900)), _at(weeks[6], 12, 5))
    planted.append(("R05", weeks[6]))

    # R12: that session was spot-checked: 9 trainees in the room, 15 check-ins recorded
    if _plant_spot_check(s, present=9, visit=_at(weeks[6], 10, 15)):
        planted.append(("R12", weeks[6]))

    # R06: a 75-year-old trainee and a pensioner in a subsidised class
    senior = b.new_person("孙福来", school.county_id, today.replace(year=today.year - 76, day=1), 731)
    pensioner = b.new_person("赵桂兰", school.county_id, dt.date(1972, 5, 1), 802)
    group = TargetGroup.objects.filter(code="pensioner").first()
    if group:
        PersonGroup.objects.get_or_create(person=pensioner, group=group, valid_from=today - dt.timedelta(days=400),
                                          defaults={"evidence": "社保系统：已领取基本养老金"})
    b.ordinary(proxy_class, [senior, pensioner] + proxied[:3], weeks[6])
    planted.append(("R06", weeks[6]))

    # R07: four subsidised trainings in one calendar year, across institutions
    from jixing.training.models import Enrollment

    hopper = b.person()
    for i, org in enumerate([school, neighbour, far_org, school]):
        k = b.klass(org, start=dt.date(today.year, 1, 1) + dt.timedelta(days=20 * i), days=10)
        Enrollment.objects.get_or_create(person=hopper, training_class=k, defaults={"subsidised": True})
    planted.append(("R07", weeks[7]))

    # R10: six trainees registered with one mobile number
    agent_phone = "13906401234"
    for p in proxied[3:9]:
        p.set_phone(agent_phone)
        p.save(update_fields=["phone", "phone_hash", "updated_at"])
    planted.append(("R10", weeks[4]))

    # R11: a class enrolled beyond its capacity
    crowded = b.klass(far_org, start=weeks[7], days=20, capacity=20,
                      site=(f"{36.06 + b.rng.random() / 100:.6f}", "120.380000"))
    Enrollment.objects.bulk_create([Enrollment(person=b.person(), training_class=crowded) for _ in range(24)])
    planted.append(("R11", weeks[7]))

    _plant_evaluation(ctx, b, weeks[7], planted)

    # R09: a certificate revoked after its claim line was submitted (the funds demo made the claims)
    if _plant_revoked_certificate():
        planted.append(("R09", weeks[7]))

    from .engine import run_rules

    report = run_rules(full=True)
    _backdate(planted)
    ctx.counts["supervision_findings"] = report.as_dict()["created"]
    _demo_case(school)


def _plant_evaluation(ctx: DemoContext, b: _Builder, day: dt.date, planted: list[tuple[str, dt.date]]) -> None:
    """R08: one session where five candidates got exactly the same scores."""
    from jixing.evaluation.models import Candidate, EvaluationFiling, EvaluationResult, EvaluationSession
    from jixing.registry.models import Occupation, SkillLevel

    body = Organisation.objects.filter(within_region("county", "370100"), kind=OrganisationKind.EVALUATION_INSTITUTION).order_by("id").first()
    evaluator = User.objects.filter(role=Role.EVALUATOR).first() or b.creator
    occupation, level = Occupation.objects.order_by("id").first(), SkillLevel.objects.filter(order=3).first()
    if body is None or occupation is None or level is None:
        return
    filing = EvaluationFiling.objects.create(
        organisation=body, kind="evaluation_institution", valid_from=day - dt.timedelta(days=200),
        valid_to=day + dt.timedelta(days=500), status="approved", submitted_by=evaluator,
    )
    session = EvaluationSession.objects.create(
        code=f"JG-DEMO-PJ-{next(_codes):04d}", filing=filing, occupation=occupation, level=level, mode="social",
        date=day, site=body.address or body.name, status="submitted", created_by=evaluator,
    )
    examiner = b.person()
    for i in range(7):
        person = b.person()
        candidate = Candidate.objects.create(session=session, person=person, source="application", added_by=evaluator)
        theory, practical = (Decimal("86"), Decimal("91")) if i < 5 else (Decimal(60 + 3 * i), Decimal(65 + 2 * i))
        EvaluationResult.objects.create(candidate=candidate, theory_score=theory, practical_score=practical, passed=True,
                                        examiner=examiner, status="submitted", entered_by=evaluator)
    planted.append(("R08", day))


def _plant_spot_check(session: Any, *, present: int, visit: dt.datetime) -> bool:
    """A spot-check draw for the session's county and week, and the officer's visit record."""
    from jixing.training import attendance_actions
    from jixing.training.models import Attendance, SpotCheckDraw

    klass = session.training_class
    officer = (User.objects.filter(role=Role.HRSS_OFFICER, region_id=klass.county_id).order_by("id").first()
               or User.objects.filter(role=Role.HRSS_OFFICER, region_id=klass.county_id[:4] + "00").order_by("id").first())
    week = attendance_actions.monday_of(timezone.localtime(session.starts_at).date())
    if officer is None or SpotCheckDraw.objects.filter(county_id=klass.county_id, week=week).exists():
        return False
    # Demo only: the check-ins were recorded before the visit, as they would have been.
    Attendance.objects.filter(session=session).update(recorded_at=session.starts_at)
    draw = attendance_actions.draw_spot_checks(by=None, county_id=klass.county_id, week=week, rate=Decimal("1"),
                                               seed="demo-2025")
    check = draw.checks.get(training_class=klass)
    if check.assigned_to_id not in (None, officer.pk):
        officer = check.assigned_to
    attendance_actions.record_spot_check(check, by=officer, session=session, present_count=present,
                                         note="现场清点在场学员9人，签到记录15人；未到学员由他人代签。", at=visit)
    return True


def _plant_revoked_certificate() -> bool:
    """Revoke the certificate of one line of a submitted or approved claim (the R09 pattern)."""
    from jixing.evaluation.actions import revoke_certificate
    from jixing.funds.models import ClaimLine

    from .rules.r09_claim_without_basis import LIVE_CLAIM_STATUSES

    line = (ClaimLine.objects.filter(status="live", claim__status__in=LIVE_CLAIM_STATUSES, certificate__status="valid",
                                     enrollment__training_class__project__requires_certificate=True)
            .select_related("certificate").order_by("id").first())
    officer = User.objects.filter(role=Role.HRSS_OFFICER, region_id="370000").order_by("id").first()
    if line is None or line.certificate is None or officer is None:
        return False
    revoke_certificate(line.certificate, by=officer, reason="复核发现考试作弊，撤销证书（演示）")
    return True


def _backdate(planted: list[tuple[str, dt.date]]) -> None:
    """Demo only: date each planted finding to when its pattern happened, so the weekly trend
    shows the history an hourly schedule would have produced."""
    from .models import Finding

    for code, day in planted:
        moment = _at(day, 18)
        Finding.objects.filter(code=code, created_at__gt=moment).update(created_at=moment)


def _demo_case(school: Organisation) -> None:
    """One case waiting for the demo institution's explanation."""
    from . import actions
    from .models import Finding, FindingStatus

    officer = (User.objects.filter(role=Role.HRSS_OFFICER, region_id=school.county_id[:4] + "00").first()
               or User.objects.filter(role=Role.HRSS_OFFICER, region_id="370000").first())
    finding = Finding.objects.filter(code="R03", organisation=school, status=FindingStatus.OPEN).first()
    if officer is None or finding is None:
        return
    case = actions.open_case([finding], by=officer, title="代签到：同一设备3分钟内为15名学员签到", assign_to=officer)
    actions.request_explanation(case, by=officer, due=timezone.localdate() + dt.timedelta(days=10),
                                questions="请说明设备 HW-P40-7731 为何在3分钟内为15名不同学员签到，并提供当日签到现场照片。")
