"""技能提升补贴 eligibility as pure rules (no database): unemployment-insurance months on the
certificate's issue date, benefit periods, pension-only rows, the dated months requirement,
routing to the insured city, the card account, a blocked person."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import translation
from hypothesis import given
from hypothesis import strategies as st

from jixing.funds import rules

NATIONAL = (
    rules.MonthsRequirement("", dt.date(2017, 1, 1), 36, "人社部发〔2017〕40号"),
    rules.MonthsRequirement("", dt.date(2019, 1, 1), 12, "国办发〔2019〕24号"),
)
ISSUED = dt.date(2025, 6, 15)


@pytest.fixture(autouse=True)
def chinese():
    with translation.override("zh-hans"):
        yield


def months_back(n: int, *, end: dt.date = ISSUED, skip: int = 0) -> frozenset[dt.date]:
    """``n`` month starts ending with ``end``'s month, leaving out ``skip`` months after the first."""
    out, month = [], end.replace(day=1)
    while len(out) < n + skip:
        out.append(month)
        month = (month - dt.timedelta(days=1)).replace(day=1)
    kept = out[:n - 1] + out[n - 1 + skip:] if skip else out
    return frozenset(kept[:n])


def facts(months: frozenset[dt.date], **kw) -> rules.InsuranceFacts:
    return rules.InsuranceFacts(on_date=kw.pop("on_date", ISSUED), unemployment_months=months,
                                requirement=kw.pop("requirement", NATIONAL[1]), **kw)


@pytest.mark.parametrize(("months", "ok"), [(11, False), (12, True), (13, True), (0, False)])
def test_it_needs_twelve_months_of_unemployment_insurance(months, ok) -> None:
    check = rules.check_insurance(facts(months_back(months)))
    assert check.ok is ok
    assert f"{months} 个月" in check.text and "12" in check.text


def test_it_counts_months_cumulatively_across_a_gap() -> None:
    # 12 months with a 6-month gap in the middle: 累计 12 months, still eligible
    gapped = months_back(12, skip=6)
    assert len(gapped) == 12 and rules.check_insurance(facts(gapped)).ok
    # 11 months with a gap: not enough, and the text says how many were found
    check = rules.check_insurance(facts(months_back(11, skip=6)))
    assert not check.ok and "11 个月" in check.text


def test_it_does_not_count_months_after_the_issue_date() -> None:
    later = frozenset(m for m in months_back(24, end=dt.date(2026, 6, 1)) if m > ISSUED)
    check = rules.check_insurance(facts(later | months_back(3)))
    assert not check.ok and "3 个月" in check.text


def test_it_never_counts_pension_only_rows() -> None:
    pension = months_back(30)
    check = rules.check_insurance(facts(frozenset(), other_type_months=pension))
    assert not check.ok
    assert "0 个月" in check.text and "30" in check.text  # the other months are named, not counted


def test_it_accepts_a_person_drawing_benefit_on_the_issue_day_only() -> None:
    period = rules.BenefitPeriod(dt.date(2025, 1, 1), ISSUED, "3702")
    assert rules.check_insurance(facts(months_back(2), benefit_periods=(period,))).ok
    day_after = rules.check_insurance(facts(months_back(2), benefit_periods=(period,), on_date=ISSUED + dt.timedelta(days=1)))
    assert not day_after.ok
    day_before_start = rules.check_insurance(facts(months_back(2), benefit_periods=(period,), on_date=dt.date(2024, 12, 31)))
    assert not day_before_start.ok


