"""Demo trainers and 马兰花 data (runs after the evaluation demos): each demo training institution
registers a few of its teachers as trainers (linking the certificates they hold), the province
holds a 职业培训师 and a 创业指导师 competition, accredits entrepreneurship mentors for 马兰花, keeps
course versions, and cities record 创业训练营 and 创培在身边 activities. Through the actions;
deterministic (a generator of its own, seeded from the demo seed)."""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from jixing.accounts.models import Role, User
from jixing.core.demo import DemoContext
from jixing.evaluation.engineer_models import EngineerCertificate
from jixing.evaluation.models import Certificate
from jixing.registry.models import Organisation, OrganisationKind, Person, Region

from . import actions
from .models import ActivityKind, TrainerCategory, TrainerProfile

INSTITUTIONS = {"small": 6, "medium": 20}
COURSES = [
    ("马兰花创业培训·创业意识（GYB）", "2025版", "创业意识", 16),
    ("马兰花创业培训·创办企业（SYB）", "2026版", "创办企业", 80),
    ("马兰花创业培训·网络创业", "2026版", "网络创业", 40),
]


def _staff(org: Organisation) -> User:
    user = User.objects.filter(organisation=org, role=Role.INSTITUTION).order_by("id").first()
    if user is None:
        user = User(username=f"org{org.pk}-{Role.INSTITUTION}"[:150], role=Role.INSTITUTION, organisation=org,
                    is_demo=True)
        user.set_unusable_password()
        user.save()
    return user


def _certified_persons() -> list[Person]:
    ids = set(Certificate.objects.valid().values_list("person_id", flat=True)[:200])
    ids |= set(EngineerCertificate.objects.valid().values_list("person_id", flat=True)[:50])
    return list(Person.objects.filter(pk__in=ids).order_by("id"))


def _register(ctx: DemoContext) -> list[TrainerProfile]:
    rng = random.Random(f"trainers-{ctx.seed}")  # its own draws: the shared ctx.rng stays as the later demos expect
    orgs = list(Organisation.objects.filter(kind=OrganisationKind.PRIVATE_INSTITUTION)
                .order_by("id")[: INSTITUTIONS.get(ctx.scale, 6)])
    certified = _certified_persons()
    others = list(Person.objects.order_by("id")[:400])
    profiles: list[TrainerProfile] = []
    for n, org in enumerate(orgs):
        staff = _staff(org)
        pool = certified[n * 3:(n + 1) * 3] or others[n * 3:(n + 1) * 3]
        for k, person in enumerate(pool):
            category = TrainerCategory.ENTREPRENEURSHIP if k % 2 else TrainerCategory.VOCATIONAL
            try:
                profile = actions.register_trainer(by=staff, person=person, category=category)
            except ValidationError:
                continue
            for cert in [*Certificate.objects.valid().filter(person=person)[:1],
                         *EngineerCertificate.objects.valid().filter(person=person)[:1]]:
                actions.add_qualification(profile, by=staff, number=cert.number)
            start = dt.date(timezone.localdate().year, 3, 1) + dt.timedelta(days=rng.randrange(120))
            actions.record_trainer_training(profile, by=staff, course=["职业培训师教学能力提升", "创业指导师师资培训"][k % 2],
                                            provider="山东省职业技能鉴定指导中心",
                                            hours=Decimal(rng.choice([24, 40, 56])),
                                            started_on=start, ended_on=start + dt.timedelta(days=4))
            profiles.append(profile)
    return profiles


def seed(ctx: DemoContext) -> None:
    rng = random.Random(f"trainers-{ctx.seed}")  # its own draws: the shared ctx.rng stays as the later demos expect
    province = User.objects.filter(role=Role.HRSS_OFFICER, region_id=actions.PROVINCE_REGION).order_by("id").first()
    if province is None:
        return
    profiles = _register(ctx)
    year = timezone.localdate().year
    awards = ["first", "second", "third", "excellence", "none"]
    for category, name in ((TrainerCategory.VOCATIONAL, f"{year}年山东省职业培训师职业技能大赛"),
                           (TrainerCategory.ENTREPRENEURSHIP, f"{year}年山东省创业指导师职业技能大赛")):
        comp = actions.create_competition(by=province, name=name, category=category, tier="provincial",
                                          held_on=dt.date(year, 9, 20), organiser="山东省人力资源和社会保障厅")
        entrants = [p for p in profiles if p.category == category][:6]
        for rank, profile in enumerate(entrants, start=1):
            actions.record_result(comp, by=province, profile=profile, award=awards[min(rank - 1, 4)], rank=rank)
    versions = [actions.add_course_version(by=province, course=c, version=v, stage=s, hours=h,
                                           released_on=dt.date(year, 1, 15), changes="按创业者不同阶段迭代课程内容")
                for c, v, s, h in COURSES]
    accredited = []
    for profile in profiles:
        if profile.category == TrainerCategory.ENTREPRENEURSHIP and profile.qualifications.exists():
            actions.accredit_malanhua(profile, by=province, accredited_on=dt.date(year, 2, 1))
            accredited.append(profile)
    activities = 0
    for n, profile in enumerate(accredited):
        county = Region.objects.get(pk=profile.organisation.county_id)
        kind = ActivityKind.VOLUNTEER if n % 2 == 0 else ActivityKind.BOOTCAMP
        title = f"创培在身边·走进{county.name}" if kind == ActivityKind.VOLUNTEER else f"{county.name}创业训练营"
        try:
            actions.record_activity(by=_staff(profile.organisation), kind=kind, title=title, county=county,
                                    held_on=dt.date(year, 4 + n % 6, 10), person_times=rng.randrange(30, 120),
                                    trainers=[profile], course_version=versions[n % len(versions)])
        except (ValidationError, PermissionDenied):
            continue
        activities += 1
    ctx.counts["trainers"] = len(profiles)
    ctx.counts["malanhua_activities"] = activities
