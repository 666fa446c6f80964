"""Enrollment with its stored eligibility decision, capacity (also under concurrency),
overlaps across classes for persons and teachers, overrides and person scope."""

from __future__ import annotations

import datetime as dt
import threading
import time
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import OperationalError, connections

from jixing.accounts.models import Role
from jixing.core.models import AuditEvent
from jixing.core.testing import make_organisation, make_user
from jixing.evaluation.models import Certificate, DirectRecognition, EvaluationMode, RecognitionStatus
from jixing.registry.models import Person, PersonGroup, SkillLevel, TargetGroup
from jixing.training import actions, rules
from jixing.training.models import Enrollment, EnrollmentStatus, ProjectStatus

from .factories import (
    at,
    make_class,
    make_enrollment,
    make_project,
    make_sessions,
    make_teacher,
    make_trainee,
    occupation,
)

pytestmark = pytest.mark.django_db
START = dt.date(2026, 3, 2)


@pytest.fixture
def klass(personas):
    project = make_project(personas)
    k = make_class(project, start=START)
    make_sessions(k, make_teacher(personas.institution))
    return k


def reasons(enrollment: Enrollment) -> dict[str, bool]:
    return {r["code"]: r["ok"] for r in enrollment.eligibility}


def test_it_enrolls_an_eligible_person_with_a_subsidised_place(personas, klass):
    enrollment = actions.enroll(klass, personas.lixia_person, by=personas.ivan)
    assert enrollment.subsidised and enrollment.eligible
    assert set(reasons(enrollment)) == set(rules.RULE_CODES)
    assert all(reasons(enrollment).values())
    assert AuditEvent.objects.filter(event="training.enrollment.create", object_id=str(klass.pk)).count() == 1


def _grant_certificate(personas, person, level_order):
    recognition = DirectRecognition.objects.create(
        organisation=personas.institution, person=person, occupation=occupation(), level_id=level_order,
        achievements="技能大赛一等奖", evidence="获奖证书", status=RecognitionStatus.APPROVED, decision_reason="符合条件",
        proposed_by=personas.ivan, decided_by=personas.dave,
    )
    Certificate.objects.create(
        number=f"TEST-{person.pk}-{level_order}", person=person, occupation=occupation(), level_id=level_order,
        mode=EvaluationMode.DIRECT, issuer=personas.evaluation_body, issued_on=dt.date(2024, 1, 1),
        recognition=recognition, issued_by=personas.dave,
    )


def _pensioner(personas, person):
    PersonGroup.objects.create(person=person, group=TargetGroup.objects.get(code="pensioner"), valid_from=dt.date(2020, 1, 1))


def _older_subsidised(personas, person, n, occupation_index=1, level=2):
    for i in range(n):
        project = make_project(personas, occupation=occupation(occupation_index + i), level=SkillLevel.objects.get(order=level))
        other = make_class(project, start=dt.date(2026, 6, 1) + dt.timedelta(days=10 * i))
        make_enrollment(other, person)


@pytest.mark.parametrize(("setup", "code"), [
    (lambda p, person: _pensioner(p, person), rules.EXCLUDED_GROUP),
    (lambda p, person: _older_subsidised(p, person, 3), rules.YEARLY_CAP),
    (lambda p, person: make_enrollment(make_class(make_project(p), start=dt.date(2025, 5, 5)), person),
     rules.SAME_OCCUPATION_LEVEL),
    (lambda p, person: _grant_certificate(p, person, 5), rules.LOWER_THAN_CERTIFICATE),
])
def test_it_enrolls_an_ineligible_person_unsubsidised_and_flagged(personas, klass, setup, code):
    person = personas.lixia_person
    setup(personas, person)
    enrollment = actions.enroll(klass, person, by=personas.ivan)
    assert enrollment.subsidised is False and enrollment.eligible is False
    assert reasons(enrollment)[code] is False
    failed = [r for r in enrollment.eligibility if not r["ok"]]
    assert [r["code"] for r in failed] == [code]
    assert failed[0]["message"]


def test_it_refuses_a_person_over_the_retirement_age(personas, klass):
    old = make_trainee("老张", seq=71, birth=dt.date(1960, 1, 1))
    enrollment = actions.enroll(klass, old, by=personas.ivan)
    assert reasons(enrollment)[rules.WORKING_AGE] is False and not enrollment.subsidised


def test_it_requires_the_target_group_on_the_class_start_date(personas):
    group = TargetGroup.objects.get(code="registered_unemployed")
    project = make_project(personas, required_groups=[group])
    k = make_class(project, start=START)
    member, late = personas.lixia_person, personas.shizhong_person
    PersonGroup.objects.create(person=member, group=group, valid_from=dt.date(2025, 1, 1))
    PersonGroup.objects.create(person=late, group=group, valid_from=START + dt.timedelta(days=1))
    assert actions.enroll(k, member, by=personas.ivan).subsidised
    assert reasons(actions.enroll(k, late, by=personas.ivan))[rules.REQUIRED_GROUP] is False


