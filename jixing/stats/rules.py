"""Pure decisions of the statistics: time progress, gap and traffic light (no ORM).

Dispatch reports compare progress with *time progress* (时间进度): the share of the target's
period that has elapsed, counted in whole days, the current day included.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

GREEN = "green"
YELLOW = "yellow"
RED = "red"
# Within 10 percentage points behind time progress is "yellow" (slightly behind).
YELLOW_BAND = Decimal("0.10")


def time_progress(start: dt.date, end: dt.date, today: dt.date) -> Decimal:
    """Share of [start, end] elapsed on ``today`` (both ends inclusive), 4 places."""
    if today < start:
        return Decimal("0")
    if today >= end:
        return Decimal("1")
    elapsed = (today - start).days + 1
    total = (end - start).days + 1
    return (Decimal(elapsed) / Decimal(total)).quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP)


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
