"""求学圆梦 gates as pure rules (no database): each check says what it found."""

from __future__ import annotations

import datetime as dt

from django.utils import translation
from hypothesis import given
from hypothesis import strategies as st

from jixing.funds.rules import StudyFacts, check_study, insured_on

START = dt.date(2024, 9, 1)
TODAY = dt.date(2026, 6, 15)


def facts(**kw) -> StudyFacts:
    base = {"on_date": TODAY, "level_label": "本科", "enrolled_on": dt.date(2025, 3, 1), "enrolled_from": START,
                "report_number": "2025A1B2C3D4E5", "verification_code": "A1B2C3D4E5F6G7H8", "employer_name": "济南重工",
                "frontline_post": "数控车工", "insured_months": (dt.date(2026, 6, 1),), "already_claimed_level": False}
    base.update(kw)
    return StudyFacts(**base)


def by_code(f: StudyFacts) -> dict[str, tuple[bool, str]]:
    with translation.override("zh-hans"):
        return {c.code: (c.ok, c.text) for c in check_study(f)}


def test_it_passes_a_new_frontline_student_insured_at_the_employer() -> None:
    checks = by_code(facts())
    assert all(ok for ok, _ in checks.values()), checks
    assert "2026-06" in checks["employed_insured"][1] and "济南重工" in checks["employed_insured"][1]


@given(st.dates(min_value=dt.date(2015, 1, 1), max_value=TODAY))
def test_it_funds_exactly_those_enrolled_on_or_after_the_start_date(enrolled: dt.date) -> None:
    ok, text = by_code(facts(enrolled_on=enrolled))["enrolled"]
    assert ok == (enrolled >= START)
    assert enrolled.isoformat() in text and START.isoformat() in text


def test_it_refuses_a_second_claim_at_the_same_level_saying_which() -> None:
    ok, text = by_code(facts(already_claimed_level=True))["once_per_level"]
    assert not ok and "本科" in text and "每人每个层次限一次" in text


def test_it_refuses_without_report_post_or_insurance() -> None:
    checks = by_code(facts(report_number="", frontline_post="", insured_months=(dt.date(2026, 3, 1),)))
    assert not checks["verification_report"][0] and not checks["frontline_post"][0]
    ok, text = checks["employed_insured"]
    assert not ok and "2026-06" in text and "济南重工" in text
    assert not by_code(facts(employer_name=""))["employed_insured"][0]


def test_it_takes_last_months_contribution_but_not_older() -> None:
    assert insured_on(TODAY, [dt.date(2026, 5, 1)]) == dt.date(2026, 5, 1)
    assert insured_on(TODAY, [dt.date(2026, 6, 1), dt.date(2026, 5, 1)]) == dt.date(2026, 6, 1)
    assert insured_on(TODAY, [dt.date(2026, 4, 1)]) is None
    assert insured_on(dt.date(2026, 1, 10), [dt.date(2025, 12, 1)]) == dt.date(2025, 12, 1)


def test_it_refuses_an_enrolment_date_in_the_future() -> None:
    ok, text = by_code(facts(enrolled_on=dt.date(2026, 9, 1)))["enrolled"]
    assert not ok and "晚于今天" in text
