"""Pure rules of issue 17: the dated chain-leader points and the 自主参训 claim decision."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from jixing.plan.chain_rules import (
    ChainLeaderBonus,
    CityRuleFacts,
    SelfTrainingFacts,
    chain_leader_bonus,
    selection_bonus,
    self_training_claim,
    topic_bonus,
)

TABLE = (
    ChainLeaderBonus(dt.date(2025, 1, 1), dt.date(2025, 12, 31), Decimal("5"), Decimal("3"), "t"),
    ChainLeaderBonus(dt.date(2026, 1, 1), None, Decimal("8"), Decimal("4"), "t"),
)


@pytest.mark.parametrize(("day", "points"), [
    (dt.date(2024, 12, 31), None),
    (dt.date(2025, 6, 1), Decimal("5")),
    (dt.date(2026, 1, 1), Decimal("8")),
    (dt.date(2030, 1, 1), Decimal("8")),
])
def test_the_bonus_in_force_depends_on_the_day(day, points):
    row = chain_leader_bonus(day, TABLE)
    assert (row.selection_points if row else None) == points


@pytest.mark.parametrize(("leader", "expected"), [(True, Decimal("5")), (False, Decimal("0"))])
def test_selection_bonus_only_for_chain_leaders(leader, expected):
    assert selection_bonus(is_chain_leader=leader, day=dt.date(2026, 3, 1)) == expected


@pytest.mark.parametrize(("applicant", "partner", "expected"), [
    (True, False, Decimal("3")), (False, True, Decimal("3")), (True, True, Decimal("3")), (False, False, Decimal("0")),
])
def test_topic_bonus_counts_once_per_application(applicant, partner, expected):
    assert topic_bonus(applicant_leads=applicant, partner_leads=partner, day=dt.date(2026, 3, 1)) == expected


FACTS = SelfTrainingFacts(age_on_start=23, fee=Decimal("1800"), person_blocked=False)


@pytest.mark.parametrize(("facts", "rule", "claimable", "amount", "codes"), [
    (FACTS, None, False, None, ["no_city_rule"]),
    (FACTS, CityRuleFacts(False, None, None), False, None, ["city_not_claimable"]),
    (FACTS, CityRuleFacts(True, None, None), True, Decimal("1800"), ["claimable"]),
    (FACTS, CityRuleFacts(True, Decimal("1000"), 35), True, Decimal("1000"), ["claimable", "capped"]),
    (FACTS, CityRuleFacts(True, Decimal("1000"), 22), False, None, ["over_age"]),
    (SelfTrainingFacts(23, Decimal("0"), False), CityRuleFacts(True, None, None), False, None, ["no_fee"]),
    (SelfTrainingFacts(23, Decimal("500"), True), CityRuleFacts(True, None, None), False, None, ["person_blocked"]),
])
def test_self_training_claim_decision_carries_its_reasons(facts, rule, claimable, amount, codes):
    decision = self_training_claim(facts, rule)
    assert decision.claimable is claimable
    assert decision.amount == amount
    assert [r["code"] for r in decision.reasons] == codes
