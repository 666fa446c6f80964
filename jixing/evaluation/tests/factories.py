"""Test builders for evaluation: filings, sessions, completed enrollments."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.utils import timezone

from jixing.accounts.models import Role, User
from jixing.core.testing import Personas, make_organisation, make_person, make_user
from jixing.evaluation import actions
from jixing.evaluation.models import (
    Candidate,
    EvaluationFiling,
    EvaluationMode,
    EvaluationSession,
    FilingKind,
)
from jixing.plan.models import Action, FundSource
from jixing.registry.idgen import make_id_number
from jixing.registry.models import Occupation, Organisation, OrganisationKind, Person, SkillLevel
from jixing.training.models import Enrollment, EnrollmentStatus, TrainingClass, TrainingProject

TODAY = dt.date(2025, 9, 1)


def today() -> dt.date:
    return timezone.localdate()


def occupation(n: int = 0) -> Occupation:
    return Occupation.objects.order_by("id")[n]


def level(order: int) -> SkillLevel:
    return SkillLevel.objects.get(order=order)


def examiner(seq: int = 71, county: str = "370103") -> Person:
    birth = dt.date(1975, 3, 3)
    existing = Person.objects.with_id_number(make_id_number(county, birth, seq)).first()
    return existing or make_person(f"考评{seq}", county, seq=seq, birth=birth)


def approved_filing(
    p: Personas, *, org: Organisation | None = None, submitter: User | None = None, kind: str = FilingKind.EVALUATION_INSTITUTION,
    occupations: tuple[Occupation, ...] | None = None, levels: tuple[int, ...] = (2, 3),
    valid_from: dt.date | None = None, valid_to: dt.date | None = None, examiners: list[Person] | None = None,
) -> EvaluationFiling:
    org = org or p.evaluation_body
    submitter = submitter or p.judy
    occs = occupations or (occupation(0),)
    start = valid_from or today() - dt.timedelta(days=365)
    end = valid_to or today() + dt.timedelta(days=365)
    filing = actions.submit_filing(
        organisation=org, kind=kind, valid_from=start, valid_to=end,
        scopes=[(o, level(lv)) for o in occs for lv in levels], examiners=examiners or [examiner()], by=submitter,
    )
    return actions.approve_filing(filing, by=p.erin if org.county_id.startswith("370103") else p.alice)


def session(p: Personas, filing: EvaluationFiling, *, lv: int = 2, on: dt.date | None = None,
            mode: str = EvaluationMode.SOCIAL, by: User | None = None, occ: Occupation | None = None) -> EvaluationSession:
    return actions.create_session(
        filing=filing, occupation=occ or filing.scopes.first().occupation, level=level(lv), mode=mode,
        date=on or today(), site="济南市市中区经十路1号", examiners=list(filing.examiners.all()), by=by or p.judy,
    )


def completed_enrollment(person: Person, *, occ: Occupation | None = None, end: dt.date | None = None,
                         organiser: Organisation | None = None, by: User | None = None) -> Enrollment:
    end = end or today() - dt.timedelta(days=7)
    organiser = organiser or Organisation.objects.filter(kind=OrganisationKind.PRIVATE_INSTITUTION).first()
    creator = by or User.objects.filter(role=Role.INSTITUTION).first()
    n = TrainingProject.objects.count() + 1
    project = TrainingProject.objects.create(
        code=f"TP-EV-{n}", name="评价测试项目", action=Action.objects.order_by("number").first(),
        project_type="employment_skill", organiser=organiser, occupation=occ or occupation(0), level=level(2),
        county_id=organiser.county_id, planned_person_times=30, hours=40, fund_source=FundSource.objects.first(),
        created_by=creator,
    )
    cls = TrainingClass.objects.create(
        filing_status="accepted",
        project=project, code=f"TC-EV-{n}", name="评价测试班", site_address="历下区", county_id=organiser.county_id,
        latitude=Decimal("36.66"), longitude=Decimal("117.02"), capacity=30,
        start_date=end - dt.timedelta(days=20), end_date=end,
    )
    return Enrollment.objects.create(person=person, training_class=cls, status=EnrollmentStatus.COMPLETED,
                                     completed_on=end, attendance_rate=Decimal("0.95"), subsidised=True)


def enterprise(p: Personas, county: str = "370103") -> tuple[Organisation, User]:
    org = make_organisation("济南重工机械有限公司", county, OrganisationKind.ENTERPRISE,
                            above_size_list_year=today().year - 1)
    user = make_user("kate", Role.INSTITUTION, organisation=org)
    return org, user


def second_evaluator(p: Personas) -> User:
    return make_user("jack", Role.EVALUATOR, organisation=p.evaluation_body)


@dataclass
class Locked:
    session: EvaluationSession
    candidate: Candidate
    certificates: list[Any]


def locked_pass(p: Personas, filing: EvaluationFiling | None = None, person: Person | None = None,
                theory: str = "75", practical: str = "80") -> Locked:
    filing = filing or approved_filing(p)
    s = session(p, filing)
    person = person or p.lixia_person
    cand = actions.add_enrollment_candidate(s, completed_enrollment(person), by=p.judy)
    actions.record_result(cand, theory=Decimal(theory), practical=Decimal(practical),
                          examiner=s.examiners.first(), by=p.judy)
    actions.submit_results(s, by=p.judy)
    certs = actions.lock_results(s, by=p.erin)
    return Locked(s, cand, certs)
