"""Small builders for a known training data set (stats tests only)."""

from __future__ import annotations

import datetime as dt
import itertools
from decimal import Decimal

from jixing.accounts.models import User
from jixing.core.testing import make_organisation, make_person
from jixing.plan.models import Action, FundSource, Target
from jixing.registry.models import Organisation
from jixing.training.models import (
    Enrollment,
    EnrollmentStatus,
    ProjectStatus,
    ProjectType,
    TrainingClass,
    TrainingProject,
)

_seq = itertools.count(1)


def project(*, organiser: Organisation, county: str, action: int, target: str | None, by: User,
            subsidised: bool = True) -> TrainingProject:
    n = next(_seq)
    return TrainingProject.objects.create(
        code=f"XM-T-{n:04d}", name=f"测试项目{n}", action=Action.objects.get(number=action),
        target=Target.objects.get(code=target) if target else None, project_type=ProjectType.EMPLOYMENT_SKILL,
        organiser=organiser, county_id=county, planned_person_times=50, hours=40,
        fund_source=FundSource.objects.get(code="employment_subsidy"), is_subsidised=subsidised,
        status=ProjectStatus.RUNNING, created_by=by,
    )


def training_class(p: TrainingProject, *, start: dt.date, end: dt.date) -> TrainingClass:
    n = next(_seq)
    return TrainingClass.objects.create(
        filing_status="accepted",
        project=p, code=f"BJ-T-{n:04d}", name=f"测试班{n}", site_address="测试地址", county_id=p.county_id,
        latitude=Decimal("36.65"), longitude=Decimal("117.12"), capacity=100, start_date=start, end_date=end,
    )


def enroll(c: TrainingClass, *, completed_on: dt.date | None, subsidised: bool = True, county: str | None = None) -> Enrollment:
    n = next(_seq)
    person = make_person(f"学员{n}", county or c.county_id, seq=(n * 2 + 1) % 1000, birth=dt.date(1990, 1, 1) + dt.timedelta(days=n))
    return Enrollment.objects.create(
        person=person, training_class=c, subsidised=subsidised,
        status=EnrollmentStatus.COMPLETED if completed_on else EnrollmentStatus.ENROLLED,
        completed_on=completed_on, attendance_rate=Decimal("0.950") if completed_on else Decimal("0.4"),
    )


def known_dataset(by: User) -> dict:
    """Jinan (Lixia) domestic-service: 3 completions 2026-03, 1 in 2025-06, one still enrolled,
    one completed but not eligible; Qingdao digital: 2 completions 2026-10; an unsubsidised
    project's completion that must not count."""
    jinan_org = make_organisation("济南家政培训学校", "370102", seed=7)
    qingdao_org = make_organisation("青岛数字技能学院", "370202", seed=8)
    domestic = project(organiser=jinan_org, county="370102", action=4, target="domestic_service", by=by)
    c2026 = training_class(domestic, start=dt.date(2026, 2, 1), end=dt.date(2026, 3, 10))
    c2025 = training_class(domestic, start=dt.date(2025, 5, 1), end=dt.date(2025, 6, 10))
    for _ in range(3):
        enroll(c2026, completed_on=dt.date(2026, 3, 10))
    enroll(c2025, completed_on=dt.date(2025, 6, 10))
    enroll(c2026, completed_on=None)
    enroll(c2026, completed_on=dt.date(2026, 3, 10), subsidised=False)
    digital = project(organiser=qingdao_org, county="370202", action=1, target="digital", by=by)
    cq = training_class(digital, start=dt.date(2026, 9, 1), end=dt.date(2026, 10, 20))
    for _ in range(2):
        enroll(cq, completed_on=dt.date(2026, 10, 20))
    unsubsidised = project(organiser=jinan_org, county="370102", action=3, target=None, by=by, subsidised=False)
    enroll(training_class(unsubsidised, start=dt.date(2026, 1, 5), end=dt.date(2026, 1, 20)), completed_on=dt.date(2026, 1, 20))
    return {"jinan_org": jinan_org, "qingdao_org": qingdao_org}
