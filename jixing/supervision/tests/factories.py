"""Small builders for supervision tests: a project, a class with sessions, enrollments and
attendance records with chosen times, devices and positions."""

from __future__ import annotations

import datetime as dt
import itertools
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from jixing.core.testing import make_organisation, make_person, make_user
from jixing.plan.models import Action, FundSource
from jixing.registry.models import Organisation, Person
from jixing.training.models import (
    Attendance,
    CheckInMethod,
    Enrollment,
    Teacher,
    TrainingClass,
    TrainingProject,
    TrainingSession,
)

SH = ZoneInfo("Asia/Shanghai")
_seq = itertools.count(1)
SITE = (Decimal("36.651200"), Decimal("117.120000"))  # Lixia, Jinan


def at(day: dt.date, hour: int, minute: int = 0, second: int = 0) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, hour, tzinfo=SH) + dt.timedelta(minutes=minute, seconds=second)


def person(county: str = "370102", *, birth: dt.date = dt.date(1991, 6, 18), sex: str = "M", phone: str = "",
           **fields: Any) -> Person:
    n = next(_seq)
    seq = (n * 2 + (1 if sex == "M" else 0)) % 1000  # odd sequence numbers are men's (GB 11643)
    return make_person(f"学员{n}", county, birth=birth, seq=seq, phone=phone or f"138{n:08d}", **fields)


def organisation(county: str = "370102", **fields: Any) -> Organisation:
    n = next(_seq)
    return make_organisation(f"培训机构{n}", county, seed=n, **fields)


def project(org: Organisation, *, creator: Any = None, **fields: Any) -> TrainingProject:
    n = next(_seq)
    creator = creator or make_user(f"maker{n}", "institution", organisation=org)
    values: dict[str, Any] = {
        "code": f"P{n:05d}", "name": f"项目{n}", "action": Action.objects.get(number=1), "project_type": "employment_skill",
        "organiser": org, "county_id": org.county_id, "planned_person_times": 50, "hours": 40,
        "fund_source": FundSource.objects.first(), "created_by": creator, "status": "running",
    }
    values.update(fields)
    return TrainingProject.objects.create(**values)


def training_class(proj: TrainingProject, *, start: dt.date = dt.date(2025, 3, 3), days: int = 10,
                   capacity: int = 50, site: tuple[Decimal, Decimal] = SITE, **fields: Any) -> TrainingClass:
    n = next(_seq)
    return TrainingClass.objects.create(filing_status="accepted",
        project=proj, code=f"C{n:05d}", name=f"班级{n}", site_address="历下区某路1号", county_id=proj.county_id,
        latitude=site[0], longitude=site[1], capacity=capacity, start_date=start,
        end_date=start + dt.timedelta(days=days), **fields,
    )


def teacher(org: Organisation, who: Person | None = None) -> Teacher:
    return Teacher.objects.create(organisation=org, person=who or person())


def session(klass: TrainingClass, start: dt.datetime, *, hours: int = 3, tutor: Teacher | None = None) -> TrainingSession:
    tutor = tutor or teacher(klass.project.organiser)
    return TrainingSession.objects.create(
        training_class=klass, starts_at=start, ends_at=start + dt.timedelta(hours=hours), hours=Decimal(hours),
        teacher=tutor, topic="实操",
    )


def enroll(who: Person, klass: TrainingClass, **fields: Any) -> Enrollment:
    return Enrollment.objects.get_or_create(person=who, training_class=klass, defaults=fields)[0]


def attend(who: Person, sess: TrainingSession, check_in: dt.datetime, check_out: dt.datetime | None = None, *,
           device: str = "", lat: Decimal | None = None, lon: Decimal | None = None,
           method: str = CheckInMethod.QR) -> Attendance:
    enrollment = enroll(who, sess.training_class)
    return Attendance.objects.create(
        enrollment=enrollment, session=sess, person=who, training_class=sess.training_class,
        check_in_at=check_in, check_out_at=check_out, device_id=device or f"phone-{who.pk}",
        latitude=lat, longitude=lon, method=method,
    )
