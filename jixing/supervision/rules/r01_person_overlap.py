"""R01: one person attends two classes at overlapping times (audit: fake trainees, 虚假学员).

A person cannot sit in two classrooms at once; overlapping attendance in two classes means at
least one of the records is fabricated.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Mapping
from typing import Any

from django.utils.translation import gettext_lazy as _

from jixing.supervision import sql

from .base import Hit, Param, Rule, register
from .common import attendance_records, class_info, person_labels


@register
class PersonOverlap(Rule):
    code = "R01"
    kind = "person_overlap"
    title = _("One person in two classes at once")
    description = _(
        "The same trainee checked in to sessions of two different classes whose attendance times overlap."
    )
    severity = "high"
    layout = "overlap"
    params = (
        Param("min_overlap_minutes", _("minimum overlap"), 10, 1, 240, _("minutes")),
    )
    template = _(
        "{person} attended {class_a} and {class_b} at overlapping times on {count} occasion(s), "
        "the first on {first}, overlapping by up to {max_overlap} minutes."
    )

    def find(self, params: Mapping[str, Any], since: dt.datetime | None) -> list[Hit]:
        from jixing.training.models import Attendance, TrainingSession

        att, ses = sql.table(Attendance), sql.table(TrainingSession)
        candidates = sql.fetch(candidate_query(att, ses, incremental=since is not None),
                               [sql.ts(since)] if since is not None else [])
        rows: list[tuple[Any, ...]] = []
        min_seconds = int(params["min_overlap_minutes"]) * 60
        for start in range(0, len(candidates), 500):
            ids = [c[0] for c in candidates[start:start + 500]]
            rows += sql.fetch(pair_query(att, ses, len(ids)), [*ids, min_seconds])
        return self._hits(_unique_pairs(rows))

    def _hits(self, rows: list[tuple[Any, ...]]) -> list[Hit]:
        if not rows:
            return []
        records = attendance_records([r[1] for r in rows] + [r[2] for r in rows])
        groups: dict[tuple[int, int, int], list[tuple[dict[str, Any], dict[str, Any], int]]] = defaultdict(list)
        for person_id, a_id, b_id, seconds in rows:
            a, b = records[a_id], records[b_id]
            if a["class_id"] > b["class_id"]:
                a, b = b, a
            groups[(person_id, a["class_id"], b["class_id"])].append((a, b, int(seconds)))
        classes = class_info({k[1] for k in groups} | {k[2] for k in groups})
        labels = person_labels({k[0] for k in groups})
        hits = []
        for (person_id, class_a, class_b), pairs in groups.items():
            pairs.sort(key=lambda p: min(p[0]["check_in"], p[1]["check_in"]))
            # The class whose enrollment came later double-booked the person.
            later = max(pairs[0][0], pairs[0][1], key=lambda r: r["enrollment_id"])
            blamed = classes[later["class_id"]]
            first = min(pairs[0][0]["check_in"], pairs[0][1]["check_in"])
            context = {
                "person": labels.get(person_id, str(person_id)),
                "class_a": classes[class_a]["code"],
                "class_b": classes[class_b]["code"],
                "count": len(pairs),
                "first": first[:16].replace("T", " "),
                "max_overlap": max(p[2] for p in pairs) // 60,
            }
            hits.append(Hit(
                subject_model="registry.Person", subject_id=person_id, subject_label=context["person"],
                key=f"{class_a}:{class_b}",
                organisation_id=blamed["organisation_id"], county_id=blamed["county_id"],
                context=context,
                evidence={
                    "classes": [classes[class_a], classes[class_b]],
                    "pairs": [{"a": a, "b": b, "overlap_seconds": s} for a, b, s in pairs],
                },
            ))
        return hits


def _unique_pairs(rows: list[tuple[Any, ...]]) -> list[tuple[Any, ...]]:
    seen: dict[tuple[int, int], tuple[Any, ...]] = {}
    for person_id, a, b, seconds in rows:
        seen.setdefault((min(a, b), max(a, b)), (person_id, min(a, b), max(a, b), seconds))
    return list(seen.values())


def candidate_query(att: str, ses: str, *, incremental: bool) -> str:
    """Attendance records that start before the latest end of the same person's earlier records.

    One ordered pass over attendance (a running MAX over each person's check-ins). On PostgreSQL
    it reads the covering index ``attendance_person_time`` (person, check_in_at, id INCLUDE
    check_out_at, session) in order: no sort, no heap reads. The session's end stands in for a
    missing check-out.
    ``incremental`` limits it to persons with attendance recorded since the placeholder.
    """
    since = f" WHERE a.person_id IN (SELECT person_id FROM {att} WHERE recorded_at >= %s)" if incremental else ""
    end = f"COALESCE(a.check_out_at, (SELECT se.ends_at FROM {ses} se WHERE se.id = a.session_id))"
    return f"""
        SELECT id FROM (
            SELECT a.id, a.check_in_at AS s,
                   MAX({end}) OVER (PARTITION BY a.person_id ORDER BY a.check_in_at, a.id
                                    ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS prev_end
            FROM {att} a{since}
        ) w WHERE prev_end > s
    """


def pair_query(att: str, ses: str, n_ids: int, vendor: str | None = None) -> str:
    """For candidate ids (the first ``n_ids`` placeholders), the earlier records of the same person
    in another class they overlap by at least the last placeholder's seconds: a few index lookups."""
    end_c = "COALESCE(c.check_out_at, sc.ends_at)"
    end_y = "COALESCE(y.check_out_at, sy.ends_at)"
    overlap = sql.seconds_between("c.check_in_at", sql.least(end_y, end_c, vendor), vendor)
    marks = ", ".join(["%s"] * n_ids)
    return f"""
        SELECT c.person_id, y.id, c.id, {overlap}
        FROM {att} c
        JOIN {ses} sc ON sc.id = c.session_id
        JOIN {att} y ON y.person_id = c.person_id AND y.check_in_at <= c.check_in_at AND y.id <> c.id
                    AND y.training_class_id <> c.training_class_id
        JOIN {ses} sy ON sy.id = y.session_id
        WHERE c.id IN ({marks}) AND {overlap} >= %s
    """