def test_it_does_not_subsidise_places_of_an_unsubsidised_project(personas):
    project = make_project(personas, is_subsidised=False)
    enrollment = actions.enroll(make_class(project), personas.lixia_person, by=personas.ivan)
    assert enrollment.eligible and not enrollment.subsidised


# ---------------------------------------------------------------- overlaps across classes


def test_it_flags_a_person_whose_sessions_overlap_another_class(personas, klass):
    other_org = make_organisation("市中培训学校", "370103", seed=5)
    other_project = make_project(personas, organiser=other_org, occupation=occupation(3))
    other = make_class(other_project, start=START)
    make_sessions(other, make_teacher(other_org, "钱老师", seq=502), first_hour=10)  # 10:00–14:00 meets 8:00–12:00
    make_enrollment(other, personas.lixia_person)
    enrollment = actions.enroll(klass, personas.lixia_person, by=personas.ivan)
    assert reasons(enrollment)[rules.SESSION_OVERLAP] is False
    assert other.code in next(r["message"] for r in enrollment.eligibility if r["code"] == rules.SESSION_OVERLAP)


def test_it_ignores_back_to_back_sessions_and_withdrawn_enrollments(personas, klass):
    other_project = make_project(personas, occupation=occupation(3))
    other = make_class(other_project, start=START)
    make_sessions(other, make_teacher(personas.institution, "钱老师", seq=502), first_hour=12)
    make_enrollment(other, personas.lixia_person)
    withdrawn = make_class(make_project(personas, occupation=occupation(4)), start=START)
    make_sessions(withdrawn, make_teacher(personas.institution, "孙老师", seq=503), first_hour=9)
    Enrollment.objects.create(training_class=withdrawn, person=personas.lixia_person, status=EnrollmentStatus.WITHDRAWN)
    assert reasons(actions.enroll(klass, personas.lixia_person, by=personas.ivan))[rules.SESSION_OVERLAP] is True


def test_it_refuses_a_teacher_in_two_overlapping_sessions_across_classes(personas, klass):
    teacher = klass.sessions.first().teacher
    other = make_class(make_project(personas, occupation=occupation(2)), start=START)
    with pytest.raises(ValidationError) as err:
        actions.add_session(other, by=personas.ivan, starts_at=at(START, 11), ends_at=at(START, 13),
                            hours=Decimal(2), teacher=teacher, topic="冲突")
    assert list(err.value.message_dict) == ["teacher"]
    assert not other.sessions.exists()
    session = actions.add_session(other, by=personas.ivan, starts_at=at(START, 12), ends_at=at(START, 14),
                                  hours=Decimal(2), teacher=teacher, topic="紧接着")
    assert session.pk


def test_it_finds_the_same_teacher_across_institutions(personas, klass):
    """The same person registered as a teacher with two institutions is still one person."""
    teacher = klass.sessions.first().teacher
    other_org = make_organisation("市中培训学校", "370103", seed=5)
    staff = make_user("otto", Role.INSTITUTION, organisation=other_org)
    twin = actions.add_teacher(by=staff, person=teacher.person)
    other = make_class(make_project(personas, organiser=other_org), start=START)
    with pytest.raises(ValidationError):
        actions.add_session(other, by=staff, starts_at=at(START, 9), ends_at=at(START, 10),
                            hours=Decimal(1), teacher=twin, topic="冲突")


@pytest.mark.parametrize(("start_hour", "end_hour", "hours", "field"), [
    (10, 9, 1, "ends_at"),
    (14, 16, 3, "hours"),
    (14, 16, 0, "hours"),
])
def test_it_validates_a_session(personas, klass, start_hour, end_hour, hours, field):
    teacher = make_teacher(personas.institution, "钱老师", seq=502)
    with pytest.raises(ValidationError) as err:
        actions.add_session(klass, by=personas.ivan, starts_at=at(START, start_hour), ends_at=at(START, end_hour),
                            hours=Decimal(hours), teacher=teacher, topic="x")
    assert field in err.value.message_dict


def test_it_refuses_a_session_outside_the_class_dates_or_overlapping_the_class(personas, klass):
    teacher = make_teacher(personas.institution, "钱老师", seq=502)
    with pytest.raises(ValidationError):
        actions.add_session(klass, by=personas.ivan, starts_at=at(START - dt.timedelta(days=1), 8),
                            ends_at=at(START - dt.timedelta(days=1), 9), hours=Decimal(1), teacher=teacher, topic="x")
    with pytest.raises(ValidationError) as err:
        actions.add_session(klass, by=personas.ivan, starts_at=at(START, 9), ends_at=at(START, 10),
                            hours=Decimal(1), teacher=teacher, topic="x")
    assert list(err.value.message_dict) == ["starts_at"]


