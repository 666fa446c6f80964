"""Pure decisions of the statistics: time progress, gap and traffic light (no ORM).

Dispatch reports compare progress with *time progress* (时间进度): the share of the target's
period that has elapsed, counted in whole days, the current day included.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from jixing.plan.rules import time_progress  # noqa: F401 (the one definition lives in plan, below stats)

GREEN = "green"
YELLOW = "yellow"
RED = "red"
# Within 10 percentage points behind time progress is "yellow" (slightly behind).
YELLOW_BAND = Decimal("0.10")


def period_bounds(period: str, year: int | None) -> tuple[dt.date, dt.date]:
    """``yearly`` targets run over one calendar year; ``2025-2027`` over the range."""
    if period == "yearly":
        assert year is not None
        return dt.date(year, 1, 1), dt.date(year, 12, 31)
    start, _sep, end = period.partition("-")
    return dt.date(int(start), 1, 1), dt.date(int(end or start), 12, 31)


@dataclass(frozen=True)
class Progress:
    actual: Decimal
    target: Decimal | None
    time_share: Decimal

    @property
    def completion(self) -> Decimal | None:
        if not self.target:
            return None
        return (self.actual / self.target).quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP)

    @property
    def gap(self) -> Decimal | None:
        """Completion minus time progress: negative means behind schedule."""
        completion = self.completion
        return None if completion is None else completion - self.time_share

    @property
    def light(self) -> str | None:
        gap = self.gap
        if gap is None:
            return None
        if gap >= 0:
            return GREEN
        return YELLOW if gap >= -YELLOW_BAND else RED


# ---------------------------------------------------------------- scorecards (优选计划)
#
# Seed 二(一): select institutions with 技能培训质量高、促进就业成效好. The score weighs
# outcomes over volume: employment within 6 months 35%, completion 25%, certificate pass
# 20%, claims not returned 20%. A rate with no denominator is left out and the other
# weights are rescaled. Each open finding costs 3 points (at most 15); a confirmed
# violation caps the score at 40 and makes the institution ineligible for selection.

WEIGHTS = {"employment": Decimal("0.35"), "completion": Decimal("0.25"), "passing": Decimal("0.20"), "claims": Decimal("0.20")}
FINDING_PENALTY = Decimal(3)
MAX_FINDING_PENALTY = Decimal(15)
VIOLATION_CAP = Decimal(40)


@dataclass(frozen=True)
class InstitutionFacts:
    trainees: int
    finished: int  # enrollments in classes that have ended (not withdrawn)
    completed: int
    evaluated: int
    passed: int
    employment_window_closed: int  # completed at least 6 months ago
    employed_within_6_months: int
    claims: int
    claims_returned: int
    open_findings: int
    violations: int
    quality_actions: int = 0  # projects suspended or terminated by quality review (seed 二(六))
    # points for a chain-leader enterprise (seed 一(七); dated parameter plan.chain_rules, an assumption)
    chain_leader_bonus: Decimal = Decimal(0)


# Each project suspended or terminated by quality review in the year costs points (assumption,
# docs/statistics.md): an institution whose projects are stopped is not 优选.
QUALITY_PENALTY = Decimal(5)
MAX_QUALITY_PENALTY = Decimal(15)


def _rate(numerator: int, denominator: int) -> Decimal | None:
    if denominator <= 0:
        return None
    return (Decimal(numerator) / Decimal(denominator)).quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class Scorecard:
    facts: InstitutionFacts
    rates: dict[str, Decimal | None]
    score: Decimal
    reasons: tuple[str, ...]

    @property
    def selectable(self) -> bool:
        return self.facts.violations == 0 and self.facts.trainees > 0


def institution_scorecard(f: InstitutionFacts) -> Scorecard:
    claims_ok = _rate(f.claims - f.claims_returned, f.claims)
    rates = {
        "completion": _rate(f.completed, f.finished),
        "passing": _rate(f.passed, f.evaluated),
        "employment": _rate(f.employed_within_6_months, f.employment_window_closed),
        "claims": claims_ok,
    }
    used = {k: w for k, w in WEIGHTS.items() if rates[k] is not None}
    reasons: list[str] = []
    if used:
        total_weight = sum(used.values(), Decimal(0))
        base = sum(((rates[k] or Decimal(0)) * w for k, w in used.items()), Decimal(0)) / total_weight * 100
    else:
        base = Decimal(0)
        reasons.append("no outcome data yet")
    penalty = min(FINDING_PENALTY * f.open_findings, MAX_FINDING_PENALTY)
    if penalty:
        reasons.append(f"-{penalty} for {f.open_findings} open findings")
    quality = min(QUALITY_PENALTY * f.quality_actions, MAX_QUALITY_PENALTY)
    if quality:
        penalty += quality
        reasons.append(f"-{quality} for {f.quality_actions} projects suspended or terminated by quality review")
    score = max(base - penalty, Decimal(0))
    if f.chain_leader_bonus:
        score = min(score + f.chain_leader_bonus, Decimal(100))
        reasons.append(f"+{f.chain_leader_bonus} chain-leader enterprise")
    if f.violations:
        score = min(score, VIOLATION_CAP)
        reasons.append(f"capped at {VIOLATION_CAP}: {f.violations} confirmed violations")
    return Scorecard(f, rates, score.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP), tuple(reasons))
