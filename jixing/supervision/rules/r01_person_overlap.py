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
        a_end = "COALESCE(a.check_out_at, sa.ends_at)"
        b_end = "COALESCE(b.check_out_at, sb.ends_at)"
        overlap = sql.seconds_between("b.check_in_at", sql.least(a_end, b_end))
        # b starts inside a's interval (ties broken by id), so each overlapping pair appears
        # once and the join is a range scan on the (person, check_in_at) index.
        query = f"""
            SELECT a.person_id, a.id, b.id, {overlap}
            FROM {att} a
            JOIN {ses} sa ON sa.id = a.session_id
            JOIN {att} b ON b.person_id = a.person_id
                AND b.check_in_at >= a.check_in_at
                AND b.check_in_at < {a_end}
                AND b.training_class_id <> a.training_class_id
            JOIN {ses} sb ON sb.id = b.session_id
            WHERE (b.check_in_at > a.check_in_at OR b.id > a.id)
              AND {overlap} >= %s
        """
        args: list[Any] = [int(params["min_overlap_minutes"]) * 60]
        if since is not None:
            query += f" AND a.person_id IN (SELECT person_id FROM {att} WHERE recorded_at >= %s)"
            args.append(sql.ts(since))
        rows = sql.fetch(query, args)
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
