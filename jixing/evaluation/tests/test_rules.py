"""Pure rules: filing scope and validity, application conditions, pass marks, numbering."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from jixing.evaluation import numbering, rules
from jixing.evaluation.models import EvaluationMode, FilingKind, FilingStatus

D = Decimal
FILING = rules.FilingFacts(
    status=FilingStatus.APPROVED, status_reason="", kind=FilingKind.EVALUATION_INSTITUTION,
    valid_from=dt.date(2025, 1, 1), valid_to=dt.date(2027, 12, 31), scopes=frozenset({(1, 2), (1, 3), (2, 3)}),
)


def _session(filing: rules.FilingFacts = FILING, **kw: object) -> rules.Decision:
    args: dict = {"occupation_id": 1, "level_order": 3, "level_name": "中级工", "national_level": 4,
                  "on": dt.date(2025, 6, 1), "mode": EvaluationMode.SOCIAL}
    args.update(kw)
    return rules.check_session(filing, **args)


def test_it_accepts_a_session_inside_scope_and_validity() -> None:
    assert _session().ok


@pytest.mark.parametrize(("kw", "code"), [
    ({"occupation_id": 2, "level_order": 2}, "in_filing_scope"),
    ({"occupation_id": 3}, "in_filing_scope"),
    ({"on": dt.date(2024, 12, 31)}, "filing_valid_on_date"),
    ({"on": dt.date(2028, 1, 1)}, "filing_valid_on_date"),
    ({"mode": EvaluationMode.ENTERPRISE}, "mode_fits_filing"),
    ({"national_level": None, "level_order": 7, "level_name": "特级技师"}, "level_certified"),
])
def test_it_refuses_a_session_outside_the_filing(kw: dict, code: str) -> None:
    decision = _session(**kw)
    assert not decision.ok
    assert code in {c.code for c in decision.checks if not c.ok}


@pytest.mark.parametrize("status", [FilingStatus.SUSPENDED, FilingStatus.REVOKED, FilingStatus.SUBMITTED, FilingStatus.REJECTED])
def test_it_refuses_sessions_of_a_filing_that_is_not_approved(status: str) -> None:
    filing = rules.FilingFacts(**{**FILING.__dict__, "status": status, "status_reason": "违规发证"})
    decision = _session(filing)
    assert not decision.ok
    assert any(c.code == "filing_approved" and not c.ok for c in decision.checks)
    if status in (FilingStatus.SUSPENDED, FilingStatus.REVOKED):
        assert "违规发证" in decision.reasons[0]


def test_it_gives_the_validity_dates_in_the_reason() -> None:
    decision = _session(on=dt.date(2028, 3, 1))
    assert "2028-03-01" in decision.reasons[0] and "2027-12-31" in decision.reasons[0]


def _applicant(**kw: object) -> rules.Applicant:
    base: dict = {"age": 30, "education": "junior", "years_of_work": 0, "held_level": None, "completed_training": False}
    base.update(kw)
    return rules.Applicant(**base)


@pytest.mark.parametrize(("level", "applicant", "ok"), [
    (2, _applicant(years_of_work=1), True),
    (2, _applicant(completed_training=True), True),
    (2, _applicant(), False),
    (3, _applicant(held_level=2, years_of_work=4), True),
    (3, _applicant(held_level=2, years_of_work=3), False),
    (3, _applicant(years_of_work=6), True),
    (3, _applicant(years_of_work=5), False),
    (3, _applicant(education="senior"), True),
    (4, _applicant(held_level=3, years_of_work=5), True),
    (4, _applicant(held_level=3, years_of_work=2, education="college"), True),
    (4, _applicant(held_level=3, years_of_work=2, education="senior"), False),
    (4, _applicant(years_of_work=20), False),
    (5, _applicant(held_level=4, years_of_work=4), True),
    (6, _applicant(held_level=5, years_of_work=3), False),
    (2, _applicant(age=15, years_of_work=1), False),
    (7, _applicant(held_level=6, years_of_work=10), False),  # no conditions configured: refused with reason
])
def test_it_checks_application_conditions_by_level(level: int, applicant: rules.Applicant, ok: bool) -> None:
    decision = rules.check_application(applicant, level_order=level, level_name="L", mode=EvaluationMode.SOCIAL)
    assert decision.ok is ok
    if not ok:
        assert decision.reasons


def test_it_waives_conditions_for_direct_recognition_but_not_a_held_level() -> None:
    waived = rules.check_application(_applicant(age=15), level_order=6, level_name="高级技师", mode=EvaluationMode.DIRECT)
    assert waived.ok
    held = rules.check_application(_applicant(held_level=6), level_order=5, level_name="技师", mode=EvaluationMode.DIRECT)
    assert not held.ok


def test_it_takes_a_configured_conditions_table() -> None:
    table = {3: (rules.ConditionPath("w2", "两年", years=2),)}
    assert rules.check_application(_applicant(years_of_work=2), level_order=3, level_name="L",
                                   mode=EvaluationMode.SOCIAL, conditions=table).ok


@pytest.mark.parametrize(("status", "end", "session_date", "occ", "ok"), [
    ("completed", dt.date(2025, 5, 1), dt.date(2025, 5, 1), 1, True),
    ("completed", dt.date(2025, 5, 1), dt.date(2025, 4, 30), 1, False),
    ("enrolled", dt.date(2025, 5, 1), dt.date(2025, 6, 1), 1, False),
    ("completed", dt.date(2025, 5, 1), dt.date(2025, 6, 1), 2, False),
    ("completed", dt.date(2025, 5, 1), dt.date(2025, 6, 1), None, True),
])
def test_it_checks_enrollment_candidates(status: str, end: dt.date, session_date: dt.date, occ: int | None, ok: bool) -> None:
    e = rules.EnrollmentFacts(status=status, completed_on=end if status == "completed" else None, class_end_date=end, occupation_id=occ)
    assert rules.check_enrollment_candidate(e, session_occupation_id=1, session_date=session_date).ok is ok


@pytest.mark.parametrize(("scores", "marks", "passed"), [
    (rules.Scores(D(60), D(60)), rules.PassMarks(), True),
    (rules.Scores(D("59.99"), D(90)), rules.PassMarks(), False),
    (rules.Scores(D(90), D("59.5")), rules.PassMarks(), False),
    (rules.Scores(D(100), D(100)), rules.PassMarks(), True),
    (rules.Scores(D(65), D(65)), rules.PassMarks(theory=D(70)), False),
    (rules.Scores(D(75), D(65)), rules.PassMarks(theory=D(70)), True),
    (rules.Scores(D(75), D(65), D(59)), rules.PassMarks(comprehensive=D(60)), False),
    (rules.Scores(D(75), D(65), D(60)), rules.PassMarks(comprehensive=D(60)), True),
    (rules.Scores(D(75), D(65), None), rules.PassMarks(comprehensive=D(60)), False),
])
def test_it_decides_pass_per_part(scores: rules.Scores, marks: rules.PassMarks, passed: bool) -> None:
    assert rules.decide_pass(scores, marks).ok is passed


@pytest.mark.parametrize(("scores", "marks", "ok"), [
    (rules.Scores(D(101), D(60)), rules.PassMarks(), False),
    (rules.Scores(D(60), D(-1)), rules.PassMarks(), False),
    (rules.Scores(D(60), D(60), D(70)), rules.PassMarks(), False),  # comprehensive not configured
    (rules.Scores(D(60), D(60)), rules.PassMarks(comprehensive=D(60)), False),  # required
    (rules.Scores(D(0), D(100)), rules.PassMarks(), True),
])
def test_it_checks_score_completeness_and_range(scores: rules.Scores, marks: rules.PassMarks, ok: bool) -> None:
    assert rules.check_scores(scores, marks).ok is ok


@pytest.mark.parametrize(("text", "value", "error"), [
    ("88", D(88), False), ("88.5", D("88.5"), False), ("100", D(100), False), ("0", D(0), False),
    ("", None, False), ("abc", None, True), ("101", None, True), ("-3", None, True), ("88.123", None, True),
    ("NaN", None, True), ("Infinity", None, True),
])
def test_it_parses_scores(text: str, value: Decimal | None, error: bool) -> None:
    got, problem = rules.parse_score(text, "理论成绩")
    assert got == value
    assert (problem is not None) is error


@given(st.decimals(min_value=0, max_value=100, places=2), st.decimals(min_value=0, max_value=100, places=2))
def test_it_passes_exactly_when_both_parts_reach_60(theory: Decimal, practical: Decimal) -> None:
    passed = rules.decide_pass(rules.Scores(theory, practical), rules.PassMarks()).ok
    assert passed == (theory >= 60 and practical >= 60)


def test_it_composes_the_national_certificate_number() -> None:
    prefix = numbering.filing_prefix("S", "37", 12)
    assert prefix == "S000037000012"
    number = numbering.compose_number(prefix, 2025, "4", 345)
    assert number == "S00003700001225" + "4" + "000345"
    assert len(number) == 22 and numbering.is_well_formed(number)


@pytest.mark.parametrize(("national", "digit"), [(5, "5"), (1, "1"), (None, None), (0, None), (6, None)])
def test_it_maps_levels_to_the_level_digit(national: int | None, digit: str | None) -> None:
    assert numbering.level_code(national) == digit


@pytest.mark.parametrize("bad", ["", "S0000370000122540003451", "X000037000012254000345", "s00003700001225400034a"])
def test_it_rejects_malformed_numbers(bad: str) -> None:
    assert not numbering.is_well_formed(bad)


def test_it_normalises_typed_numbers() -> None:
    assert numbering.normalise_number(" s0000 3700 0012 2540 00345 ") == "S000037000012254000345"


def test_it_refuses_a_filing_without_scope_examiners_or_proper_kind() -> None:
    draft = rules.FilingDraft(kind=FilingKind.ENTERPRISE, organisation_kind="private_institution", organisation_blocked=True,
                              valid_from=dt.date(2025, 2, 1), valid_to=dt.date(2025, 1, 1),
                              scope_levels=(("学徒工", None),), examiner_count=0)
    codes = {c.code for c in rules.check_filing(draft).checks if not c.ok}
    assert codes == {"organisation_kind", "organisation_active", "validity_ordered", "has_examiners", "level_certified",
                     "above_designated_size"}


def test_it_checks_direct_recognition_proposals() -> None:
    facts = rules.RecognitionFacts(organisation_kind="enterprise", organisation_blocked=False, level_order=5, level_name="技师",
                                   national_level=2, held_level=4, achievements="省技术能手", evidence="获奖证书")
    assert rules.check_recognition(facts).ok
    bad = rules.RecognitionFacts(**{**facts.__dict__, "organisation_kind": "private_institution", "evidence": " "})
    assert {c.code for c in rules.check_recognition(bad).checks if not c.ok} == {"proposer_enterprise", "evidence"}


@pytest.mark.parametrize(("list_year", "ok"), [(None, False), (2024, False), (2025, True), (2026, True)])
def test_enterprise_self_evaluation_needs_the_above_designated_size_list(list_year, ok) -> None:
    """Seed 二(二) 规模以上企业: the list of the filing's year or the year before (assumption)."""
    draft = rules.FilingDraft(kind=FilingKind.ENTERPRISE, organisation_kind="enterprise", organisation_blocked=False,
                              valid_from=dt.date(2026, 3, 1), valid_to=dt.date(2027, 3, 1),
                              scope_levels=(("四级/中级工", 4),), examiner_count=1, above_size_list_year=list_year)
    check = next(c for c in rules.check_filing(draft).checks if c.code == "above_designated_size")
    assert check.ok is ok
    other = rules.FilingDraft(kind=FilingKind.EVALUATION_INSTITUTION, organisation_kind="evaluation_institution",
                              organisation_blocked=False, valid_from=dt.date(2026, 3, 1), valid_to=dt.date(2027, 3, 1),
                              scope_levels=(("四级/中级工", 4),), examiner_count=1)
    assert all(c.code != "above_designated_size" for c in rules.check_filing(other).checks)
