"""R07 (caps), R08 (evaluation anomalies), R09 (claims without basis): pattern and near miss."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from jixing.evaluation.models import Candidate, EvaluationResult
from jixing.evaluation.tests import factories as ef
from jixing.funds.tests import factories as ff
from jixing.registry.models import Occupation, SkillLevel
from jixing.supervision.engine import run_rules
from jixing.supervision.models import Finding, RuleSetting

from . import factories as f

pytestmark = pytest.mark.django_db


def findings(code: str) -> list[Finding]:
    run_rules(codes=[code], full=True)
    return list(Finding.objects.filter(code=code).order_by("id"))


# ---------------------------------------------------------------- R07

def _subsidised(person, org, *, start, occupation=None, level=None):
    klass = f.training_class(f.project(org, occupation=occupation, level=level), start=start)
    return f.enroll(person, klass, subsidised=True)


def test_it_finds_more_subsidised_trainings_in_a_year_than_allowed(reference):
    a, b = f.organisation(), f.organisation("370202")
    trainee = f.person()
    for i, org in enumerate([a, b, a, b]):  # four in 2025, across two institutions
        _subsidised(trainee, org, start=dt.date(2025, 2 + i, 1))
    [finding] = findings("R07")
    assert finding.evidence["rule"] == "yearly_cap"
    assert len(finding.evidence["enrollments"]) == 4
    assert "3" in finding.explanation


def test_it_allows_three_subsidised_trainings_a_year(reference):
    org = f.organisation()
    trainee = f.person()
    for i in range(3):
        _subsidised(trainee, org, start=dt.date(2025, 2 + i, 1))
    _subsidised(trainee, org, start=dt.date(2026, 1, 5))  # a new year
    assert findings("R07") == []


def test_it_finds_the_same_occupation_and_level_subsidised_twice(reference):
    occupation, level = Occupation.objects.order_by("id").first(), SkillLevel.objects.get(order=3)
    trainee = f.person()
    _subsidised(trainee, f.organisation(), start=dt.date(2025, 3, 1), occupation=occupation, level=level)
    _subsidised(trainee, f.organisation("370202"), start=dt.date(2025, 9, 1), occupation=occupation, level=level)
    [finding] = findings("R07")
    assert finding.evidence["rule"] == "same_occupation_level"


def test_it_allows_the_next_level_of_the_same_occupation(reference):
    occupation = Occupation.objects.order_by("id").first()
    trainee = f.person()
    _subsidised(trainee, f.organisation(), start=dt.date(2025, 3, 1), occupation=occupation,
                level=SkillLevel.objects.get(order=3))
    _subsidised(trainee, f.organisation(), start=dt.date(2025, 9, 1), occupation=occupation,
                level=SkillLevel.objects.get(order=4))
    assert findings("R07") == []


# ---------------------------------------------------------------- R08

def _evaluated(personas, scores, *, class_end=None, session_on=None):
    filing = ef.approved_filing(personas)
    session = ef.session(personas, filing, on=session_on or ef.today())
    examiner = session.examiners.first()
    for theory, practical in scores:
        person = f.person()
        enrollment = ef.completed_enrollment(person, end=class_end)
        candidate = Candidate.objects.create(session=session, person=person, enrollment=enrollment, source="enrollment",
                                             added_by=personas.judy)
        EvaluationResult.objects.create(candidate=candidate, theory_score=Decimal(theory), practical_score=Decimal(practical),
                                        passed=min(theory, practical) >= 60, examiner=examiner, status="submitted",
                                        entered_by=personas.judy)
    return session


def test_it_finds_a_large_session_where_everyone_passed(personas):
    RuleSetting.objects.create(code="R08", params={"all_pass_min_candidates": 6})
    session = _evaluated(personas, [(60 + i * 5, 62 + i * 4) for i in range(6)])
    [finding] = findings("R08")
    assert finding.evidence["variant"] == "all_pass" and finding.subject_id == str(session.pk)
    assert finding.organisation_id == personas.evaluation_body.pk


def test_it_does_not_flag_a_session_with_a_failure(personas):
    RuleSetting.objects.create(code="R08", params={"all_pass_min_candidates": 6})
    _evaluated(personas, [(60 + i * 5, 62 + i * 4) for i in range(5)] + [(40, 70)])
    assert findings("R08") == []


def test_it_finds_identical_scores(personas):
    _evaluated(personas, [(85, 90)] * 5 + [(70, 75)])
    found = findings("R08")
    assert [x.evidence["variant"] for x in found] == ["identical"]
    assert len(found[0].evidence["results"]) == 5


def test_it_does_not_flag_four_identical_scores(personas):
    _evaluated(personas, [(85, 90)] * 4 + [(70, 75), (66, 81)])
    assert findings("R08") == []


def test_it_finds_an_evaluation_before_the_training_ended(personas):
    _evaluated(personas, [(70, 80)], class_end=ef.today() + dt.timedelta(days=5))
    [finding] = findings("R08")
    assert finding.evidence["variant"] == "before_training"


def test_it_accepts_an_evaluation_the_day_after_training(personas):
    _evaluated(personas, [(70, 80)], class_end=ef.today() - dt.timedelta(days=1))
    assert findings("R08") == []


# ---------------------------------------------------------------- R09

def test_it_finds_claim_lines_whose_attendance_fell_below_the_required_rate(personas):
    funded = ff.funded_class(personas, trainees=2)
    claim = ff.claim_in(funded, "submitted")
    low = funded.enrollments[0]
    low.attendance_rate = Decimal("0.500")  # records found fabricated and struck off after the claim
    low.save(update_fields=["attendance_rate"])
    [finding] = findings("R09")
    assert finding.subject_id == str(claim.pk) and finding.evidence["variant"] == "attendance"
    assert [line["person_id"] for line in finding.evidence["lines"]] == [low.person_id]


def test_it_does_not_flag_a_claim_with_enough_attendance(personas):
    funded = ff.funded_class(personas, trainees=2)
    ff.claim_in(funded, "submitted")
    assert findings("R09") == []


def test_it_finds_claim_lines_without_the_required_certificate(personas):
    funded = ff.funded_class(personas, trainees=1, requires_certificate=True)
    enrollment = funded.enrollments[0]
    cert = ff.certificate(enrollment.person, occ=funded.project.occupation, lvl=funded.project.level_id)
    ff.claim_in(funded, "submitted")
    assert findings("R09") == []  # valid certificate: the near miss
    cert.status, cert.revoked_reason = "revoked", "考试作弊"
    cert.save(update_fields=["status", "revoked_reason"])
    [finding] = findings("R09")
    assert finding.evidence["variant"] == "certificate"
