"""Pure rules of department intake (issue 16 build 4; docs/statistics.md "De-duplication").

A person-time is counted once: a department record for the same person and occupation whose
period overlaps a jixing enrollment (jixing is the system of record) or a record another
department (or this one) reported earlier is not counted again; it is kept, marked with what
it duplicates and why.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils.translation import gettext as _

COUNTED, MERGED, IN_JIXING = "counted", "merged", "in_jixing"


@dataclass(frozen=True)
class Period:
    ref: int  # the id of the record or enrollment
    start: dt.date
    end: dt.date
    label: str = ""  # who reported it (department short name) or the class code


def overlaps(a_start: dt.date, a_end: dt.date, b_start: dt.date, b_end: dt.date) -> bool:
    """Closed periods overlap when each starts on or before the other ends."""
    return a_start <= b_end and b_start <= a_end


@dataclass(frozen=True)
class Decision:
    status: str
    ref: int | None = None
    reason: str = ""


def decide(start: dt.date, end: dt.date, *, enrollments: list[Period], records: list[Period]) -> Decision:
    """Counted, or a duplicate of the first overlapping enrollment, else of the earliest
    overlapping department record (both lists: same person and occupation)."""
    for e in sorted(enrollments, key=lambda p: (p.start, p.ref)):
        if overlaps(start, end, e.start, e.end):
            return Decision(IN_JIXING, e.ref, _(
                "Same person and occupation as the jixing class %(label)s (%(start)s to %(end)s): counted there, "
                "not again.") % {"label": e.label, "start": e.start, "end": e.end})
    for r in sorted(records, key=lambda p: (p.start, p.ref)):
        if overlaps(start, end, r.start, r.end):
            return Decision(MERGED, r.ref, _(
                "Same person and occupation as the record %(label)s reported for %(start)s to %(end)s: "
                "merged into it, counted once.") % {"label": r.label, "start": r.start, "end": r.end})
    return Decision(COUNTED)
