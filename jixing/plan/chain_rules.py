"""Pure rules for industrial chains and self-arranged training (no ORM).

1. Chain-leader advantage. Seed 一(七) says chain leaders "可优先建设技能实训基地和技能大师工作室";
   issue 17 asks that they be preferred in the 优选计划 (二(一)) and in 揭榜领题 scoring (二(一)).
   The seed sets no figure: the points below are a dated parameter, an ASSUMPTION documented in
   docs/chains_and_programmes.md (source tag: issue-17-assumption), to be replaced by the
   province's scoring rules when published. A new period is a new row; old rows stay so past
   scores can be explained.
2. Self-arranged training (自主参训, seed 一(五)): claimable only where the city's rule in force on
   the last training day allows, within its age limit and amount cap.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal


@dataclass(frozen=True)
class ChainLeaderBonus:
    valid_from: dt.date
    valid_to: dt.date | None
    selection_points: Decimal  # added to a 优选计划 scorecard (0–100 scale)
    topic_points: Decimal  # added to a 揭榜领题 application's average expert score
    source: str


CHAIN_LEADER_BONUSES: tuple[ChainLeaderBonus, ...] = (
    ChainLeaderBonus(dt.date(2025, 1, 1), None, Decimal("5"), Decimal("3"),
                     "issue-17-assumption: seed 一(七) gives chain leaders priority without a figure"),
)


def chain_leader_bonus(day: dt.date, table: tuple[ChainLeaderBonus, ...] = CHAIN_LEADER_BONUSES) -> ChainLeaderBonus | None:
    """The bonus row in force on ``day`` (None before the first)."""
    for row in sorted(table, key=lambda r: r.valid_from, reverse=True):
        if row.valid_from <= day and (row.valid_to is None or day <= row.valid_to):
            return row
    return None


def selection_bonus(*, is_chain_leader: bool, day: dt.date) -> Decimal:
    row = chain_leader_bonus(day)
    return row.selection_points if is_chain_leader and row is not None else Decimal(0)


def topic_bonus(*, applicant_leads: bool, partner_leads: bool, day: dt.date) -> Decimal:
    """Once per application, whether the applicant or its partner enterprise is the chain leader."""
    row = chain_leader_bonus(day)
    return row.topic_points if (applicant_leads or partner_leads) and row is not None else Decimal(0)


# ---------------------------------------------------------------- 自主参训 (seed 一(五))

@dataclass(frozen=True)
class CityRuleFacts:
    claimable: bool
    max_amount: Decimal | None
    max_age: int | None


@dataclass(frozen=True)
class SelfTrainingFacts:
    age_on_start: int
    fee: Decimal
    person_blocked: bool  # blacklisted or under a case decision (seed 二(六))


@dataclass(frozen=True)
class ClaimDecision:
    claimable: bool
    amount: Decimal | None
    reasons: tuple[dict[str, str], ...]  # codes with parameters; shown through REASON_TEXT


def self_training_claim(facts: SelfTrainingFacts, rule: CityRuleFacts | None) -> ClaimDecision:
    reasons: list[dict[str, str]] = []
    if rule is None:
        reasons.append({"code": "no_city_rule"})
    elif not rule.claimable:
        reasons.append({"code": "city_not_claimable"})
    if facts.person_blocked:
        reasons.append({"code": "person_blocked"})
    if rule is not None and rule.max_age is not None and facts.age_on_start > rule.max_age:
        reasons.append({"code": "over_age", "age": str(facts.age_on_start), "max_age": str(rule.max_age)})
    if facts.fee <= 0:
        reasons.append({"code": "no_fee"})
    if reasons or rule is None:
        return ClaimDecision(False, None, tuple(reasons))
    amount = facts.fee if rule.max_amount is None else min(facts.fee, rule.max_amount)
    ok = [{"code": "claimable", "amount": str(amount)}]
    if rule.max_amount is not None and facts.fee > rule.max_amount:
        ok.append({"code": "capped", "max_amount": str(rule.max_amount)})
    return ClaimDecision(True, amount, tuple(ok))
