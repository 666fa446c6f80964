"""Eligibility, retirement age and attendance rules: pure functions, no database."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from jixing.training import rules
from jixing.training.rules import (
    FEMALE,
    MALE,
    Candidate,
    EligibilityPolicy,
    Interval,
    Membership,
    Offer,
    PriorTraining,
    RetirementPolicy,
    decide_eligibility,
    statutory_retirement_date,
)

TZ = ZoneInfo("Asia/Shanghai")
START = dt.date(2026, 3, 2)


def at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=TZ)


OFFER = Offer(
    class_code="BJ-370102-2026-0001", start_date=START, occupation_id=7, occupation_name="家政服务员",
    level_order=3, level_name="中级工", sessions=(Interval(at(START, 8), at(START, 12)),),
)
PERSON = Candidate(birth_date=dt.date(1990, 5, 17), sex=MALE)


def result(decision: rules.Decision, code: str) -> rules.RuleResult:
    return next(r for r in decision.results if r.code == code)


# ---------------------------------------------------------------- retirement age (2024 decision)


@pytest.mark.parametrize(("birth", "sex", "female_base", "expected"), [
    # Men: 60 before 1965; born 1965-01 retire at 60y1m; born 1976-09 or later at 63.
    (dt.date(1964, 12, 15), MALE, 55, dt.date(2024, 12, 15)),
    (dt.date(1965, 1, 10), MALE, 55, dt.date(2025, 2, 10)),
    (dt.date(1965, 5, 10), MALE, 55, dt.date(2025, 7, 10)),
    (dt.date(1970, 6, 1), MALE, 55, dt.date(2031, 11, 1)),  # 66 months after 1965-01 → 17 months
    (dt.date(1976, 9, 1), MALE, 55, dt.date(2039, 9, 1)),
    (dt.date(1990, 5, 17), MALE, 55, dt.date(2053, 5, 17)),
    # Women cadres: 55 → 58, born 1970-01 first, 1981-09 onwards at 58.
    (dt.date(1969, 12, 31), FEMALE, 55, dt.date(2024, 12, 31)),
    (dt.date(1970, 1, 1), FEMALE, 55, dt.date(2025, 2, 1)),
    (dt.date(1981, 9, 30), FEMALE, 55, dt.date(2039, 9, 30)),
    # Women workers: 50 → 55, one month per two months of birth, born 1984-11 onwards at 55.
    (dt.date(1974, 12, 1), FEMALE, 50, dt.date(2024, 12, 1)),
    (dt.date(1975, 1, 1), FEMALE, 50, dt.date(2025, 2, 1)),
    (dt.date(1975, 3, 1), FEMALE, 50, dt.date(2025, 5, 1)),
    (dt.date(1984, 11, 1), FEMALE, 50, dt.date(2039, 11, 1)),
    (dt.date(1995, 1, 1), FEMALE, 50, dt.date(2050, 1, 1)),
    # Born on the 31st, retiring in a 28-day month: the last day of that month.
    (dt.date(1975, 1, 31), FEMALE, 50, dt.date(2025, 2, 28)),
    (dt.date(1972, 2, 29), FEMALE, 55, dt.date(2027, 9, 29)),  # 25 months after 1970-01 → 7 months
])
def test_it_computes_the_statutory_retirement_date(birth, sex, female_base, expected):
    assert statutory_retirement_date(birth, sex, RetirementPolicy(female_base=female_base)) == expected


@pytest.mark.parametrize(("sex", "female_base", "years"), [(MALE, 55, 60), (FEMALE, 55, 55), (FEMALE, 50, 50)])
def test_it_uses_the_fixed_pre_2025_ages_without_the_reform(sex, female_base, years):
    birth = dt.date(1980, 6, 15)
    policy = RetirementPolicy(reform=False, female_base=female_base)
    assert statutory_retirement_date(birth, sex, policy) == dt.date(1980 + years, 6, 15)


@given(st.dates(dt.date(1950, 1, 1), dt.date(2010, 12, 31)), st.sampled_from([MALE, FEMALE]), st.sampled_from([50, 55]))
def test_it_never_moves_retirement_earlier_or_past_the_new_ceiling(birth, sex, female_base):
    policy = RetirementPolicy(female_base=female_base)
    old = statutory_retirement_date(birth, sex, RetirementPolicy(reform=False, female_base=female_base))
    new = statutory_retirement_date(birth, sex, policy)
    step = policy.step_for(sex)
    assert old <= new <= rules._add_months(old, step.max_delay_months)


# ---------------------------------------------------------------- each eligibility rule


@pytest.mark.parametrize(("candidate", "code", "ok"), [
    (PERSON, rules.WORKING_AGE, True),
    (Candidate(dt.date(2010, 3, 3), MALE), rules.WORKING_AGE, False),  # 15 on the start date
    (Candidate(dt.date(2010, 3, 2), MALE), rules.WORKING_AGE, True),  # 16 that very day
    (Candidate(dt.date(1963, 1, 1), MALE), rules.WORKING_AGE, False),  # retired 2023
    (Candidate(dt.date(1966, 1, 1), MALE), rules.WORKING_AGE, True),  # 60 in 2026 but delayed to 2026-05
    (Candidate(dt.date(1969, 6, 1), FEMALE), rules.WORKING_AGE, False),  # 55 in 2024, before the reform
    (Candidate(dt.date(1975, 6, 1), FEMALE), rules.WORKING_AGE, True),
    (Candidate(PERSON.birth_date, MALE, memberships=(
        Membership("pensioner", "已领取养老金的退休人员", True, dt.date(2020, 1, 1), None),)), rules.EXCLUDED_GROUP, False),
    (Candidate(PERSON.birth_date, MALE, memberships=(
        Membership("full_time_student", "全日制在校学生", True, dt.date(2022, 9, 1), dt.date(2025, 7, 1)),)),
     rules.EXCLUDED_GROUP, True),  # graduated before the class starts
    (Candidate(PERSON.birth_date, MALE, memberships=(
        Membership("full_time_student", "全日制在校学生", True, dt.date(2022, 9, 1), dt.date(2026, 7, 1)),)),
     rules.EXCLUDED_GROUP, False),
    (Candidate(PERSON.birth_date, MALE, prior=(PriorTraining(
        "BJ-OTHER", 2026, True, 1, 2, (Interval(at(START, 11), at(START, 13)),)),)), rules.SESSION_OVERLAP, False),
    (Candidate(PERSON.birth_date, MALE, prior=(PriorTraining(
        "BJ-OTHER", 2026, True, 1, 2, (Interval(at(START, 12), at(START, 14)),)),)), rules.SESSION_OVERLAP, True),
    (Candidate(PERSON.birth_date, MALE, prior=(PriorTraining("BJ-A", 2026, True, 7, 3),)),
     rules.SAME_OCCUPATION_LEVEL, False),
    (Candidate(PERSON.birth_date, MALE, prior=(PriorTraining("BJ-A", 2026, False, 7, 3),)),
     rules.SAME_OCCUPATION_LEVEL, True),  # the earlier one was not subsidised
    (Candidate(PERSON.birth_date, MALE, prior=(PriorTraining("BJ-A", 2025, True, 7, 4),)),
     rules.SAME_OCCUPATION_LEVEL, True),  # a different level
    (Candidate(PERSON.birth_date, MALE, certificates=((7, 4),)), rules.LOWER_THAN_CERTIFICATE, False),
    (Candidate(PERSON.birth_date, MALE, certificates=((7, 3),)), rules.LOWER_THAN_CERTIFICATE, True),
    (Candidate(PERSON.birth_date, MALE, certificates=((8, 6),)), rules.LOWER_THAN_CERTIFICATE, True),
])
def test_it_decides_each_rule(candidate, code, ok):
    decision = decide_eligibility(candidate, OFFER)
    outcome = result(decision, code)
    assert outcome.ok is ok
    assert decision.eligible is (all(r.ok for r in decision.results))
    if not ok:
        assert outcome.message in decision.reasons


@pytest.mark.parametrize(("memberships", "ok"), [
    ((), False),
    ((Membership("registered_unemployed", "城镇登记失业人员", False, dt.date(2025, 1, 1), None),), True),
    ((Membership("registered_unemployed", "城镇登记失业人员", False, dt.date(2026, 4, 1), None),), False),  # not yet
    ((Membership("registered_unemployed", "城镇登记失业人员", False, dt.date(2024, 1, 1), dt.date(2026, 1, 1)),), False),
    ((Membership("veteran", "退役军人", False, dt.date(2020, 1, 1), None),), False),
])
def test_it_requires_the_projects_target_group_on_the_start_date(memberships, ok):
    offer = Offer(**{**OFFER.__dict__, "required_groups": (("registered_unemployed", "城镇登记失业人员"),)})
    decision = decide_eligibility(Candidate(PERSON.birth_date, MALE, memberships=memberships), offer)
    assert result(decision, rules.REQUIRED_GROUP).ok is ok


def test_it_explains_a_refusal_in_chinese(settings):
    from django.utils import translation

    with translation.override("zh-hans"):
        decision = decide_eligibility(Candidate(dt.date(1950, 1, 1), MALE), OFFER)
    assert "法定退休年龄" in result(decision, rules.WORKING_AGE).message


def test_it_lets_the_female_base_age_be_configured():
    woman = Candidate(dt.date(1974, 6, 1), FEMALE)  # 51 on the start date
    assert decide_eligibility(woman, OFFER, EligibilityPolicy(retirement=RetirementPolicy(female_base=55))).eligible
    strict = decide_eligibility(woman, OFFER, EligibilityPolicy(retirement=RetirementPolicy(female_base=50)))
    assert not result(strict, rules.WORKING_AGE).ok


# ---------------------------------------------------------------- yearly cap (hypothesis)


prior_trainings = st.lists(
    st.builds(
        PriorTraining,
        class_code=st.sampled_from(["BJ-1", "BJ-2", "BJ-3", "BJ-4", "BJ-5", "BJ-6"]),
        year=st.sampled_from([2025, 2026, 2027]),
        subsidised=st.booleans(),
        occupation_id=st.sampled_from([1, 2, 3]),
        level_order=st.sampled_from([2, 4]),
    ),
    max_size=8,
)


@given(prior=prior_trainings, cap=st.integers(min_value=1, max_value=5))
def test_it_caps_subsidised_trainings_per_calendar_year(prior, cap):
    decision = decide_eligibility(Candidate(PERSON.birth_date, MALE, prior=tuple(prior)), OFFER,
                                  EligibilityPolicy(yearly_cap=cap))
    used = sum(1 for t in prior if t.subsidised and t.year == START.year)
    assert result(decision, rules.YEARLY_CAP).ok is (used < cap)


@given(prior=prior_trainings)
def test_it_never_lets_a_person_pass_the_cap_by_enrolling_one_by_one(prior):
    """Adding subsidised places one at a time while the rule allows never exceeds the cap."""
    held = [t for t in prior if t.year != START.year or not t.subsidised]
    for n in range(10):
        candidate = Candidate(PERSON.birth_date, MALE, prior=tuple(held))
        offer = Offer(**{**OFFER.__dict__, "class_code": f"NEW-{n}", "occupation_id": 100 + n})
        if result(decide_eligibility(candidate, offer), rules.YEARLY_CAP).ok:
            held.append(PriorTraining(f"NEW-{n}", START.year, True, 100 + n, 3))
    assert sum(1 for t in held if t.subsidised and t.year == START.year) == 3


def test_it_counts_the_cap_by_the_class_start_year():
    prior = tuple(PriorTraining(f"BJ-{i}", 2025, True, i, 2) for i in range(3))
    decision = decide_eligibility(Candidate(PERSON.birth_date, MALE, prior=prior), OFFER)
    assert result(decision, rules.YEARLY_CAP).ok  # three in 2025 do not block 2026


# ---------------------------------------------------------------- attendance


SESSION = Interval(at(START, 8), at(START, 12))


@pytest.mark.parametrize(("check_in", "check_out", "hours"), [
    (at(START, 7, 50), at(START, 12, 5), Decimal("4.0")),  # early and late earn nothing extra
    (at(START, 8), None, Decimal("0")),  # no check-out: not attended
    (at(START, 9), at(START, 12), Decimal("3.0")),
    (at(START, 8), at(START, 10), Decimal("2.0")),
    (at(START, 8, 20), at(START, 8, 40), Decimal("0.3")),
    (at(START, 13), at(START, 14), Decimal("0")),  # outside the session entirely
])
def test_it_credits_the_hours_between_check_in_and_check_out(check_in, check_out, hours):
    assert rules.credited_hours(SESSION, Decimal(4), check_in, check_out) == hours


@pytest.mark.parametrize(("attended", "total", "rate", "completed"), [
    (Decimal(48), Decimal(60), Decimal("0.800"), True),
    (Decimal("47.9"), Decimal(60), Decimal("0.798"), False),
    (Decimal(70), Decimal(60), Decimal("1.000"), True),
    (Decimal(0), Decimal(0), Decimal("0"), False),
])
def test_it_computes_rate_and_completion(attended, total, rate, completed):
    assert rules.attendance_rate(attended, total) == rate
    assert rules.is_completed(rules.attendance_rate(attended, total), Decimal("0.800")) is completed
