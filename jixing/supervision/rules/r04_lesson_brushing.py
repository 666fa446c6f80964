"""R04: lesson brushing (刷课): check-in/out timing no real class produces — many trainees of
one session with exactly the same stay to the second, or checking out seconds after checking
in (audit: "刷课" software and fabricated records)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Mapping
from typing import Any

from django.utils.translation import gettext_lazy as _

from jixing.supervision import sql

from .base import Hit, Param, Rule, register
from .common import attendance_records, class_info


@register
class LessonBrushing(Rule):
    code = "R04"
    kind = "lesson_brushing"
    title = _("Lesson brushing: implausible check-in timing")
    description = _(
        "In one session, many trainees stayed exactly the same number of seconds, or checked out "
        "only seconds after checking in."
    )
    severity = "high"
    layout = "timeline"
    params = (
        Param("identical_min_trainees", _("trainees with an identical stay"), 8, 3, 500),
        Param("short_stay_seconds", _("a stay shorter than"), 300, 10, 3600, _("seconds")),
        Param("short_stay_min_trainees", _("trainees with a short stay"), 3, 1, 500),
    )
    template = _("Session on {date} of {class_code}: {n} trainees each stayed exactly {seconds} seconds.")
    short_template = _(
        "Session on {date} of {class_code}: {n} trainees checked out less than {seconds} seconds after checking in."
    )

    @classmethod
    def explain(cls, context: Mapping[str, Any]) -> str:
        template = cls.short_template if context.get("pattern") == "short" else cls.template
        return str(template).format(**{k: context.get(k, "") for k in ("date", "class_code", "n", "seconds")})

    def find(self, params: Mapping[str, Any], since: dt.datetime | None) -> list[Hit]:
        """Two hash aggregates find the (session, stay) groups and the sessions with short stays;
        only those sessions' records are then read back (by the session index)."""
        from jixing.training.models import Attendance

        att = sql.table(Attendance)
        duration = sql.seconds_between("a.check_in_at", "a.check_out_at")
        scope = ""
        args: list[Any] = []
        if since is not None:
            scope = f" AND a.session_id IN (SELECT session_id FROM {att} WHERE recorded_at >= %s)"
            args.append(sql.ts(since))
        same_min = int(params["identical_min_trainees"])
        short = int(params["short_stay_seconds"])
        short_min = int(params["short_stay_min_trainees"])
        identical_groups = {
            (session_id, int(dur)) for session_id, dur in sql.fetch(f"""
                SELECT a.session_id, {duration} FROM {att} a WHERE a.check_out_at IS NOT NULL{scope}
                GROUP BY a.session_id, {duration} HAVING COUNT(*) >= %s
            """, [*args, same_min])
        }
        short_sessions = {
            r[0] for r in sql.fetch(f"""
                SELECT a.session_id FROM {att} a WHERE a.check_out_at IS NOT NULL AND {duration} < %s{scope}
                GROUP BY a.session_id HAVING COUNT(*) >= %s
            """, [short, *args, short_min])
        }
        sessions = sorted({s for s, _d in identical_groups} | short_sessions)
        if not sessions:
            return []
        rows: list[tuple[Any, ...]] = []
        for start in range(0, len(sessions), 500):
            chunk = sessions[start:start + 500]
            rows += sql.fetch(f"""
                SELECT a.id, a.session_id, {duration} FROM {att} a
                WHERE a.check_out_at IS NOT NULL AND a.session_id IN ({", ".join(["%s"] * len(chunk))})
            """, chunk)
        records = attendance_records(r[0] for r in rows)
        identical: dict[tuple[int, int], list[dict[str, Any]]] = defaultdict(list)
        short_stays: dict[int, list[dict[str, Any]]] = defaultdict(list)
        for att_id, session_id, dur in rows:
            if (session_id, int(dur)) in identical_groups:
                identical[(session_id, int(dur))].append(records[att_id])
            if session_id in short_sessions and dur < short:
                short_stays[session_id].append(records[att_id])
        classes = class_info({r["class_id"] for r in records.values()})
        hits = []
        for (session_id, dur), recs in identical.items():
            hits.append(self._hit(classes, session_id, f"identical:{session_id}", recs,
                                  {"pattern": "identical", "seconds": dur}))
        for session_id, recs in short_stays.items():
            hits.append(self._hit(classes, session_id, f"short:{session_id}", recs,
                                  {"pattern": "short", "seconds": short}))
        return hits

    def _hit(self, classes: dict[int, dict[str, Any]], session_id: int, key: str, recs: list[dict[str, Any]],
             extra: dict[str, Any]) -> Hit:
        recs.sort(key=lambda r: (r["check_in"], r["id"]))
        klass = classes[recs[0]["class_id"]]
        context = {"date": recs[0]["session_start"][:16].replace("T", " "), "class_code": klass["code"],
                   "n": len(recs), **extra}
        return Hit(
            subject_model="training.TrainingClass", subject_id=klass["id"], subject_label=f"{klass['code']} {klass['name']}",
            key=key, organisation_id=klass["organisation_id"], county_id=klass["county_id"], context=context,
            evidence={"session_id": session_id, "records": recs, "classes": [klass["code"]], **extra},
        )
