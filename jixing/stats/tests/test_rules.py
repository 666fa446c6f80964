from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from jixing.stats.rules import GREEN, RED, YELLOW, Progress, period_bounds, time_progress


@pytest.mark.parametrize(
    ("today", "expected"),
    [
        (dt.date(2025, 12, 31), Decimal("0")),
        (dt.date(2026, 1, 1), Decimal("0.0027")),  # 1/365
        (dt.date(2026, 7, 2), Decimal("0.5014")),  # 183/365
        (dt.date(2026, 11, 27), Decimal("0.9068")),  # 331/365
        (dt.date(2026, 12, 31), Decimal("1")),
        (dt.date(2027, 3, 1), Decimal("1")),
    ],
)
def test_it_computes_time_progress_of_a_year(today, expected):
    assert time_progress(dt.date(2026, 1, 1), dt.date(2026, 12, 31), today) == expected


def test_it_computes_time_progress_of_the_three_year_period():
    start, end = period_bounds("2025-2027", None)
    assert (start, end) == (dt.date(2025, 1, 1), dt.date(2027, 12, 31))
    # 2025 has 365 days, 2026-01-01..2026-11-27 is 331 days: 696 of 1095 days.
    assert time_progress(start, end, dt.date(2026, 11, 27)) == Decimal("0.6356")


@pytest.mark.parametrize(
    ("actual", "target", "share", "light"),
    [
        (Decimal(60), Decimal(100), Decimal("0.5"), GREEN),
        (Decimal(45), Decimal(100), Decimal("0.5"), YELLOW),
        (Decimal(40), Decimal(100), Decimal("0.5"), YELLOW),
        (Decimal(39), Decimal(100), Decimal("0.5"), RED),
    ],
)
def test_it_lights_progress_against_time(actual, target, share, light):
    assert Progress(actual, target, share).light == light


def test_it_has_no_light_without_a_target():
    p = Progress(Decimal(5), None, Decimal("0.5"))
    assert p.completion is None and p.gap is None and p.light is None


from jixing.stats.rules import InstitutionFacts, institution_scorecard  # noqa: E402


def _facts(**kw):
    base = {"trainees": 100, "finished": 100, "completed": 90, "evaluated": 80, "passed": 60, "employment_window_closed": 50,
                "employed_within_6_months": 40, "claims": 10, "claims_returned": 1, "open_findings": 0, "violations": 0}
    return InstitutionFacts(**{**base, **kw})


def test_it_scores_an_institution_by_weighted_outcomes():
    card = institution_scorecard(_facts())
    # 0.35*0.8 + 0.25*0.9 + 0.20*0.75 + 0.20*0.9 = 0.835
    assert card.score == Decimal("83.5")
    assert card.rates["employment"] == Decimal("0.8")
    assert card.selectable


def test_it_rescales_weights_when_a_rate_is_unknown():
    card = institution_scorecard(_facts(employment_window_closed=0, employed_within_6_months=0))
    # (0.25*0.9 + 0.20*0.75 + 0.20*0.9) / 0.65 = 0.8538…
    assert card.score == Decimal("85.4")


def test_it_penalises_findings_and_caps_violations():
    assert institution_scorecard(_facts(open_findings=2)).score == Decimal("77.5")
    assert institution_scorecard(_facts(open_findings=9)).score == Decimal("68.5")  # penalty capped at 15
    capped = institution_scorecard(_facts(violations=1))
    assert capped.score == Decimal("40.0") and not capped.selectable


@pytest.mark.parametrize(("total", "weights"), [(Decimal(1500000), [12, 10, 8, 6, 5]), (Decimal(5000), [1] * 16), (Decimal(7), [3, 3, 1])])
def test_it_splits_a_target_exactly(total, weights):
    from jixing.stats.demo import split

    parts = split(total, weights)
    assert sum(parts) == total and all(p >= 0 for p in parts)
