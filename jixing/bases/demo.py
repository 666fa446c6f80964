"""Demo: a public training base in Jinan with three facilities, a technical school with a
预备技师（技师）班 and a 职业训练院 designation, and a "短平快" programme of a private institution.
Runs before the demo accounts; the ``base`` account and the bookings come in ``bases.demo_bookings``
once the other accounts exist."""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

from jixing.core.access import within_region
from jixing.core.demo import DemoContext
from jixing.registry.idgen import make_uscc
from jixing.registry.models import Occupation, Organisation, OrganisationKind, SkillLevel

from .models import Facility, FacilityKind
from .schools import ProgrammeKind, SchoolProgramme

JINAN = "370100"


def _organisation(ctx: DemoContext, kind: str, name: str, county: str, **fields: object) -> Organisation:
    org = Organisation.objects.filter(within_region("county", JINAN), kind=kind).order_by("id").first()
    if org is not None:
        return org
    # a generator of its own: the demo modules after this one draw the same numbers as without it
    rng = random.Random(f"bases-{ctx.seed}-{kind}")
    org = Organisation.objects.create(uscc=make_uscc(county, rng, kind="12"), name=name, kind=kind,
                                      county_id=county, address="济南市", teacher_count=40, capacity=400, **fields)
    ctx.counts["organisations"] = ctx.counts.get("organisations", 0) + 1
    return org


def _occupations(*names: str) -> list[Occupation]:
    return list(Occupation.objects.filter(name__in=names).order_by("code"))


def seed(ctx: DemoContext) -> None:
    base = _organisation(ctx, OrganisationKind.PUBLIC_TRAINING_BASE, "济南市公共实训基地", "370112")
    school = _organisation(ctx, OrganisationKind.TECHNICAL_SCHOOL, "济南技师学院", "370103", enrolled_students=6800)
    ctx.shared["demo_base"] = base
    facilities = [
        ("智能制造实训车间", FacilityKind.WORKSHOP, 40, None, "数控车床 20 台、加工中心 10 台、工业机器人工作站 10 套", ("电工", "焊工")),
        ("焊接实训车间", FacilityKind.WORKSHOP, 24, Decimal("30.00"), "焊接工位 24 个、烟尘净化系统", ("焊工",)),
        ("家政服务实训室", FacilityKind.SIMULATION, 30, None, "模拟家居 3 套、育婴护理模型 15 套", ("家政服务员", "育婴员")),
    ]
    for name, kind, stations, price, equipment, occupations in facilities:
        facility, created = Facility.objects.get_or_create(
            base=base, name=name,
            defaults={"kind": kind, "stations": stations, "is_free": price is None, "price_per_station_day": price,
                      "equipment": equipment})
        if created:
            facility.occupations.set(_occupations(*occupations))
    ctx.counts["base_facilities"] = len(facilities)

    technician = SkillLevel.objects.get(order=5)
    senior = SkillLevel.objects.get(order=4)
    electrician = Occupation.objects.filter(name="电工").first() or Occupation.objects.order_by("code").first()
    housekeeping = Occupation.objects.filter(name="家政服务员").first() or electrician
    assert electrician is not None and housekeeping is not None
    year = dt.date.today().year
    programmes = [
        SchoolProgramme(provider=school, kind=ProgrammeKind.PREPARATORY_TECHNICIAN, name="电气自动化预备技师班",
                        occupation=electrician, level=technician, cohort_year=year, cohort_size=45, duration_days=365,
                        full_time=True, in_enrolment_plan=True, target_group="未就业高校毕业生"),
        SchoolProgramme(provider=school, kind=ProgrammeKind.SHORT_COURSE, name="焊工短期就业班", occupation=electrician,
                        level=senior, cohort_year=year, cohort_size=60, duration_days=45, full_time=True),
    ]
    private = Organisation.objects.filter(within_region("county", JINAN),
                                          kind=OrganisationKind.PRIVATE_INSTITUTION).order_by("id").first()
    if private is not None:
        programmes.append(SchoolProgramme(
            provider=private, kind=ProgrammeKind.SHORT_COURSE, name="家政服务员“短平快”培训班", occupation=housekeeping,
            level=SkillLevel.objects.get(order=3), cohort_year=year, cohort_size=40, duration_days=15, full_time=True,
            target_group="农村转移劳动力"))
    SchoolProgramme.objects.bulk_create(programmes, ignore_conflicts=True)
    ctx.counts["school_programmes"] = len(programmes)
