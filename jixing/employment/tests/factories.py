"""Small builders for employment tests: enterprises, demands, completed trainings, certificates,
contribution rows. Plain functions (the chain has many required fields)."""

from __future__ import annotations

import datetime as dt
import itertools
from decimal import Decimal
from typing import Any

from jixing.accounts.models import Role, User
from jixing.core.testing import make_organisation, make_person, make_user
from jixing.employment.models import InsuranceContribution, JobDemand
from jixing.registry.models import Occupation, Organisation, OrganisationKind, Person, SkillLevel

_seq = itertools.count(1)


def occupation(index: int = 0) -> Occupation:
    """The n-th occupation of the reference list (0 = first)."""
    return Occupation.objects.order_by("id")[index]


def enterprise(name: str = "历下精工有限公司", county: str = "370102", *, seed: int = 1) -> Organisation:
    return make_organisation(name, county, OrganisationKind.ENTERPRISE, seed=seed)


def enterprise_user(org: Organisation, username: str = "eve") -> User:
    return make_user(username, Role.INSTITUTION, organisation=org)


def demand(employer: Organisation, by: User, *, occ: Occupation | None = None, level: int | None = 3,
           county: str | None = None, posts: int = 5, **fields: Any) -> JobDemand:
    return JobDemand.objects.create(
        employer=employer, title=fields.pop("title", "焊工"), occupation=occ or occupation(),
        level=SkillLevel.objects.get(pk=level) if level else None, posts=posts,
        wage_min=Decimal("4000"), wage_max=Decimal("6000"), county_id=county or employer.county_id,
        deadline=fields.pop("deadline", dt.date(2030, 12, 31)), created_by=by, **fields,
    )


def completed_training(
    person: Person,
    organiser: Organisation,
    by: User,
    *,
    occ: Occupation | None = None,
    level: int | None = 3,
    start: dt.date = dt.date(2025, 3, 1),
    completed_on: dt.date = dt.date(2025, 4, 15),
    county: str | None = None,
    action_number: int = 1,
) -> Any:
    from jixing.plan.models import Action, FundSource
    from jixing.training.models import Enrollment, EnrollmentStatus, TrainingClass, TrainingProject

    n = next(_seq)
    county = county or organiser.county_id
    project = TrainingProject.objects.create(
        code=f"TP-EMP-{n:05d}", name=f"测试培训项目{n}", action=Action.objects.get(number=action_number),
        project_type="employment_skill", organiser=organiser, occupation=occ or occupation(),
        level=SkillLevel.objects.get(pk=level) if level else None, county_id=county, planned_person_times=30,
        hours=40, fund_source=FundSource.objects.order_by("id").first(), status="finished", created_by=by,
    )
    klass = TrainingClass.objects.create(
        filing_status="accepted",
        project=project, code=f"TC-EMP-{n:05d}", name=f"测试班{n}", site_address="测试路1号", county_id=county,
        latitude=Decimal("36.651200"), longitude=Decimal("117.120000"), capacity=30,
        start_date=start, end_date=completed_on,
    )
    return Enrollment.objects.create(
        person=person, training_class=klass, status=EnrollmentStatus.COMPLETED, completed_on=completed_on,
        attendance_rate=Decimal("0.950"), subsidised=True,
    )


def certificate(person: Person, issuer: Organisation, by: User, checker: User, *, occ: Occupation | None = None,
                level: int = 3, issued_on: dt.date = dt.date(2025, 5, 10)) -> Any:
    from jixing.evaluation.models import Certificate, DirectRecognition

    n = next(_seq)
    occ = occ or occupation()
    recognition = DirectRecognition.objects.create(
        organisation=issuer, person=person, occupation=occ, level_id=level, achievements="测试", evidence="测试", decision_reason="测试通过",
        status="approved", proposed_by=by, decided_by=checker,
    )
    return Certificate.objects.create(
        number=f"TEST-CERT-{n:06d}", person=person, occupation=occ, level_id=level, mode="direct", issuer=issuer,
        issued_on=issued_on, recognition=recognition, issued_by=checker,
    )


def person(name: str, county: str, seq: int) -> Person:
    return make_person(name, county, seq=seq)


def contributions(p: Person, uscc: str, months: list[str], base: str = "4500", employer: Organisation | None = None) -> None:
    for m in months:
        y, mo = m.split("-")
        InsuranceContribution.objects.create(person=p, employer_uscc=uscc, employer=employer,
                                             month=dt.date(int(y), int(mo), 1), base=Decimal(base))
