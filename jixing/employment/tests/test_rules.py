"""Outcome windows and matching on hand-made timelines, without a database."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from jixing.employment import rules
from jixing.employment.rules import (
    MET,
    NOT_MET,
    PENDING,
    CandidateFacts,
    Contribution,
    Credential,
    DemandFacts,
    PlacementFact,
    Timeline,
)

D = dt.date
A = "91370102MA3C000001"  # employer USCCs: only equality matters to the rules
B = "91370103MA3C000002"


def c(month: str, base: str = "4000", uscc: str = A) -> Contribution:
    y, m = month.split("-")
    return Contribution(D(int(y), int(m), 1), uscc, Decimal(base))


def timeline(**kw: object) -> Timeline:
    base = {"training_start": D(2025, 3, 1), "completed_on": D(2025, 4, 15)}
    base.update(kw)
    return Timeline(**base)  # type: ignore[arg-type]


# ---------------------------------------------------------------- calendar


@pytest.mark.parametrize(("day", "months", "expected"), [
    (D(2025, 4, 15), 6, D(2025, 10, 15)),
    (D(2025, 8, 31), 6, D(2026, 2, 28)),
    (D(2023, 8, 31), 6, D(2024, 2, 29)),
    (D(2025, 12, 31), 1, D(2026, 1, 31)),
    (D(2025, 3, 1), -6, D(2024, 9, 1)),
])
def test_it_adds_calendar_months_clamping_the_day(day, months, expected):
    assert rules.add_months(day, months) == expected


@pytest.mark.parametrize(("done", "n", "first", "last"), [
    # completed in 2025Q2 → Q1 after = 2025Q3, Q2 after = 2025Q4, Q4 after = 2026Q2
    (D(2025, 5, 20), 1, D(2025, 7, 1), D(2025, 9, 30)),
    (D(2025, 5, 20), 2, D(2025, 10, 1), D(2025, 12, 31)),
    (D(2025, 5, 20), 4, D(2026, 4, 1), D(2026, 6, 30)),
    # the last day of a quarter still belongs to it
    (D(2025, 12, 31), 2, D(2026, 4, 1), D(2026, 6, 30)),
    (D(2025, 1, 1), 2, D(2025, 7, 1), D(2025, 9, 30)),
])
def test_it_counts_quarters_after_the_completion_quarter(done, n, first, last):
    q = rules.quarter_after(done, n)
    assert (q.first_day, q.last_day) == (first, last)


@given(st.dates(min_value=D(2000, 1, 1), max_value=D(2090, 12, 31)), st.integers(min_value=1, max_value=12))
def test_it_makes_contiguous_quarters_that_start_after_the_completion_quarter(done, n):
    q, nxt = rules.quarter_after(done, n), rules.quarter_after(done, n + 1)
    assert q.first_day > rules.quarter_of(done).last_day
    assert nxt.first_day == q.last_day + dt.timedelta(days=1)
    assert len(q.months) == 3


# ---------------------------------------------------------------- within 6 months


@pytest.mark.parametrize(("contribs", "as_of", "status"), [
    # window: completion 2025-04-15 … 2025-10-15, contribution months 2025-04 … 2025-10
    ([c("2025-10")], D(2025, 10, 16), MET),
    ([c("2025-04")], D(2025, 10, 16), MET),
    ([c("2025-11")], D(2025, 11, 30), NOT_MET),
    ([c("2025-03")], D(2025, 10, 16), NOT_MET),  # during training, before the completion month
    ([], D(2025, 10, 15), PENDING),  # the window's last day: not closed yet
    ([], D(2025, 10, 16), NOT_MET),
    ([c("2025-06", "0")], D(2026, 1, 1), NOT_MET),  # a zero base is no contribution
])
def test_it_decides_employment_within_6_months_from_contributions(contribs, as_of, status):
    m = rules.employed_within_6_months(timeline(contributions=tuple(contribs)), as_of=as_of)
    assert m.status == status
    assert m.window == (D(2025, 4, 15), D(2025, 10, 15))
    assert m.reasons


@pytest.mark.parametrize(("start", "verified", "status"), [
    (D(2025, 10, 15), True, MET),
    (D(2025, 3, 20), True, MET),  # order-type: hired before completion, after the training start
    (D(2025, 10, 16), True, NOT_MET),
    (D(2025, 2, 1), True, NOT_MET),  # already in that job before training
    (D(2025, 6, 1), False, NOT_MET),  # unverified claims never count
])
def test_it_counts_only_verified_placements_within_6_months(start, verified, status):
    p = PlacementFact(start=start, kind=rules.EMPLOYED, source="enterprise", verified=verified, employer_uscc=A)
    m = rules.employed_within_6_months(timeline(placements=(p,)), as_of=D(2026, 1, 1))
    assert m.status == status
    if status == MET:
        assert m.evidence[0].kind == "placement" and m.evidence[0].on == start


def test_it_mentions_an_unverified_placement_in_the_reasons():
    p = PlacementFact(start=D(2025, 6, 1), kind=rules.EMPLOYED, source="self_report", verified=False, employer_uscc=A)
    m = rules.employed_within_6_months(timeline(placements=(p,)), as_of=D(2026, 1, 1))
    assert len(m.reasons) == 2 and "2025-06-01" in m.reasons[1]


# ---------------------------------------------------------------- quarters 2 and 4


def test_it_finds_employment_in_the_second_and_fourth_quarter_after_completion():
    t = timeline(completed_on=D(2025, 5, 20), contributions=(c("2025-11"), c("2026-05")))
    assert rules.employed_in_quarter_after(t, 2, as_of=D(2025, 12, 31)).status == PENDING
    assert rules.employed_in_quarter_after(t, 2, as_of=D(2026, 1, 1)).status == MET
    assert rules.employed_in_quarter_after(t, 4, as_of=D(2026, 6, 30)).status == PENDING
    assert rules.employed_in_quarter_after(t, 4, as_of=D(2026, 7, 1)).status == MET
    gap = timeline(completed_on=D(2025, 5, 20), contributions=(c("2025-09"), c("2026-01")))
    assert rules.employed_in_quarter_after(gap, 2, as_of=D(2026, 7, 1)).status == NOT_MET


@pytest.mark.parametrize(("kind", "status"), [
    (rules.FLEXIBLE, MET), (rules.STARTUP, MET), (rules.EMPLOYED, NOT_MET),
])
def test_it_counts_verified_self_employment_as_supplemental_quarter_evidence(kind, status):
    p = PlacementFact(start=D(2025, 6, 1), kind=kind, source="self_report", verified=True, employer_uscc="")
    t = timeline(completed_on=D(2025, 5, 20), placements=(p,))
    assert rules.employed_in_quarter_after(t, 2, as_of=D(2026, 1, 1)).status == status


def test_it_ignores_a_self_employment_that_ended_before_the_quarter():
    p = PlacementFact(start=D(2025, 6, 1), end=D(2025, 9, 30), kind=rules.FLEXIBLE, source="self_report", verified=True)
    t = timeline(completed_on=D(2025, 5, 20), placements=(p,))
    assert rules.employed_in_quarter_after(t, 2, as_of=D(2026, 1, 1)).status == NOT_MET


# ---------------------------------------------------------------- earnings


def test_it_computes_q2_earnings_and_the_change_against_the_6_months_before_training():
    # training starts 2025-03-01 → "before" = 2024-09 … 2025-02 (6 months)
    # completed 2025-05-20 → Q2 after = 2025-10 … 2025-12
    t = timeline(
        training_start=D(2025, 3, 1), completed_on=D(2025, 5, 20),
        contributions=(
            c("2024-08", "9999"),  # outside the before-window
            c("2024-12", "3000"), c("2025-01", "3000"), c("2025-02", "3000"),  # 9000 / 6 = 1500.00
            c("2025-10", "4000"), c("2025-11", "4000"), c("2025-11", "1000", B),  # 9000 / 3 = 3000.00
        ),
    )
    assert rules.earnings_before(t) == Decimal("1500.00")
    assert rules.q2_wage(t, as_of=D(2025, 12, 31)) is None  # Q2 not over
    assert rules.q2_wage(t, as_of=D(2026, 1, 1)) == Decimal("3000.00")
    w = rules.wage_change(t, as_of=D(2026, 1, 1))
    assert (w.before, w.after, w.change, w.rose) == (Decimal("1500.00"), Decimal("3000.00"), Decimal("1500.00"), True)
    assert rules.wage_change(t, as_of=D(2025, 12, 1)).status == PENDING


def test_it_leaves_persons_without_q2_contributions_out_of_the_median_wage_but_not_the_change():
    t = timeline(completed_on=D(2025, 5, 20), contributions=(c("2024-12", "6000"),))
    assert rules.q2_wage(t, as_of=D(2026, 1, 1)) is None
    w = rules.wage_change(t, as_of=D(2026, 1, 1))
    assert (w.before, w.after, w.change, w.rose) == (Decimal("1000.00"), Decimal("0.00"), Decimal("-1000.00"), False)


# ---------------------------------------------------------------- certificate


@pytest.mark.parametrize(("issued", "as_of", "status"), [
    (D(2026, 4, 15), D(2026, 5, 1), MET),  # exactly one year after completion 2025-04-15
    (D(2025, 3, 1), D(2026, 5, 1), MET),  # on the training start day
    (D(2026, 4, 16), D(2026, 5, 1), NOT_MET),
    (D(2025, 2, 1), D(2026, 5, 1), NOT_MET),  # before the training
    (None, D(2026, 4, 15), PENDING),
])
def test_it_finds_a_certificate_within_a_year_of_completion(issued, as_of, status):
    t = timeline(certificates=(issued,) if issued else ())
    assert rules.certificate_within_year(t, as_of=as_of).status == status


# ---------------------------------------------------------------- aggregation


def test_it_leaves_open_windows_out_of_the_denominators_and_takes_medians():
    as_of = D(2026, 1, 1)
    done = timeline(completed_on=D(2025, 5, 20), contributions=(c("2025-06"), c("2025-10", "3000")))
    idle = timeline(completed_on=D(2025, 5, 20))
    fresh = timeline(training_start=D(2025, 11, 1), completed_on=D(2025, 12, 10))
    s = rules.summarise([rules.outcome_for(t, as_of=as_of) for t in (done, idle, fresh)])
    assert s.completers == 3
    assert (s.within_6_months.met, s.within_6_months.observed) == (1, 2)
    assert s.within_6_months.share == Decimal("0.500")
    assert (s.q2.met, s.q2.observed) == (1, 2)
    assert s.q4.observed == 0 and s.q4.share is None
    assert s.median_q2_wage == Decimal("1000.00")  # 3000 / 3
    assert s.median_wage_change == Decimal("500.00")  # changes: +1000 and 0
    assert (s.wage_rose.met, s.wage_rose.observed) == (1, 2)


@pytest.mark.parametrize(("values", "expected"), [
    ([], None), ([Decimal(3)], Decimal(3)), ([Decimal(3), Decimal(1), Decimal(2)], Decimal(2)),
    ([Decimal(1), Decimal(2), Decimal(3), Decimal(4)], Decimal("2.50")),
])
def test_it_takes_the_median(values, expected):
    assert rules.median(values) == expected


# ---------------------------------------------------------------- confirmation


@pytest.mark.parametrize(("contribs", "confirmed"), [
    ([c("2025-06")], True), ([c("2025-07")], True), ([c("2025-08")], False),
    ([c("2025-05")], False), ([c("2025-06", uscc=B)], False),
])
def test_it_confirms_a_placement_by_contributions_in_its_start_month_or_the_next(contribs, confirmed):
    assert (rules.confirms_placement(D(2025, 6, 20), A, contribs) is not None) is confirmed


# ---------------------------------------------------------------- matching

TODAY = D(2025, 9, 1)
DEMAND = DemandFacts(occupation_id=7, level=3, county="370102")


def cert(level: int | None, on: dt.date = D(2025, 6, 1), occ: int = 7) -> Credential:
    return Credential("certificate", occ, level, on)


def trained(level: int | None, on: dt.date = D(2025, 6, 1), occ: int = 7) -> Credential:
    return Credential("training", occ, level, on, enrollment_id=1)


def test_it_ranks_same_county_then_same_city_then_elsewhere_and_explains_each_match():
    candidates = [
        CandidateFacts(3, "370202", (cert(5),)),  # Qingdao, certified above the level
        CandidateFacts(2, "370103", (trained(4),)),  # same city (Jinan), trained above the level
        CandidateFacts(1, "370102", (cert(3),)),  # same county, certified at the level
        CandidateFacts(4, "370102", (trained(None),)),  # same county, level unknown
        CandidateFacts(5, "370102", (trained(2),)),  # below the level: no fit
        CandidateFacts(6, "370102", (cert(3, occ=8),)),  # other occupation: no fit
        CandidateFacts(7, "370102", (cert(3),), already_referred=True),
    ]
    ranked = rules.rank_candidates(DEMAND, candidates, today=TODAY)
    assert [m.person_id for m in ranked] == [1, 4, 2, 3]
    first = ranked[0]
    assert first.score == 30 + 40 + 15 + 10 and first.tier == rules.SAME_COUNTY
    assert len(first.reasons) == 4  # county, certificate, exact level, recent
    assert ranked[1].score == 30 + 15 - 10 + 10


@pytest.mark.parametrize(("cand", "fits"), [
    (CandidateFacts(1, "370102", (trained(2), cert(3, D(2024, 1, 1)))), True),  # the certificate qualifies
    (CandidateFacts(1, "370102", (trained(2),)), False),
    (CandidateFacts(1, "370102", ()), False),
])
def test_it_uses_the_best_credential_in_the_occupation(cand, fits):
    m = rules.match_candidate(DEMAND, cand, today=TODAY)
    assert m.fits is fits
    if fits:
        assert m.basis is not None and m.basis.kind == "certificate"


def test_it_ranks_an_employed_person_below_an_unemployed_one():
    free = CandidateFacts(1, "370102", (cert(3),))
    busy = CandidateFacts(2, "370102", (cert(3),), employed_since=D(2025, 7, 1))
    ranked = rules.rank_candidates(DEMAND, [busy, free], today=TODAY)
    assert [m.person_id for m in ranked] == [1, 2]


def test_it_recommends_posts_matching_a_persons_credentials():
    assert rules.demand_fits_person(DEMAND, [trained(3)])
    assert rules.demand_fits_person(DemandFacts(7, None, "370202"), [trained(1)])
    assert not rules.demand_fits_person(DEMAND, [trained(2)])
    assert not rules.demand_fits_person(DEMAND, [cert(5, occ=8)])
