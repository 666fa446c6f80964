"""Who works where, as the social-insurance records tell, for apps below employment.

Evaluation (below employment in the layer order) must check that an enterprise evaluates or
recognises its own employees (issue 16; seed 二(二) "企业自主评价"). The employment app keeps the
contribution records; it registers an ``EmploymentSource`` here when it is ready, and
evaluation asks through ``employment_evidence`` without importing it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

INSURANCE = "insurance"  # contributions paid by the enterprise for the person around the date
NOT_EMPLOYED = "not_employed"  # the enterprise is in the records, the person is not among its insured
NOT_IN_RECORDS = "not_in_records"  # no contribution of the enterprise at all: the records cannot tell
UNKNOWN = "unknown"  # no source registered (employment not installed)


@dataclass(frozen=True)
class EmploymentSource:
    # (person id, employer's unified social credit code, day) → INSURANCE or NOT_EMPLOYED
    person_insured_by: Callable[[int, str, dt.date], bool]
    # employer's unified social credit code → whether any contribution of it is on record
    employer_in_records: Callable[[str], bool]


_sources: list[EmploymentSource] = []


def register_employment_source(source: EmploymentSource) -> None:
    if source not in _sources:
        _sources.append(source)


def employer_in_records(uscc: str) -> bool | None:
    """True/False when a source can tell; None without a source."""
    if not _sources:
        return None
    return any(s.employer_in_records(uscc) for s in _sources)


def employment_evidence(person_id: int, uscc: str, on: dt.date) -> str:
    """What the records say about the person working for the employer on ``on``."""
    if not _sources:
        return UNKNOWN
    if any(s.person_insured_by(person_id, uscc, on) for s in _sources):
        return INSURANCE
    if employer_in_records(uscc):
        return NOT_EMPLOYED
    return NOT_IN_RECORDS
