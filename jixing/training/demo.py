"""Demo training data (runs after registry, accounts and employment; before evaluation, funds,
supervision and stats): projects across all ten actions and all 16 cities in every lifecycle
state, order-type projects linked to the employment demo's job demands, classes with sessions,
rosters decided by the real eligibility rules, attendance, and closed classes with completions
in last year and this year (so dashboards show progress), plus classes running today.

Puts ``projects``, ``classes`` and ``enrollments`` in ``ctx.shared``.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import Decimal
from typing import Any

from django.utils import timezone

from jixing.accounts.models import Role, User
from jixing.core.access import within_region
from jixing.core.demo import DemoContext
from jixing.core.workflow import move
from jixing.plan.models import Action, FundSource, Target
from jixing.registry.idgen import make_id_number
from jixing.registry.models import (
    Occupation,
    Organisation,
    OrganisationKind,
    Person,
    PersonGroup,
    SkillLevel,
    TargetGroup,
)

from . import actions, rules
from .models import (
    TYPES_NEEDING_DEMAND,
    Attendance,
    CheckInMethod,
    Enrollment,
    ProjectStatus,
    ProjectType,
    Provenance,
    Teacher,
    TrainingClass,
    TrainingProject,
    TrainingSession,
    job_demand_model,
)

ORGANISER_KINDS = (OrganisationKind.PRIVATE_INSTITUTION, OrganisationKind.VOCATIONAL_COLLEGE,
                   OrganisationKind.TECHNICAL_SCHOOL, OrganisationKind.PUBLIC_TRAINING_BASE, OrganisationKind.MASTER_STUDIO)
# Target lines (reference/targets.csv) and project types each action typically runs.
ACTION_PLANS: dict[int, dict[str, Any]] = {
    1: {"targets": ["digital"], "types": [ProjectType.ORDER, ProjectType.DIRECTED, ProjectType.SKILL_UPGRADE],
        "names": ["人工智能训练师", "工业机器人系统运维员", "数字化管理师"]},
    2: {"targets": ["high_quality_farmers", "rural_transfer_labor", "rural_industry_talent"],
        "types": [ProjectType.EMPLOYMENT_SKILL], "names": ["农村电商", "高素质农民", "休闲农业"]},
    3: {"targets": ["new_occupations", "consumption_culture"], "types": [ProjectType.EMPLOYMENT_SKILL, ProjectType.FIXED_POST],
        "names": ["鲁菜师傅", "民宿管家", "网约配送员"]},
    4: {"targets": ["elderly_care", "domestic_service"], "types": [ProjectType.EMPLOYMENT_SKILL, ProjectType.ORDER],
        "names": ["养老护理员", "家政服务员", "育婴员"]},
    5: {"targets": ["youth"], "types": [ProjectType.EMPLOYMENT_SKILL, ProjectType.DIRECTED], "names": ["高校毕业生就业能力", "新媒体运营"]},
    6: {"targets": ["frontline_education"], "types": [ProjectType.TRANSFER, ProjectType.EMPLOYMENT_SKILL],
        "names": ["退役军人职业技能", "转岗转业"], "groups": ["veteran", "registered_unemployed", "employment_difficulty"]},
    7: {"targets": [], "types": [ProjectType.PRE_JOB, ProjectType.APPRENTICESHIP, ProjectType.SKILL_UPGRADE],
        "names": ["新入职员工岗前", "企业新型学徒", "岗位技能提升"]},
    8: {"targets": ["college_social_training"], "types": [ProjectType.EMPLOYMENT_SKILL], "names": ["职业院校面向社会"]},
    9: {"targets": [], "types": [ProjectType.EMPLOYMENT_SKILL], "names": ["公共实训基地智能制造"]},
    10: {"targets": ["entrepreneurship"], "types": [ProjectType.ENTREPRENEURSHIP], "names": ["马兰花创业", "网店创业"]},
}
TZ = timezone.get_default_timezone()


def _staff(org: Organisation, cache: dict[int, User]) -> User:
    """The organisation's staff account (demo accounts first; else one without a password)."""
    if org.pk not in cache:
        user = User.objects.filter(role=Role.INSTITUTION, organisation=org).order_by("id").first()
        if user is None:
            user = User.objects.create_user(username=f"staff-{org.pk}", password=None, role=Role.INSTITUTION,
                                            organisation=org, is_demo=True, first_name=org.name[:30])
        cache[org.pk] = user
    return cache[org.pk]


