"""Test builders for training objects (direct ORM writes; lifecycle tests use the actions)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from jixing.core.testing import Personas, make_person
from jixing.plan.models import Action, FundSource
from jixing.registry.models import Occupation, Organisation, Person, SkillLevel
from jixing.training.models import (
    Enrollment,
    ProjectStatus,
    ProjectType,
    Teacher,
    TrainingClass,
    TrainingProject,
    TrainingSession,
)

TZ = ZoneInfo("Asia/Shanghai")


def at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=TZ)


def occupation(n: int = 0) -> Occupation:
    return Occupation.objects.order_by("id")[n]


def project_data(**overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "name": "家政服务员（中级）培训",
        "action": Action.objects.get(number=4),
        "project_type": ProjectType.EMPLOYMENT_SKILL,
        "occupation": occupation(),
        "level": SkillLevel.objects.get(order=3),
        "county": "370102",
        "planned_person_times": 40,
        "hours": 60,
        "required_attendance_rate": Decimal("0.800"),
        "fund_source": FundSource.objects.get(code="employment_subsidy"),
        "is_subsidised": True,
    }
    data.update(overrides)
    return data


_seq = {"n": 0}


def _next() -> int:
    _seq["n"] += 1
    return _seq["n"]


def make_project(personas: Personas, *, status: str = ProjectStatus.APPROVED, organiser: Organisation | None = None,
                 created_by: Any = None, **overrides: Any) -> TrainingProject:
    data = project_data(**overrides)
    groups = data.pop("required_groups", [])
    for key in ("county",):
        data[f"{key}_id"] = data.pop(key)
    project = TrainingProject.objects.create(
        code=f"XM-TEST-{_next():05d}", organiser=organiser or personas.institution,
        created_by=created_by or personas.ivan, status=status, **data,
    )
    if groups:
        project.required_groups.set(groups)
    return project


def make_teacher(organisation: Organisation, name: str = "赵老师", seq: int = 501) -> Teacher:
    person = make_person(name, "370102", birth=dt.date(1980, 3, 3), seq=seq)
    return Teacher.objects.create(organisation=organisation, person=person)


def make_class(project: TrainingProject, *, start: dt.date = dt.date(2026, 3, 2), days: int = 5, capacity: int = 30,
               county: str = "370102", code: str | None = None) -> TrainingClass:
    return TrainingClass.objects.create(
        filing_status="accepted",
        project=project, code=code or f"BJ-TEST-{_next():05d}", name=f"{project.name}第1期",
        site_address="济南市历下区经十路1号", county_id=county, latitude=Decimal("36.651200"),
        longitude=Decimal("117.120000"), capacity=capacity, start_date=start, end_date=start + dt.timedelta(days=days - 1),
    )


def make_sessions(klass: TrainingClass, teacher: Teacher, *, per_day: int = 1, hours: int = 4,
                  first_hour: int = 8) -> list[TrainingSession]:
    out = []
    day = klass.start_date
    while day <= klass.end_date:
        for i in range(per_day):
            start = at(day, first_hour + i * (hours + 1))
            out.append(TrainingSession.objects.create(
                training_class=klass, starts_at=start, ends_at=start + dt.timedelta(hours=hours),
                hours=Decimal(hours), teacher=teacher, topic=f"第{len(out) + 1}课",
            ))
        day += dt.timedelta(days=1)
    klass.teachers.add(teacher)
    return out


def make_trainee(name: str, *, seq: int, county: str = "370102", birth: dt.date = dt.date(1990, 5, 17)) -> Person:
    return make_person(name, county, birth=birth, seq=seq)


def make_enrollment(klass: TrainingClass, person: Person, *, subsidised: bool = True) -> Enrollment:
    return Enrollment.objects.create(training_class=klass, person=person, subsidised=subsidised, eligible=subsidised)
