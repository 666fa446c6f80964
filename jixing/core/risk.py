"""Open risks touching a set of institutions, classes and persons: a read interface at the
bottom layer, so an app below supervision (funds' claim review) can show supervision's open
findings and cases without importing it (STYLE.md habit 13).

Supervision registers a provider when its app is ready (``register_provider``); ``open_risks``
asks every registered provider. With no provider registered (supervision not installed) the
answer is empty and ``providers_ready()`` says so, so a caller can tell "no risk" from
"nobody to ask".
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

SEVERITY_ORDER = {"high": 3, "medium": 2, "low": 1}


@dataclass(frozen=True)
class RiskSubjects:
    organisation_ids: frozenset[int] = frozenset()
    class_ids: frozenset[int] = frozenset()
    person_ids: frozenset[int] = frozenset()
    claim_ids: frozenset[int] = frozenset()


@dataclass(frozen=True)
class Risk:
    kind: str  # "finding" or "case"
    pk: int
    code: str  # rule code (R01 …) or case number
    severity: str  # "high", "medium", "low"
    status: str
    status_label: str
    title: str
    touches: tuple[str, ...] = field(default_factory=tuple)  # "institution", "class", "person", "claim"
    url: str = ""
    since: dt.datetime | None = None

    @property
    def rank(self) -> int:
        return SEVERITY_ORDER.get(self.severity, 0)

    def as_json(self) -> dict[str, object]:
        return {"kind": self.kind, "id": self.pk, "code": self.code, "severity": self.severity, "status": self.status,
                "title": self.title, "touches": list(self.touches), "url": self.url,
                "since": self.since.isoformat() if self.since else None}


Provider = Callable[[RiskSubjects], Iterable[Risk]]
_PROVIDERS: list[Provider] = []


def register_provider(provider: Provider) -> None:
    if provider not in _PROVIDERS:
        _PROVIDERS.append(provider)


def providers_ready() -> bool:
    return bool(_PROVIDERS)


def open_risks(subjects: RiskSubjects) -> list[Risk]:
    """Every open risk any provider knows for the subjects, most severe first, newest first."""
    risks: list[Risk] = []
    for provider in _PROVIDERS:
        risks.extend(provider(subjects))
    return sorted(risks, key=lambda r: (-r.rank, -(r.since.timestamp() if r.since else 0), r.kind, r.pk))


def count_by_severity(risks: Iterable[Risk]) -> dict[str, int]:
    counts = {"high": 0, "medium": 0, "low": 0}
    for r in risks:
        counts[r.severity] = counts.get(r.severity, 0) + 1
    return counts