def _at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=TZ)


class _Builder:
    def __init__(self, ctx: DemoContext) -> None:
        self.ctx = ctx
        self.rng = ctx.rng
        self.today = timezone.localdate()
        self.now = timezone.now()
        self.staff: dict[int, User] = {}
        self.officer = (User.objects.filter(role=Role.HRSS_OFFICER, region_id="370000").order_by("id").first()
                        or User.objects.create_user(username="demo-province-officer", password=None,
                                                    role=Role.HRSS_OFFICER, region_id="370000", is_demo=True))
        self.actions = {a.number: a for a in Action.objects.all()}
        self.targets = {t.code: t for t in Target.objects.all()}
        self.funds = list(FundSource.objects.order_by("id"))
        self.occupations = list(Occupation.objects.order_by("id"))
        self.levels = {lv.pk: lv for lv in SkillLevel.objects.all()}
        self.groups = {g.code: g for g in TargetGroup.objects.all()}
        persons = ctx.shared.get("persons") or list(Person.objects.order_by("id"))
        self.by_city: dict[str, list[Person]] = defaultdict(list)
        for p in persons:
            self.by_city[p.current_region_id[:4]].append(p)
        self.busy: dict[int, set[dt.date]] = defaultdict(set)  # person → days in class (no overlaps)
        self.teacher_seq = 0
        self.projects: list[TrainingProject] = []
        self.classes: list[TrainingClass] = []

    # ------------------------------------------------------------ projects

    def project(self, org: Organisation, city: Any, n: int, action_no: int, demands: list[Any]) -> TrainingProject:
        plan = ACTION_PLANS[action_no]
        ptype = plan["types"][n % len(plan["types"])]
        demand = None
        if ptype in TYPES_NEEDING_DEMAND:
            local = [d for d in demands if d.county_id[:4] == city.code[:4]] or demands
            demand = local[n % len(local)] if local else None
            if demand is None:
                ptype = ProjectType.EMPLOYMENT_SKILL
        partner = demand.employer if demand else None
        if ptype == ProjectType.APPRENTICESHIP:
            partner = Organisation.objects.filter(within_region("county", city.code), kind=OrganisationKind.ENTERPRISE).first()
            if partner is None:
                ptype = ProjectType.SKILL_UPGRADE
        spread = len(self.projects) * 7 + action_no * 3
        occupation = demand.occupation if demand else self.occupations[spread % len(self.occupations)]
        level = (demand.level_id if demand and demand.level_id else self.rng.choice((2, 3, 3, 4)))
        targets = plan["targets"]
        target = self.targets.get(targets[n % len(targets)]) if targets else None
        name = f"{city.short_name}{plan['names'][n % len(plan['names'])]}{self.levels[level].name}培训"
        creator = _staff(org, self.staff)
        project = TrainingProject.objects.create(
            code=f"XM-{org.county_id}-{self.today.year}-{len(self.projects) + 1:04d}", name=name[:150],
            action=self.actions[action_no], target=target, project_type=ptype, organiser=org, partner=partner,
            job_demand=demand, occupation=occupation, level=self.levels[level], county=org.county,
            planned_person_times=self.rng.choice((40, 60, 80, 120, 200)), hours=self.rng.choice((40, 60, 80)),
            fund_source=self.funds[n % len(self.funds)] if action_no != 7 else self.funds[min(2, len(self.funds) - 1)],
            is_subsidised=action_no != 7 or n % 2 == 0, is_provincial_key=n % 11 == 3, created_by=creator,
            description=self.ctx.faker.sentence(nb_words=16),
        )
        for code in plan.get("groups", [])[: n % 2]:
            project.required_groups.add(self.groups[code])
        self.projects.append(project)
        return project

    def advance(self, project: TrainingProject, to: str) -> None:
        """Walk the lifecycle with the real transitions (status changes + audit rows)."""
        author = project.created_by
        paths: dict[str, list[ProjectStatus]] = {
            ProjectStatus.DRAFT: [],
            ProjectStatus.SUBMITTED: [ProjectStatus.SUBMITTED],
            ProjectStatus.RETURNED: [ProjectStatus.SUBMITTED, ProjectStatus.RETURNED],
            ProjectStatus.REJECTED: [ProjectStatus.SUBMITTED, ProjectStatus.REJECTED],
            ProjectStatus.APPROVED: [ProjectStatus.SUBMITTED, ProjectStatus.APPROVED],
            ProjectStatus.RUNNING: [ProjectStatus.SUBMITTED, ProjectStatus.APPROVED, ProjectStatus.RUNNING],
        }
        path = paths[to]
        reasons = {ProjectStatus.RETURNED: "请补充师资和场地证明材料", ProjectStatus.REJECTED: "与本地区已立项项目重复",
                   ProjectStatus.APPROVED: "符合立项条件"}
        for step in path:
            by = self.officer if step in (ProjectStatus.APPROVED, ProjectStatus.RETURNED, ProjectStatus.REJECTED) else author
            if step == ProjectStatus.SUBMITTED:
                project.submitted_by = author
                project.save(update_fields=["submitted_by"])
            if step == ProjectStatus.APPROVED:
                project.approved_by, project.approved_at = self.officer, self.now
                project.save(update_fields=["approved_by", "approved_at"])
            move(project, step, by=by, reason=reasons.get(step, ""), event=f"training.project.{step}")

    # ------------------------------------------------------------ classes

    def klass(self, project: TrainingProject, start: dt.date, days: int, capacity: int) -> TrainingClass:
        org = project.organiser
        klass = TrainingClass(
            project=project, name=f"{project.name}第{project.classes.count() + 1}期"[:150],
            site_address=f"{org.county.name}{self.ctx.faker.street_address()}"[:200], county=org.county,
            latitude=Decimal("36.65") + Decimal(self.rng.randrange(-90000, 90000)) / 100000,
            longitude=Decimal("117.00") + Decimal(self.rng.randrange(-250000, 250000)) / 100000,
            capacity=capacity, start_date=start, end_date=start + dt.timedelta(days=days - 1),
        )
        actions._save_with_code(klass, f"BJ-{org.county_id}-{start.year}-")
        self.teacher_seq += 1
        birth = dt.date(1975 + self.teacher_seq % 15, 1 + self.teacher_seq % 12, 1 + self.teacher_seq % 27)
        person = Person(name=self.ctx.faker.name(), household_region=org.county, current_region=org.county)
        person.set_id_number(make_id_number(org.county_id, birth, 500 + self.teacher_seq % 400))
        if Person.objects.filter(id_number_hash=person.id_number_hash).exists():
            person = Person.objects.get(id_number_hash=person.id_number_hash)
        else:
            person.save()
        teacher = Teacher.objects.get_or_create(organisation=org, person=person,
                                                defaults={"qualification": "高级技能 / 职业培训师"})[0]
        sessions = []
        for d in range(days):
            day = start + dt.timedelta(days=d)
            sessions.append(TrainingSession(training_class=klass, starts_at=_at(day, 8, 30), ends_at=_at(day, 12, 0),
                                            hours=Decimal("3.5"), teacher=teacher, topic=f"第{d + 1}讲 理论与实操"))
            if d % 2 == 0:
                sessions.append(TrainingSession(training_class=klass, starts_at=_at(day, 14, 0), ends_at=_at(day, 17, 0),
                                                hours=Decimal("3.0"), teacher=teacher, topic=f"第{d + 1}讲 实训"))
        TrainingSession.objects.bulk_create(sessions)
        klass.teachers.add(teacher)
        self.classes.append(klass)
        return klass

    def roster(self, klass: TrainingClass, size: int) -> list[Enrollment]:
        days = {klass.start_date + dt.timedelta(days=d) for d in range((klass.end_date - klass.start_date).days + 1)}
        pool = self.by_city.get(klass.county_id[:4], [])
        chosen: list[Person] = []
        for person in self.rng.sample(pool, len(pool)):
            if len(chosen) >= size:
                break
            if self.busy[person.pk] & days:
                continue
            chosen.append(person)
            self.busy[person.pk] |= days
        # A few declared pensioners, so rosters show refusals with their reasons.
        pensioner = self.groups.get("pensioner")
        if pensioner is not None and chosen and self.rng.random() < 0.3:
            odd = chosen[-1]
            PersonGroup.objects.get_or_create(person=odd, group=pensioner, valid_from=dt.date(2020, 1, 1),
                                              defaults={"evidence": "demo: 社保数据比对"})
        outcomes = actions.enroll_persons(klass, chosen, by=_staff(klass.project.organiser, self.staff),
                                          event="training.roster.import")
        return [o.enrollment for o in outcomes if o.enrollment is not None]

    def attend(self, klass: TrainingClass, enrollments: list[Enrollment], *, until: dt.datetime) -> int:
        records = []
        for session in klass.sessions.filter(starts_at__lte=until).order_by("starts_at"):
            for e in enrollments:
                roll = self.rng.random()
                if roll < 0.07:
                    continue  # absent
                check_in = session.starts_at - dt.timedelta(minutes=self.rng.randrange(0, 25))
                if session.ends_at > until:  # in progress: checked in, not out yet
                    check_out = None
                elif roll < 0.11:
                    check_out = None  # forgot to check out: earns nothing
                elif roll < 0.16:
                    check_out = session.ends_at - dt.timedelta(minutes=self.rng.randrange(40, 120))
                else:
                    check_out = session.ends_at + dt.timedelta(minutes=self.rng.randrange(0, 12))
                records.append(Attendance(
                    enrollment=e, session=session, person_id=e.person_id, training_class=klass, check_in_at=check_in,
                    check_out_at=check_out, method=CheckInMethod.FACE if roll < 0.85 else CheckInMethod.QR,
                    device_id=f"FACE-{klass.pk:05d}-{e.pk % 2}", face_score=Decimal(85 + self.rng.randrange(0, 1400) / 100),
                    latitude=klass.latitude + Decimal(self.rng.randrange(-50, 50)) / 100000,
                    longitude=klass.longitude + Decimal(self.rng.randrange(-50, 50)) / 100000,
                    credited_hours=rules.credited_hours(rules.Interval(session.starts_at, session.ends_at), session.hours,
                                                        check_in, check_out),
                    provenance=Provenance.CAPTURED,  # scored face checks and rotating-QR scans
                ))
        Attendance.objects.bulk_create(records, batch_size=2000)
        actions.refresh_attendance_rates(class_ids=[klass.pk])
        return len(records)