def test_it_takes_the_requirement_in_force_on_the_date_with_city_history() -> None:
    assert rules.requirement_in_force(NATIONAL, "3701", dt.date(2018, 5, 1)).months == 36
    assert rules.requirement_in_force(NATIONAL, "3701", dt.date(2019, 1, 1)).months == 12
    assert rules.requirement_in_force(NATIONAL, "3701", dt.date(2016, 12, 31)) is None
    own = (*NATIONAL, rules.MonthsRequirement("3702", dt.date(2024, 1, 1), 6, "city rule"))
    assert rules.requirement_in_force(own, "3702", dt.date(2025, 1, 1)).months == 6
    assert rules.requirement_in_force(own, "3702", dt.date(2023, 1, 1)).months == 12  # before the city's own row
    assert rules.requirement_in_force(own, "3701", dt.date(2025, 1, 1)).months == 12
    # 2018: 12 months were not enough yet
    assert not rules.check_insurance(facts(months_back(12, end=dt.date(2018, 5, 1)), on_date=dt.date(2018, 5, 1),
                                           requirement=NATIONAL[0])).ok


def test_it_routes_to_the_insured_city_when_it_differs_from_where_the_person_lives() -> None:
    contributions = [(m, "3702") for m in months_back(12)] + [(dt.date(2023, 1, 1), "3701")]
    city = rules.insured_city_on(contributions, (), ISSUED)
    assert city == "3702"
    region, check = rules.route_by_insured_city(city, "370102", known_city=True)
    assert region == "370200" and check.ok and "3702" in check.text
    same, check = rules.route_by_insured_city("3701", "370102", known_city=True)
    assert same == "370102" and check.ok
    outside, check = rules.route_by_insured_city("4101", "370102", known_city=False)
    assert outside is None and not check.ok
    nowhere, check = rules.route_by_insured_city(None, "370102", known_city=True)
    assert nowhere is None and not check.ok


def test_it_takes_the_benefit_city_on_the_day_over_older_contributions() -> None:
    period = rules.BenefitPeriod(dt.date(2025, 3, 1), dt.date(2025, 9, 1), "3705")
    assert rules.insured_city_on([(dt.date(2025, 1, 1), "3701")], (period,), ISSUED) == "3705"


def test_it_requires_the_card_account_for_a_person() -> None:
    assert rules.check_payee_account(payee_kind="person", account_kind="bank").ok is False
    assert rules.check_payee_account(payee_kind="person", account_kind=None).ok is False
    assert rules.check_payee_account(payee_kind="person", account_kind=rules.CARD_ACCOUNT).ok is True
    assert rules.check_payee_account(payee_kind="institution", account_kind="bank") is None


def test_it_refuses_a_blocked_claimant_and_says_why() -> None:
    cert = rules.CertificateFacts("S1", True, ISSUED, "electrician", 3)
    checks = rules.check_line(rules.LineFacts(item=rules.SKILL_UPGRADE, on_date=ISSUED, certificate=cert,
                                              claimant_blocked=True, claimant_block_detail="黑名单 2025-01-01～— JC-1"))
    blocked = [c for c in checks if c.code == "claimant_blocked"]
    assert blocked and not blocked[0].ok and "JC-1" in blocked[0].text
    assert not rules.all_passed(checks)


@given(st.sets(st.dates(dt.date(2015, 1, 1), dt.date(2026, 12, 31)).map(lambda d: d.replace(day=1)), max_size=80),
       st.dates(dt.date(2017, 1, 1), dt.date(2026, 12, 31)))
def test_it_is_eligible_exactly_when_the_counted_months_reach_the_requirement(months, day) -> None:
    with translation.override("zh-hans"):
        req = rules.requirement_in_force(NATIONAL, "3701", day)
        check = rules.check_insurance(rules.InsuranceFacts(on_date=day, unemployment_months=frozenset(months), requirement=req))
    counted = len([m for m in months if m <= day])
    assert rules.insured_months_on(months, day) == counted
    assert check.ok is (req is not None and counted >= req.months)
    # adding a month after the issue date never changes the answer
    later = frozenset(months | {dt.date(2027, 1, 1)})
    with translation.override("zh-hans"):
        again = rules.check_insurance(rules.InsuranceFacts(on_date=day, unemployment_months=later, requirement=req))
    assert again.ok is check.ok
