"""Issue 16 (Build 5): an enterprise evaluates and directly recognises only its own employees —
the insurance records decide when they know the enterprise; an uploaded roster counts only for
an enterprise not yet in them, and the basis is stored with the candidate or proposal."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from jixing.evaluation import actions
from jixing.evaluation.models import EmploymentBasis, EvaluationMode, FilingKind
from jixing.evaluation.tests import factories as ef

from .factories import contributions

pytestmark = pytest.mark.django_db


def _months(n: int) -> list[str]:
    today = timezone.localdate().replace(day=1)
    out = []
    for back in range(n):
        month = today.year * 12 + today.month - 1 - back
        out.append(f"{month // 12:04d}-{month % 12 + 1:02d}")
    return out


def _propose(org, person, kate, level=4):
    return actions.propose_recognition(organisation=org, person=person, occupation=ef.occupation(1),
                                       level=ef.level(level), achievements="省级技能大赛一等奖", evidence="获奖证书",
                                       by=kate)


def test_the_insurance_records_decide_for_an_enterprise_they_know(personas):
    p = personas
    org, kate = ef.enterprise(p)
    contributions(p.shizhong_person, org.uscc, _months(2))
    rec = _propose(org, p.shizhong_person, kate)
    assert rec.employment_basis == EmploymentBasis.INSURANCE
    with pytest.raises(ValidationError, match="未为此人缴纳"):
        _propose(org, p.lixia_person, kate)  # not insured by the enterprise
    with pytest.raises(ValidationError, match="社保缴费记录"):  # a roster cannot override the records
        actions.record_enterprise_roster(organisation=org, persons=[p.lixia_person], by=kate)


def test_contributions_that_stopped_months_ago_do_not_count(personas):
    p = personas
    org, kate = ef.enterprise(p)
    contributions(p.shizhong_person, org.uscc, _months(8)[5:])  # stopped five months ago
    with pytest.raises(ValidationError):
        _propose(org, p.shizhong_person, kate)


def test_an_enterprise_not_in_the_records_uses_its_roster_marked_as_such(personas):
    p = personas
    org, kate = ef.enterprise(p)
    with pytest.raises(ValidationError, match="尚无社保缴费记录"):
        _propose(org, p.shizhong_person, kate)
    assert actions.record_enterprise_roster(organisation=org, persons=[p.shizhong_person], by=kate) == 1
    rec = _propose(org, p.shizhong_person, kate)
    assert rec.employment_basis == EmploymentBasis.ROSTER


def test_enterprise_self_evaluation_checks_employment_too(personas):
    p = personas
    org, kate = ef.enterprise(p)
    filing = ef.approved_filing(p, org=org, submitter=kate, kind=FilingKind.ENTERPRISE, levels=(3,))
    s = ef.session(p, filing, lv=3, mode=EvaluationMode.ENTERPRISE, by=kate)
    contributions(p.shizhong_person, org.uscc, _months(1))
    with pytest.raises(ValidationError):
        actions.add_applicant(s, p.lixia_person, years_of_work=7, by=kate)
    candidate = actions.add_applicant(s, p.shizhong_person, years_of_work=7, by=kate)
    assert candidate.employment_basis == EmploymentBasis.INSURANCE
    assert any(c["code"] == "employee_of_enterprise" and c["ok"] for c in candidate.conditions)


def test_social_evaluation_does_not_check_employment(personas):
    p = personas
    s = ef.session(p, ef.approved_filing(p), lv=2)
    candidate = actions.add_applicant(s, p.lixia_person, years_of_work=2, by=p.judy)
    assert candidate.employment_basis == ""


def test_only_an_enterprise_uploads_a_roster(personas):
    with pytest.raises(ValidationError):
        actions.record_enterprise_roster(organisation=personas.evaluation_body, persons=[personas.lixia_person],
                                         by=personas.judy)