def _fallback_demands(builder: _Builder) -> list[Any]:
    """The employment demo normally made these; if not, two of our own."""
    enterprises = list(Organisation.objects.filter(kind=OrganisationKind.ENTERPRISE).order_by("id")[:2])
    made = []
    for org in enterprises:
        made.append(job_demand_model().objects.create(
            employer=org, title="智能制造操作工", occupation=builder.occupations[0], level=builder.levels[3], posts=20,
            wage_min=Decimal("5000"), wage_max=Decimal("7000"), county=org.county,
            deadline=builder.today + dt.timedelta(days=120), created_by=_staff(org, builder.staff)))
    return made


def seed(ctx: DemoContext) -> None:
    b = _Builder(ctx)
    if not b.occupations or not b.actions:
        return
    demands = [d for d in ctx.shared.get("job_demands", []) if d.is_open] or _fallback_demands(b)
    cities = ctx.shared.get("cities") or []
    orgs = ctx.shared.get("organisations") or list(Organisation.objects.order_by("id"))
    organisers_by_city: dict[str, list[Organisation]] = defaultdict(list)
    for org in orgs:
        if org.kind in ORGANISER_KINDS or org.kind == OrganisationKind.ENTERPRISE:
            organisers_by_city[org.county_id[:4]].append(org)
    year = b.today.year
    last_year = year - 1
    statuses_cycle = [
        "submitted", "running_today", "closed_last_year", "closed_this_year", "finished_this_year", "approved_future",
        "closed_last_year", "running_today", "draft", "returned", "closed_this_year", "rejected",
    ]
    n_projects = ctx.size["projects_per_city"]
    enrollments: list[Enrollment] = []
    attendance = 0
    counter = 0
    for city in cities:
        candidates = [o for o in organisers_by_city.get(city.code[:4], []) if o.kind in ORGANISER_KINDS] or \
            organisers_by_city.get(city.code[:4], [])
        if not candidates:
            continue
        for n in range(n_projects):
            action_no = counter % 10 + 1
            plan_kind = statuses_cycle[counter % len(statuses_cycle)]
            counter += 1
            org = candidates[n % len(candidates)]
            if action_no == 7:  # 技能强企: the enterprise trains its own staff
                org = next((o for o in organisers_by_city[city.code[:4]] if o.kind == OrganisationKind.ENTERPRISE), org)
            project = b.project(org, city, n, action_no, demands)
            if plan_kind in ("draft", "submitted", "returned", "rejected"):
                b.advance(project, plan_kind)
                continue
            b.advance(project, ProjectStatus.APPROVED if plan_kind == "approved_future" else ProjectStatus.RUNNING)
            for k in range(1 + (n + counter) % 2):
                if plan_kind == "closed_last_year":
                    start = dt.date(last_year, 3 + (counter * 2 + k * 3) % 9, 1 + counter % 20)
                elif plan_kind in ("finished_this_year", "closed_this_year"):
                    start = b.today - dt.timedelta(days=20 + (counter * 7 + k * 11) % 200)
                    start = max(start, dt.date(year, 1, 5))
                elif plan_kind == "running_today":
                    start = b.today - dt.timedelta(days=k + counter % 3)
                else:
                    start = b.today + dt.timedelta(days=10 + counter % 20 + k * 7)
                days = 5 + (counter + k) % 6
                if plan_kind in ("finished_this_year", "closed_this_year") and start + dt.timedelta(days=days) >= b.today:
                    start = b.today - dt.timedelta(days=days + 2)
                klass = b.klass(project, start, days, capacity=30 + 10 * (counter % 3))
                roster = b.roster(klass, size=12 + (counter * 5 + k) % 14)
                enrollments.extend(roster)
                if start <= b.today:
                    attendance += b.attend(klass, roster, until=b.now)
                if klass.end_date < b.today:
                    actions.close_class(klass, by=b.officer)
            all_closed = not project.classes.filter(closed_at__isnull=True).exists()
            if plan_kind in ("finished_this_year", "closed_last_year", "closed_this_year") and all_closed:
                move(project, ProjectStatus.FINISHED, by=project.created_by, event="training.project.finish")
                if plan_kind != "finished_this_year":
                    move(project, ProjectStatus.CLOSED, by=b.officer, reason="验收合格，结项", event="training.project.close")
    ctx.shared["projects"] = b.projects
    ctx.shared["classes"] = b.classes
    ctx.shared["enrollments"] = list(Enrollment.objects.filter(pk__in=[e.pk for e in enrollments]).order_by("id"))
    ctx.counts.update({
        "training_projects": len(b.projects), "training_classes": len(b.classes),
        "enrollments": len(enrollments), "attendance": attendance,
        "completions": sum(1 for e in ctx.shared["enrollments"] if e.completed_on),
    })
