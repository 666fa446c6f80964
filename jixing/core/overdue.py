"""Overdue to-dos by county, for reports in lower layers (the monthly dispatch report).

The notifications app (top of the layer order) knows what a to-do is; it registers a counter
here at start-up, and stats reads the sum without importing it.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Callable

# Given a day, return {county code: number of to-dos past their deadline on that day}.
OverdueCounter = Callable[[dt.date], dict[str, int]]

_counters: list[OverdueCounter] = []


def register_overdue_counter(counter: OverdueCounter) -> None:
    if counter not in _counters:
        _counters.append(counter)


def overdue_todos_by_county(day: dt.date) -> dict[str, int]:
    total: Counter[str] = Counter()
    for counter in _counters:
        total.update(counter(day))
    return dict(total)