# ---------------------------------------------------------------- capacity


def test_it_refuses_enrollment_beyond_capacity(personas):
    k = make_class(make_project(personas), capacity=2)
    people = [make_trainee(f"学员{i}", seq=100 + i) for i in range(3)]
    actions.enroll(k, people[0], by=personas.ivan)
    actions.enroll(k, people[1], by=personas.ivan)
    with pytest.raises(actions.EnrollmentRefused):
        actions.enroll(k, people[2], by=personas.ivan)
    assert k.enrollments.count() == 2


def test_it_frees_a_place_when_someone_withdraws(personas):
    k = make_class(make_project(personas), capacity=1)
    first = actions.enroll(k, personas.lixia_person, by=personas.ivan)
    actions.withdraw(first, by=personas.ivan, reason="个人原因")
    assert actions.enroll(k, personas.shizhong_person, by=personas.ivan).pk


def test_it_refuses_the_same_person_twice(personas, klass):
    actions.enroll(klass, personas.lixia_person, by=personas.ivan)
    with pytest.raises(actions.EnrollmentRefused):
        actions.enroll(klass, personas.lixia_person, by=personas.ivan)


@pytest.mark.parametrize("status", [ProjectStatus.DRAFT, ProjectStatus.SUBMITTED, ProjectStatus.FINISHED])
def test_it_refuses_enrollment_unless_the_project_is_approved_or_running(personas, status):
    k = make_class(make_project(personas, status=status))
    with pytest.raises(actions.EnrollmentRefused):
        actions.enroll(k, personas.lixia_person, by=personas.ivan)


@pytest.mark.django_db(transaction=True)
def test_it_holds_capacity_under_concurrent_enrollment(personas):
    """Eight threads enroll eight people into a class of three: exactly three succeed.
    The class row is locked (SELECT … FOR UPDATE) on PostgreSQL; SQLite serialises writers
    (its shared in-memory test database answers "locked" instead of waiting: the worker retries)."""
    k = make_class(make_project(personas), capacity=3)
    people = [make_trainee(f"并发{i}", seq=200 + i) for i in range(8)]
    barrier = threading.Barrier(len(people))
    outcomes: list[str] = []

    def worker(person: Person) -> None:
        barrier.wait()
        try:
            for _attempt in range(200):
                try:
                    actions.enroll(k, person, by=personas.ivan)
                    outcomes.append("ok")
                    return
                except actions.EnrollmentRefused:
                    outcomes.append("full")
                    return
                except OperationalError:  # SQLite's shared test database: "table is locked", retry
                    time.sleep(0.01)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker, args=(p,)) for p in people]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["full"] * 5 + ["ok"] * 3
    assert Enrollment.objects.filter(training_class=k).count() == 3


# ---------------------------------------------------------------- override and scope


def test_it_lets_an_officer_override_with_a_reason(personas, klass):
    _pensioner(personas, personas.lixia_person)
    enrollment = actions.enroll(klass, personas.lixia_person, by=personas.ivan)
    with pytest.raises(ValidationError):
        actions.override_eligibility(enrollment, by=personas.dave, reason=" ")
    for outsider in (personas.ivan, personas.carol, personas.erin):
        with pytest.raises(PermissionDenied):
            actions.override_eligibility(enrollment, by=outsider, reason="理由")
    actions.override_eligibility(enrollment, by=personas.dave, reason="经核实已停发养老金，属就业困难人员")
    enrollment.refresh_from_db()
    assert enrollment.subsidised and not enrollment.eligible and enrollment.override_by == personas.dave
    event = AuditEvent.objects.get(event="training.enrollment.override")
    assert event.detail["failed_rules"] == [rules.EXCLUDED_GROUP]


def test_it_shows_enrolled_persons_to_their_institution_only(personas, klass):
    actions.enroll(klass, personas.qingdao_person, by=personas.ivan)
    assert Person.objects.visible_to(personas.ivan).filter(pk=personas.qingdao_person.pk).exists()
    assert not Person.objects.visible_to(personas.ivan).filter(pk=personas.shizhong_person.pk).exists()
    other = make_user("olga", Role.INSTITUTION, organisation=make_organisation("另一学校", "370102", seed=9))
    assert not Person.objects.visible_to(other).filter(pk=personas.qingdao_person.pk).exists()


def test_it_shows_persons_in_its_actions_projects_to_a_sector_officer(personas, klass):
    actions.enroll(klass, personas.qingdao_person, by=personas.ivan)  # action 4: civil affairs is responsible
    assert Person.objects.visible_to(personas.frank).filter(pk=personas.qingdao_person.pk).exists()
    assert not Person.objects.visible_to(personas.frank).filter(pk=personas.shizhong_person.pk).exists()
