"""R03: proxy sign-in (代签到): many different trainees checked in from one device, or from
one spot (rounded coordinates), within a few minutes (audit: fabricated attendance records).

Set-based: a window function ``LEAD(check_in_at, n-1)`` over each device's (or spot's)
check-ins finds every run of n check-ins inside the window in one sorted pass; only those
runs' rows are read back.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Mapping
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from jixing.supervision import sql

from .base import Hit, Param, Rule, register
from .common import attendance_records, class_info


@register
class ProxySignIn(Rule):
    code = "R03"
    kind = "proxy_sign_in"
    title = _("Proxy sign-in from one device or spot")
    description = _(
        "Many different trainees checked in from the same device, or from exactly the same spot, "
        "within a few minutes."
    )
    severity = "high"
    layout = "timeline"
    params = (
        Param("min_trainees", _("trainees on one device or spot"), 10, 3, 500),
        Param("window_minutes", _("within"), 3, 1, 60, _("minutes")),
        Param("spot_decimals", _("decimals of the rounded coordinates"), 5, 3, 6),
    )
    template = _(
        "{persons} different trainees checked in from device {where} within {window} minutes on {date} "
        "({first} – {last})."
    )
    spot_template = _(
        "{persons} different trainees checked in from exactly the same spot {where} within {window} minutes "
        "on {date} ({first} – {last})."
    )

    @classmethod
    def explain(cls, context: Mapping[str, Any]) -> str:
        template = cls.spot_template if context.get("variant") == "spot" else cls.template
        names = ("persons", "where", "window", "date", "first", "last")
        return str(template).format(**{k: context.get(k, "") for k in names})

    def find(self, params: Mapping[str, Any], since: dt.datetime | None) -> list[Hit]:
        n = int(params["min_trainees"])
        window = int(params["window_minutes"]) * 60
        decimals = int(params["spot_decimals"])
        scale = 10 ** decimals
        # floating point rounding: exact decimal arithmetic on millions of rows costs seconds for nothing
        spot = (f"CAST(ROUND(CAST(a.latitude AS DOUBLE PRECISION) * {scale}) AS BIGINT)",
                f"CAST(ROUND(CAST(a.longitude AS DOUBLE PRECISION) * {scale}) AS BIGINT)")
        hits: list[Hit] = []
        for variant, keys, where in (
            # "|| ''": sort after a sequential scan rather than walk the device index (random reads)
            ("device", (sql.byte_order("a.device_id || ''"),), "a.device_id <> ''"),
            ("spot", spot, "a.latitude IS NOT NULL AND a.longitude IS NOT NULL"),
        ):
            rows = self._runs(variant, keys, where, n, window, since)
            hits.extend(self._hits(variant, rows, n, window // 60, decimals))
        return hits

    def _runs(self, variant: str, keys: tuple[str, ...], where: str, n: int, window: int,
              since: dt.datetime | None) -> list[tuple[Any, ...]]:
        """Attendance ids inside some run of ``n`` check-ins within ``window`` seconds on one key.

        One ordered pass: a row *starts* a run when the check-in n-1 rows later on the same key
        is within the window (LEAD); a row *belongs* to a run when one of the n-1 rows before it,
        or itself, starts one (a running MAX over the same order)."""
        from jixing.training.models import Attendance

        att = sql.table(Attendance)
        args: list[Any] = []
        # Teacher roll-call is entered from the teacher's own device by design.
        where = f"{where} AND a.method <> 'teacher'"
        if since is not None:
            days = self._new_days(since)
            if not days:
                return []
            # a (key, day) group is recomputed whole: every check-in of sessions starting within a day of
            # the days that got new records (sessions are indexed by start), on the keys that got new records
            from jixing.training.models import TrainingSession

            if len(days) > 62:  # a back-filled import: the key restriction alone
                days = []
            ranges = " OR ".join(["(s.starts_at >= %s AND s.starts_at < %s)"] * len(days))
            if days:
                where += f" AND a.session_id IN (SELECT s.id FROM {sql.table(TrainingSession)} s WHERE {ranges})"
            for day in days:
                start = dt.datetime.combine(day, dt.time(), tzinfo=timezone.get_current_timezone())
                args += [sql.ts(start - dt.timedelta(days=1)), sql.ts(start + dt.timedelta(days=2))]
            new_keys = ", ".join(keys)
            where += f" AND ({new_keys}) IN (SELECT {new_keys} FROM {att} a WHERE a.recorded_at >= %s)"
            args.append(sql.ts(since))
        names = ["k1", "k2"][:len(keys)]
        order = f"PARTITION BY {', '.join(names)} ORDER BY check_in_at, id"
        selected = ", ".join(f"{k} AS {name}" for k, name in zip(keys, names, strict=True))
        cols = ", ".join(names)
        # only keys with n check-ins by more than one person can carry a proxy run: a cheap hash aggregate
        # drops every personal phone (and most spots) before the ordered pass
        key_list = ", ".join(keys)
        shared = (f"({key_list}) IN (SELECT {key_list} FROM {att} a WHERE {where} "
                  f"GROUP BY {key_list} HAVING COUNT(*) >= {n} AND MIN(a.person_id) <> MAX(a.person_id))")
        args = args + args
        where = f"{where} AND {shared}"
        query = f"""
            SELECT id, {cols} FROM (
                SELECT id, {cols},
                       MAX(starts_run) OVER ({order} ROWS BETWEEN {n - 1} PRECEDING AND CURRENT ROW) AS covered
                FROM (
                    SELECT id, {cols}, check_in_at,
                           CASE WHEN {sql.seconds_between("check_in_at", f"LEAD(check_in_at, {n - 1}) OVER ({order})")}
                                     <= {window} THEN 1 ELSE 0 END AS starts_run
                    FROM (SELECT a.id, {selected}, a.check_in_at FROM {att} a WHERE {where}) src
                ) f
            ) x WHERE covered = 1
        """
        return [(row[0], ",".join(str(k) for k in row[1:])) for row in sql.fetch(query, args)]

    @staticmethod
    def _new_days(since: dt.datetime) -> list[dt.date]:
        from jixing.training.models import Attendance

        att = sql.table(Attendance)
        rows = sql.fetch(f"SELECT DISTINCT {sql.local_date('check_in_at')} FROM {att} WHERE recorded_at >= %s",
                         [sql.ts(since)])
        return sorted(dt.date.fromisoformat(str(r[0])[:10]) for r in rows)

    def _hits(self, variant: str, rows: list[tuple[Any, ...]], n: int, window_minutes: int,
              decimals: int) -> list[Hit]:
        if not rows:
            return []
        records = attendance_records(r[0] for r in rows)
        groups: dict[tuple[str, str], list[dict[str, Any]]] = defaultdict(list)
        for att_id, key in rows:
            rec = records[att_id]
            groups[(str(key), rec["check_in"][:10])].append(rec)
        classes = class_info({rec["class_id"] for recs in groups.values() for rec in recs})
        hits = []
        for (key, day), recs in groups.items():
            persons = {r["person_id"] for r in recs}
            if len(persons) < n:
                continue
            recs.sort(key=lambda r: (r["check_in"], r["id"]))
            main_class = classes[Counter(r["class_id"] for r in recs).most_common(1)[0][0]]
            if variant == "spot":
                lat, lon = (int(x) / 10 ** decimals for x in key.split(","))
                key = f"{lat:.{decimals}f},{lon:.{decimals}f}"
            context = {
                "variant": variant, "persons": len(persons), "where": key, "window": window_minutes, "date": day,
                "first": recs[0]["check_in"][11:19], "last": recs[-1]["check_in"][11:19],
            }
            hits.append(Hit(
                subject_model="training.TrainingClass", subject_id=main_class["id"],
                subject_label=f"{main_class['code']} {main_class['name']}",
                key=f"{variant}:{key}:{day}", organisation_id=main_class["organisation_id"],
                county_id=main_class["county_id"], context=context,
                evidence={"variant": variant, variant: key, "date": day, "records": recs,
                          "classes": sorted({r["class_code"] for r in recs})},
            ))
        return hits
