"""Pure rules of the plan (no ORM): *time progress* (时间进度), the share of a target's period
that has elapsed, counted in whole days, the current day included (docs/statistics.md).
Plan's allocation summary and the statistics (above plan) both use this one definition."""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal


def time_progress(start: dt.date, end: dt.date, today: dt.date) -> Decimal:
    """Share of [start, end] elapsed on ``today`` (both ends inclusive), 4 places."""
    if today < start:
        return Decimal("0")
    if today >= end:
        return Decimal("1")
    elapsed = (today - start).days + 1
    total = (end - start).days + 1
    return (Decimal(elapsed) / Decimal(total)).quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP)
