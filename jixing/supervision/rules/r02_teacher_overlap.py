"""R02: one teacher teaches two classes at overlapping times (audit: fabricated training records).

Teachers are registered per organisation, so the same person may appear as two teachers; the
rule compares the person behind them.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Mapping
from typing import Any

from django.utils.translation import gettext_lazy as _

from jixing.supervision import sql

from .base import Hit, Param, Rule, register
from .common import class_info, iso, person_labels


@register
class TeacherOverlap(Rule):
    code = "R02"
    kind = "teacher_overlap"
    title = _("One teacher in two classes at once")
    description = _("The same teacher is scheduled for sessions of two different classes at overlapping times.")
    severity = "high"
    layout = "teacher_overlap"
    params = (Param("min_overlap_minutes", _("minimum overlap"), 15, 1, 240, _("minutes")),)
    template = _(
        "Teacher {teacher} was scheduled in {class_a} and {class_b} at overlapping times "
        "in {count} session pair(s), the first on {first}."
    )

    def find(self, params: Mapping[str, Any], since: dt.datetime | None) -> list[Hit]:
        from jixing.training.models import Teacher, TrainingSession

        ses, tea = sql.table(TrainingSession), sql.table(Teacher)
        overlap = sql.seconds_between("s2.starts_at", sql.least("s1.ends_at", "s2.ends_at"))
        query = f"""
            SELECT t1.person_id, s1.id, s2.id, {overlap}
            FROM {ses} s1
            JOIN {tea} t1 ON t1.id = s1.teacher_id
            JOIN {tea} t2 ON t2.person_id = t1.person_id
            JOIN {ses} s2 ON s2.teacher_id = t2.id
                AND s2.starts_at >= s1.starts_at
                AND s2.starts_at < s1.ends_at
                AND s2.training_class_id <> s1.training_class_id
            WHERE (s2.starts_at > s1.starts_at OR s2.id > s1.id)
              AND {overlap} >= %s
        """
        args: list[Any] = [int(params["min_overlap_minutes"]) * 60]
        if since is not None:
            query += f"""
              AND t1.person_id IN (
                SELECT t.person_id FROM {ses} s JOIN {tea} t ON t.id = s.teacher_id WHERE s.updated_at >= %s)"""
            args.append(sql.ts(since))
        rows = sql.fetch(query, args)
        if not rows:
            return []
        sessions = {
            s["id"]: s for s in TrainingSession.objects.filter(pk__in={r[1] for r in rows} | {r[2] for r in rows})
            .values("id", "training_class_id", "starts_at", "ends_at", "topic", "teacher_id", "created_at")
        }
        groups: dict[tuple[int, int, int], list[tuple[Mapping[str, Any], Mapping[str, Any], int]]] = defaultdict(list)
        for person_id, s1, s2, seconds in rows:
            a, b = sessions[s1], sessions[s2]
            if a["training_class_id"] > b["training_class_id"]:
                a, b = b, a
            groups[(person_id, a["training_class_id"], b["training_class_id"])].append((a, b, int(seconds)))
        classes = class_info({k[1] for k in groups} | {k[2] for k in groups})
        labels = person_labels({k[0] for k in groups})

        def show(s: Mapping[str, Any]) -> dict[str, Any]:
            return {"id": s["id"], "class_id": s["training_class_id"], "class_code": classes[s["training_class_id"]]["code"],
                    "starts_at": iso(s["starts_at"]), "ends_at": iso(s["ends_at"]), "topic": s["topic"],
                    "teacher_id": s["teacher_id"]}

        hits = []
        for (person_id, class_a, class_b), pairs in groups.items():
            pairs.sort(key=lambda p: p[0]["starts_at"])
            later = max(pairs[0][0], pairs[0][1], key=lambda s: s["created_at"])
            blamed = classes[later["training_class_id"]]
            context = {
                "teacher": labels.get(person_id, str(person_id)),
                "class_a": classes[class_a]["code"], "class_b": classes[class_b]["code"],
                "count": len(pairs), "first": iso(pairs[0][0]["starts_at"])[:16].replace("T", " "),
            }
            hits.append(Hit(
                subject_model="registry.Person", subject_id=person_id, subject_label=context["teacher"],
                key=f"teacher:{class_a}:{class_b}", organisation_id=blamed["organisation_id"],
                county_id=blamed["county_id"], context=context,
                evidence={"classes": [classes[class_a], classes[class_b]],
                          "pairs": [{"a": show(a), "b": show(b), "overlap_seconds": s} for a, b, s in pairs]},
            ))
        return hits
