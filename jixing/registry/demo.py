"""Demo organisations and persons across all 16 cities."""

from __future__ import annotations

import datetime as dt

from jixing.core.demo import DemoContext
from jixing.registry.idgen import make_id_number, make_uscc
from jixing.registry.models import (
    Education,
    EmploymentStatus,
    Organisation,
    OrganisationKind,
    Person,
    PersonGroup,
    Region,
    RegionLevel,
    TargetGroup,
)

_ORG_SUFFIX = {
    OrganisationKind.ENTERPRISE: "有限公司",
    OrganisationKind.VOCATIONAL_COLLEGE: "职业学院",
    OrganisationKind.TECHNICAL_SCHOOL: "技师学院",
    OrganisationKind.PRIVATE_INSTITUTION: "职业培训学校",
    OrganisationKind.PUBLIC_TRAINING_BASE: "公共实训基地",
    OrganisationKind.EVALUATION_INSTITUTION: "职业技能评价中心",
    OrganisationKind.HR_SERVICE_AGENCY: "人力资源服务有限公司",
    OrganisationKind.MASTER_STUDIO: "技能大师工作室",
}
_KIND_CYCLE = [
    OrganisationKind.PRIVATE_INSTITUTION, OrganisationKind.ENTERPRISE, OrganisationKind.VOCATIONAL_COLLEGE,
    OrganisationKind.EVALUATION_INSTITUTION, OrganisationKind.ENTERPRISE, OrganisationKind.TECHNICAL_SCHOOL,
    OrganisationKind.PUBLIC_TRAINING_BASE, OrganisationKind.PRIVATE_INSTITUTION, OrganisationKind.HR_SERVICE_AGENCY,
    OrganisationKind.ENTERPRISE, OrganisationKind.MASTER_STUDIO, OrganisationKind.PRIVATE_INSTITUTION,
]


MIGRANT_HOUSEHOLDS = ("411602", "410102", "341202")  # 周口市川汇区, 郑州市中原区, 阜阳市颍州区


def seed(ctx: DemoContext) -> None:
    rng, faker = ctx.rng, ctx.faker
    cities = list(Region.objects.home().filter(level=RegionLevel.CITY).order_by("code"))
    counties_by_city: dict[str, list[Region]] = {}
    for county in Region.objects.home().filter(level=RegionLevel.COUNTY).order_by("code"):
        counties_by_city.setdefault(county.parent_id or "", []).append(county)
    ctx.shared["cities"] = cities
    ctx.shared["counties_by_city"] = counties_by_city

    orgs: list[Organisation] = []
    for city in cities:
        for i in range(ctx.size["orgs_per_city"]):
            kind = _KIND_CYCLE[i % len(_KIND_CYCLE)]
            county = counties_by_city[city.code][i % len(counties_by_city[city.code])]
            is_college = kind in (OrganisationKind.VOCATIONAL_COLLEGE, OrganisationKind.TECHNICAL_SCHOOL)
            orgs.append(Organisation(
                uscc=make_uscc(county.code, rng, kind="12" if is_college else "91"),
                name=f"{city.short_name}{faker.last_name()}{faker.word()}{_ORG_SUFFIX[kind]}"[:120],
                kind=kind, county=county, address=faker.street_address(),
                is_chain_leader=kind == OrganisationKind.ENTERPRISE and rng.random() < 0.3,
                is_specialised=kind == OrganisationKind.ENTERPRISE and rng.random() < 0.3,
                enrolled_students=rng.randrange(2000, 12000) if is_college else None,
                teacher_count=rng.randrange(5, 60), capacity=rng.randrange(60, 600),
            ))
    Organisation.objects.bulk_create(orgs)
    ctx.shared["organisations"] = list(Organisation.objects.order_by("id"))
    ctx.counts["organisations"] = len(orgs)

    groups = list(TargetGroup.objects.filter(excludes_subsidy=False))
    persons: list[Person] = []
    seen: set[str] = set()
    for n in range(ctx.size["persons"]):
        city = cities[n % len(cities)]
        county = rng.choice(counties_by_city[city.code])
        birth = dt.date(rng.randrange(1968, 2006), rng.randrange(1, 13), rng.randrange(1, 29))
        # every 12th person is a migrant worker whose 户籍 is in Henan or Anhui (issue 12: 农村转移劳动力)
        household = MIGRANT_HOUSEHOLDS[(n // 12) % len(MIGRANT_HOUSEHOLDS)] if n % 12 == 5 else county.code
        person = Person(
            name=faker.name(), household_region_id=household, current_region=county,
            education=rng.choice(Education.values), employment_status=rng.choice(EmploymentStatus.values[:4]),
        )
        while True:
            number = make_id_number(household, birth, rng.randrange(0, 1000))
            if number not in seen:
                seen.add(number)
                break
        person.set_id_number(number)
        person.set_phone(f"1{rng.choice('3578')}{rng.randrange(0, 10**9):09d}")
        persons.append(person)
    Person.objects.bulk_create(persons, batch_size=1000)
    saved = list(Person.objects.order_by("id"))
    ctx.shared["persons"] = saved
    ctx.counts["persons"] = len(saved)

    memberships = [
        PersonGroup(person=p, group=rng.choice(groups), valid_from=dt.date(2025, 1, 1), evidence="demo").seal()
        for p in saved if rng.random() < 0.35
    ]
    PersonGroup.objects.bulk_create(memberships)
    ctx.counts["group_memberships"] = len(memberships)
