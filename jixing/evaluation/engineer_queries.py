"""Reads of the 数字技术工程师 ladder: the list pages and its count toward the digital line.

Counting (docs/digital_engineers.md): an engineer certificate issued in the year counts toward
action 1's 数字类培训 line (seed 一(一)) as one person-time — unless the candidate came from a
training enrollment, which the stats rollup already counts as that person-time (no double count).
Engineer certificates never enter the skill-ladder subsidy or pay reports."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Count

from jixing.core.access import within_region

from .engineer_models import EngineerCertificate, EngineerLevel, EngineerSession


@dataclass(frozen=True)
class EngineerProgress:
    year: int
    sessions: int
    candidates: int
    certificates_by_level: dict[str, int]
    certificates: int
    counted_via_training: int  # already in the rollup through their enrollment
    counted_extra: int  # added to the digital line by this ladder


def engineer_progress(user: Any, *, year: int) -> EngineerProgress:
    sessions = EngineerSession.objects.visible_to(user).filter(date__year=year)
    certs = EngineerCertificate.objects.visible_to(user).valid().filter(issued_on__year=year)
    by_level = dict(certs.values("level").annotate(n=Count("id")).values_list("level", "n"))
    via_training = certs.filter(candidate__enrollment__isnull=False).count()
    total = certs.count()
    return EngineerProgress(
        year=year, sessions=sessions.count(),
        candidates=sum(s.n for s in sessions.annotate(n=Count("candidates"))),
        certificates_by_level={str(level.label): by_level.get(level.value, 0) for level in EngineerLevel},
        certificates=total, counted_via_training=via_training, counted_extra=total - via_training,
    )


def digital_line_extra(*, year: int, region_prefix: str = "", until: dt.date | None = None) -> int:
    """Person-times the ladder adds to the digital line (action 1) for a region, for stats:
    certificates of ``year`` (issued up to ``until``, a report's as-of day) whose candidate did not
    come from a training enrollment the rollup already counts."""
    qs = EngineerCertificate.objects.valid().filter(issued_on__year=year, candidate__enrollment__isnull=True)
    if until is not None:
        qs = qs.filter(issued_on__lte=until)
    if region_prefix:
        qs = qs.filter(within_region("session__organisation__county", region_prefix))
    return qs.count()
