"""Filings, sessions, results, corrections, certificates and direct recognition through the actions."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import translation

from jixing.core.models import AuditEvent, StatusChange
from jixing.core.workflow import IllegalTransition
from jixing.evaluation import actions
from jixing.evaluation.models import (
    Candidate,
    Certificate,
    CertificateStatus,
    EvaluationMode,
    EvaluationResult,
    FilingKind,
    FilingStatus,
    PassRule,
    RecognitionStatus,
    ResultStatus,
    SessionStatus,
)
from jixing.evaluation.queries import certificates_for, highest_certificate_levels

from . import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english():
    """Messages are asserted by their English source text here; the Chinese ones in test_import_results."""
    with translation.override("en"):
        yield


# ------------------------------------------------------------------ filings


def test_it_assigns_a_filing_code_on_approval(personas) -> None:
    filing = f.approved_filing(personas)
    assert filing.status == FilingStatus.APPROVED
    assert filing.code == "S000037000001"
    assert filing.decided_by == personas.erin
    assert StatusChange.objects.filter(to_status=FilingStatus.APPROVED).count() == 1
    second = f.approved_filing(personas, levels=(4,))
    assert second.code == "S000037000002"


def test_it_codes_enterprise_filings_with_y(personas) -> None:
    org, kate = f.enterprise(personas)
    filing = f.approved_filing(personas, org=org, submitter=kate, kind=FilingKind.ENTERPRISE)
    assert filing.code.startswith("Y000037")


def test_it_refuses_enterprise_self_evaluation_below_designated_size(personas) -> None:
    """Seed 二(二): only 规模以上 enterprises evaluate their own workers."""
    org, kate = f.enterprise(personas)
    org.above_size_list_year = None
    org.save(update_fields=["above_size_list_year"])
    with pytest.raises(ValidationError) as exc:
        f.approved_filing(personas, org=org, submitter=kate, kind=FilingKind.ENTERPRISE)
    assert any("规模以上" in m for m in exc.value.messages)
    assert not org.evaluation_filings.exists()


def test_it_keeps_maker_and_checker_apart(personas) -> None:
    p = personas
    filing = actions.submit_filing(organisation=p.evaluation_body, kind=FilingKind.EVALUATION_INSTITUTION,
                                   valid_from=f.today(), valid_to=f.today() + dt.timedelta(days=30),
                                   scopes=[(f.occupation(0), f.level(2))], examiners=[f.examiner()], by=p.judy)
    with pytest.raises(PermissionDenied):
        actions.approve_filing(filing, by=p.judy)  # not an officer, and the maker
    with pytest.raises(PermissionDenied):
        actions.approve_filing(filing, by=p.carol)  # Qingdao officer: out of scope
    filing.refresh_from_db()
    assert filing.status == FilingStatus.SUBMITTED and filing.code == ""


def test_it_refuses_an_invalid_filing_and_writes_nothing(personas) -> None:
    p = personas
    with pytest.raises(ValidationError) as exc:
        actions.submit_filing(organisation=p.evaluation_body, kind=FilingKind.ENTERPRISE, valid_from=f.today(),
                              valid_to=f.today() - dt.timedelta(days=1), scopes=[], examiners=[], by=p.judy)
    assert len(exc.value.messages) >= 3
    assert not p.evaluation_body.evaluation_filings.exists()


def test_it_stops_new_sessions_when_a_filing_is_suspended_and_resumes_on_reinstatement(personas) -> None:
    p = personas
    filing = f.approved_filing(personas)
    actions.suspend_filing(filing, by=p.erin, reason="考评员不足")
    with pytest.raises(ValidationError) as exc:
        f.session(p, filing)
    assert "考评员不足" in exc.value.messages[0]
    actions.reinstate_filing(filing, by=p.erin, reason="整改完成")
    assert f.session(p, filing).status == SessionStatus.PLANNED


def test_it_revokes_a_filing_for_good(personas) -> None:
    p = personas
    filing = f.approved_filing(personas)
    with pytest.raises(ValidationError):
        actions.revoke_filing(filing, by=p.erin, reason="  ")
    actions.revoke_filing(filing, by=p.erin, reason="违规发证")
    with pytest.raises(IllegalTransition):
        actions.reinstate_filing(filing, by=p.erin, reason="申诉")
    with pytest.raises(ValidationError):
        f.session(p, filing)


@pytest.mark.parametrize(("kw", "fragment"), [
    ({"lv": 4}, "scope"),
    ({"on_offset": 400}, "validity"),
    ({"mode": EvaluationMode.ENTERPRISE}, "mode"),
])
def test_it_refuses_sessions_outside_scope_validity_or_mode(personas, kw: dict, fragment: str) -> None:
    filing = f.approved_filing(personas)
    on = f.today() + dt.timedelta(days=kw.pop("on_offset", 0))
    with pytest.raises(ValidationError) as exc:
        f.session(personas, filing, on=on, **kw)
    assert any(fragment in m for m in exc.value.messages)
    assert not filing.sessions.exists()


def test_it_refuses_session_examiners_outside_the_filing(personas) -> None:
    p = personas
    filing = f.approved_filing(p)
    with pytest.raises(ValidationError):
        actions.create_session(filing=filing, occupation=f.occupation(0), level=f.level(2), mode=EvaluationMode.SOCIAL,
                               date=f.today(), site="x", examiners=[f.examiner(seq=88)], by=p.judy)


def test_it_lets_only_the_filing_organisation_create_sessions(personas) -> None:
    filing = f.approved_filing(personas)
    with pytest.raises(PermissionDenied):
        f.session(personas, filing, by=personas.ivan)


# ------------------------------------------------------------------ candidates


def test_it_refuses_an_evaluation_dated_before_training_ended(personas) -> None:
    p = personas
    s = f.session(p, f.approved_filing(p), on=f.today())
    enrollment = f.completed_enrollment(p.lixia_person, end=f.today() + dt.timedelta(days=3))
    with pytest.raises(ValidationError) as exc:
        actions.add_enrollment_candidate(s, enrollment, by=p.judy)
    assert any("before the training ended" in m for m in exc.value.messages)
    assert not Candidate.objects.exists()


def test_it_refuses_applicants_who_miss_the_level_conditions(personas) -> None:
    p = personas
    s = f.session(p, f.approved_filing(p), lv=3)
    with pytest.raises(ValidationError):
        actions.add_applicant(s, p.shizhong_person, years_of_work=2, by=p.judy)
    cand = actions.add_applicant(s, p.shizhong_person, years_of_work=6, by=p.judy)
    assert cand.conditions[-1]["ok"] and cand.source == "application"


def test_it_waives_conditions_in_a_direct_recognition_session(personas) -> None:
    p = personas
    org, kate = f.enterprise(p)
    filing = f.approved_filing(p, org=org, submitter=kate, kind=FilingKind.ENTERPRISE, levels=(3,))
    s = f.session(p, filing, lv=3, mode=EvaluationMode.DIRECT, by=kate)
    actions.record_enterprise_roster(organisation=org, persons=[p.shizhong_person], by=kate)
    assert actions.add_applicant(s, p.shizhong_person, years_of_work=0, by=kate).pk


def test_it_accepts_a_candidate_once_per_session(personas) -> None:
    p = personas
    s = f.session(p, f.approved_filing(p))
    actions.add_applicant(s, p.shizhong_person, years_of_work=2, by=p.judy)
    with pytest.raises(ValidationError):
        actions.add_applicant(s, p.shizhong_person, years_of_work=2, by=p.judy)


# ------------------------------------------------------------------ results, locking, corrections


def test_it_locks_results_after_review_by_another_user_and_issues_certificates(personas) -> None:
    p = personas
    filing = f.approved_filing(p)
    s = f.session(p, filing)
    ex = s.examiners.first()
    good = actions.add_enrollment_candidate(s, f.completed_enrollment(p.lixia_person), by=p.judy)
    bad = actions.add_applicant(s, p.shizhong_person, years_of_work=3, by=p.judy)
    actions.record_result(good, theory=Decimal("70"), practical=Decimal("61"), examiner=ex, by=p.judy)
    actions.record_result(bad, theory=Decimal("90"), practical=Decimal("59"), examiner=ex, by=p.judy)
    actions.submit_results(s, by=p.judy)
    with pytest.raises(ValidationError):
        actions.record_result(good, theory=Decimal("99"), practical=Decimal("99"), examiner=ex, by=p.judy)
    certs = actions.lock_results(s, by=p.erin)
    s.refresh_from_db()
    assert s.status == SessionStatus.LOCKED and s.reviewed_by == p.erin
    assert [c.person for c in certs] == [p.lixia_person]
    cert = certs[0]
    assert cert.number.startswith(filing.code + f"{f.today().year % 100:02d}5")
    assert cert.number.endswith("000001") and cert.mode == EvaluationMode.SOCIAL and cert.issuer == p.evaluation_body
    assert set(EvaluationResult.objects.values_list("status", flat=True)) == {ResultStatus.LOCKED}


def test_it_refuses_self_review(personas) -> None:
    p = personas
    s = f.session(p, f.approved_filing(p))
    cand = actions.add_applicant(s, p.shizhong_person, years_of_work=3, by=p.judy)
    actions.record_result(cand, theory=Decimal("70"), practical=Decimal("70"), examiner=s.examiners.first(), by=p.judy)
    actions.submit_results(s, by=p.judy)
    with pytest.raises(PermissionDenied):
        actions.lock_results(s, by=p.judy)
    with pytest.raises(PermissionDenied):
        actions.lock_results(s, by=p.carol)
    s.refresh_from_db()
    assert s.status == SessionStatus.SUBMITTED


def test_it_returns_results_for_correction_before_locking(personas) -> None:
    p = personas
    s = f.session(p, f.approved_filing(p))
    cand = actions.add_applicant(s, p.shizhong_person, years_of_work=3, by=p.judy)
    actions.record_result(cand, theory=Decimal("70"), practical=Decimal("50"), examiner=s.examiners.first(), by=p.judy)
    actions.submit_results(s, by=p.judy)
    actions.return_results(s, by=p.erin, reason="技能成绩与评分表不符")
    result = actions.record_result(cand, theory=Decimal("70"), practical=Decimal("65"), examiner=s.examiners.first(), by=p.judy)
    assert result.version == 1 and result.passed
    actions.submit_results(s, by=p.judy)
    assert len(actions.lock_results(s, by=p.erin)) == 1


def test_it_never_edits_a_locked_result_and_corrects_with_a_new_version(personas) -> None:
    p = personas
    done = f.locked_pass(p)
    first = done.candidate.results.get()
    cert = done.certificates[0]
    ex = done.session.examiners.first()
    with pytest.raises(ValidationError):
        actions.record_result(done.candidate, theory=Decimal("10"), practical=Decimal("10"), examiner=ex, by=p.judy)
    jack = f.second_evaluator(p)
    fix = actions.correct_result(first, theory=Decimal("75"), practical=Decimal("40"), examiner=ex,
                                 reason="复核发现技能评分汇总错误", by=jack)
    assert (fix.version, fix.supersedes, fix.status, fix.passed) == (2, first, ResultStatus.SUBMITTED, False)
    with pytest.raises(ValidationError):  # one open correction at a time
        actions.correct_result(first, theory=Decimal("75"), practical=Decimal("41"), examiner=ex, reason="again", by=p.judy)
    with pytest.raises(PermissionDenied):
        actions.review_correction(fix, by=jack, approve=True)
    actions.review_correction(fix, by=p.erin, approve=True)
    first.refresh_from_db()
    assert (first.status, first.practical_score, first.passed) == (ResultStatus.LOCKED, Decimal("80.00"), True)
    cert.refresh_from_db()
    assert cert.status == CertificateStatus.REVOKED and "2" in cert.revoked_reason
    assert AuditEvent.objects.filter(event="evaluation_result.correct").count() == 1
    # and back to a pass: a fresh certificate for the new version
    fix2 = actions.correct_result(fix, theory=Decimal("75"), practical=Decimal("66"), examiner=ex, reason="再次复核", by=p.judy)
    actions.review_correction(fix2, by=p.erin, approve=True)
    assert Certificate.objects.valid().get(person=p.lixia_person).result == fix2


def test_it_keeps_a_rejected_correction_on_record(personas) -> None:
    p = personas
    done = f.locked_pass(p)
    first = done.candidate.results.get()
    fix = actions.correct_result(first, theory=Decimal("10"), practical=Decimal("10"), examiner=done.session.examiners.first(),
                                 reason="误录", by=p.judy)
    with pytest.raises(ValidationError):
        actions.review_correction(fix, by=p.erin, approve=False, reason="")
    actions.review_correction(fix, by=p.erin, approve=False, reason="无依据")
    fix.refresh_from_db()
    assert fix.status == ResultStatus.REJECTED
    assert Certificate.objects.valid().filter(person=p.lixia_person).count() == 1


def test_it_refuses_out_of_range_scores_and_writes_nothing(personas) -> None:
    p = personas
    s = f.session(p, f.approved_filing(p))
    cand = actions.add_applicant(s, p.shizhong_person, years_of_work=3, by=p.judy)
    for theory, practical in [("101", "60"), ("60", "-0.5")]:
        with pytest.raises(ValidationError):
            actions.record_result(cand, theory=Decimal(theory), practical=Decimal(practical), examiner=s.examiners.first(), by=p.judy)
    assert not EvaluationResult.objects.exists()


def test_it_applies_a_configured_pass_rule_with_comprehensive_review(personas) -> None:
    p = personas
    s = f.session(p, f.approved_filing(p))
    PassRule.objects.create(occupation=s.occupation, level=s.level, theory_min=Decimal("70"),
                            practical_min=Decimal("60"), comprehensive_min=Decimal("60"))
    cand = actions.add_applicant(s, p.shizhong_person, years_of_work=3, by=p.judy)
    with pytest.raises(ValidationError):  # comprehensive required here
        actions.record_result(cand, theory=Decimal("80"), practical=Decimal("80"), examiner=s.examiners.first(), by=p.judy)
    r = actions.record_result(cand, theory=Decimal("69"), practical=Decimal("80"), comprehensive=Decimal("90"),
                              examiner=s.examiners.first(), by=p.judy)
    assert not r.passed and [c["code"] for c in r.pass_reasons if not c["ok"]] == ["theory"]


def test_it_holds_the_score_range_in_the_database(personas) -> None:
    done = f.locked_pass(personas)
    with pytest.raises(IntegrityError), transaction.atomic():
        EvaluationResult.objects.filter(candidate=done.candidate).update(theory_score=Decimal("120"))


# ------------------------------------------------------------------ direct recognition


def test_it_issues_a_direct_recognition_certificate_after_officer_approval(personas) -> None:
    p = personas
    org, kate = f.enterprise(p)
    actions.record_enterprise_roster(organisation=org, persons=[p.shizhong_person], by=kate)
    rec = actions.propose_recognition(organisation=org, person=p.shizhong_person, occupation=f.occupation(1), level=f.level(5),
                                      achievements="全国技术能手，主持攻关项目3项", evidence="技术能手证书；专利号 ZL2023…", by=kate)
    with pytest.raises(PermissionDenied):
        actions.approve_recognition(rec, by=p.carol, reason="ok")
    cert = actions.approve_recognition(rec, by=p.erin, reason="业绩突出，材料齐全")
    rec.refresh_from_db()
    assert rec.status == RecognitionStatus.APPROVED and rec.decided_by == p.erin
    assert cert.mode == EvaluationMode.DIRECT and cert.recognition == rec and cert.issuer == org
    assert cert.number.startswith("Y000037000000") and cert.number[15] == "2"
    assert highest_certificate_levels([p.shizhong_person.pk]) == {(p.shizhong_person.pk, f.occupation(1).pk): 5}


def test_it_rejects_a_direct_recognition_with_a_reason(personas) -> None:
    p = personas
    org, kate = f.enterprise(p)
    actions.record_enterprise_roster(organisation=org, persons=[p.shizhong_person], by=kate)
    rec = actions.propose_recognition(organisation=org, person=p.shizhong_person, occupation=f.occupation(1), level=f.level(4),
                                      achievements="业绩", evidence="证明", by=kate)
    actions.reject_recognition(rec, by=p.erin, reason="证明材料不足")
    rec.refresh_from_db()
    assert rec.status == RecognitionStatus.REJECTED and rec.decision_reason == "证明材料不足"
    assert not Certificate.objects.exists()


def test_it_refuses_direct_recognition_from_a_non_enterprise(personas) -> None:
    p = personas
    with pytest.raises(ValidationError):
        actions.propose_recognition(organisation=p.institution, person=p.shizhong_person, occupation=f.occupation(1),
                                    level=f.level(4), achievements="a", evidence="b", by=p.ivan)


# ------------------------------------------------------------------ eligibility link


def test_it_reports_the_highest_valid_level_per_person_and_occupation(personas) -> None:
    p = personas
    filing = f.approved_filing(p, levels=(2, 3))
    first = f.locked_pass(p, filing)
    pid, occ = p.lixia_person.pk, f.occupation(0).pk
    assert highest_certificate_levels([pid]) == {(pid, occ): 2}
    s = f.session(p, filing, lv=3)
    cand = actions.add_applicant(s, p.lixia_person, years_of_work=4, by=p.judy)
    actions.record_result(cand, theory=Decimal("80"), practical=Decimal("80"), examiner=s.examiners.first(), by=p.judy)
    actions.submit_results(s, by=p.judy)
    [higher] = actions.lock_results(s, by=p.erin)
    assert highest_certificate_levels([pid, p.qingdao_person.pk]) == {(pid, occ): 3}
    actions.revoke_certificate(higher, by=p.erin, reason="考试作弊")
    assert highest_certificate_levels([pid]) == {(pid, occ): 2}
    assert [c.pk for c in certificates_for([pid])[pid]] == [first.certificates[0].pk]
    assert len(certificates_for([pid], valid_only=False)[pid]) == 2
    assert highest_certificate_levels([]) == {}


def test_it_keeps_one_pass_rule_per_occupation_and_level_including_blanks(personas) -> None:
    PassRule.objects.create(occupation=None, level=None, theory_min=Decimal("65"))
    PassRule.objects.create(occupation=f.occupation(0), level=None)
    with pytest.raises(IntegrityError), transaction.atomic():
        PassRule.objects.create(occupation=None, level=None)
    with pytest.raises(IntegrityError), transaction.atomic():
        PassRule.objects.create(occupation=f.occupation(0), level=None)
    from jixing.evaluation.queries import pass_marks_for

    assert pass_marks_for(f.occupation(1).pk, 3).theory == Decimal("65")
    assert pass_marks_for(f.occupation(0).pk, 3).theory == Decimal("60")
