"""R05: check-in far from the class site (audit: fabricated attendance — trainees "present" from
home or another city). SQL keeps only check-ins outside a box around the site (a necessary
condition for being farther than the limit); the exact great-circle distance is then computed
for those few."""

from __future__ import annotations

import datetime as dt
import math
from collections import defaultdict
from collections.abc import Mapping
from typing import Any

from django.utils.translation import gettext_lazy as _

from jixing.supervision import sql

from .base import Hit, Param, Rule, register
from .common import attendance_records, class_info, person_labels

EARTH_RADIUS_M = 6_371_008.8  # mean Earth radius (IUGG)
METRES_PER_DEGREE = math.pi * EARTH_RADIUS_M / 180


def haversine_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in metres between two WGS-84 points."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(h)))


def box_half_degrees(limit_m: float) -> float:
    """Any point farther than ``limit_m`` differs by at least this many degrees in latitude or
    in longitude (longitude degrees are never longer than latitude degrees)."""
    return limit_m / math.sqrt(2) / METRES_PER_DEGREE * 0.999


@register
class FarCheckIn(Rule):
    code = "R05"
    kind = "far_check_in"
    title = _("Check-in far from the class site")
    description = _("A trainee's check-in position lies farther from the class site than the limit.")
    severity = "medium"
    layout = "distance"
    params = (
        Param("max_distance_m", _("farthest distance from the site"), 2000, 100, 100000, _("metres")),
        Param("min_check_ins", _("far check-ins of one trainee in the class"), 1, 1, 100),
    )
    template = _(
        "{person} checked in to {class_code} {count} time(s) from up to {max_km} km away from the class site."
    )

    def find(self, params: Mapping[str, Any], since: dt.datetime | None) -> list[Hit]:
        from jixing.training.models import Attendance, TrainingClass

        att, cls_table = sql.table(Attendance), sql.table(TrainingClass)
        limit = float(params["max_distance_m"])
        box = box_half_degrees(limit)
        query = f"""
            SELECT a.id, a.enrollment_id, a.latitude, a.longitude, c.latitude, c.longitude
            FROM {att} a JOIN {cls_table} c ON c.id = a.training_class_id
            WHERE a.latitude IS NOT NULL AND a.longitude IS NOT NULL
              AND (ABS(a.latitude - c.latitude) >= %s OR ABS(a.longitude - c.longitude) >= %s)
        """
        args: list[Any] = [box, box]
        if since is not None:
            query += f" AND a.enrollment_id IN (SELECT enrollment_id FROM {att} WHERE recorded_at >= %s)"
            args.append(sql.ts(since))
        far: dict[int, list[tuple[int, float]]] = defaultdict(list)
        for att_id, enrollment_id, lat, lon, site_lat, site_lon in sql.fetch(query, args):
            distance = haversine_m(float(lat), float(lon), float(site_lat), float(site_lon))
            if distance > limit:
                far[enrollment_id].append((att_id, distance))
        far = {k: v for k, v in far.items() if len(v) >= int(params["min_check_ins"])}
        if not far:
            return []
        records = attendance_records(a for v in far.values() for a, _d in v)
        classes = class_info({r["class_id"] for r in records.values()})
        labels = person_labels({r["person_id"] for r in records.values()})
        hits = []
        for enrollment_id, items in far.items():
            recs = []
            for att_id, distance in sorted(items, key=lambda x: records[x[0]]["check_in"]):
                recs.append({**records[att_id], "distance_m": round(distance)})
            klass = classes[recs[0]["class_id"]]
            person_id = recs[0]["person_id"]
            context = {"person": labels[person_id], "class_code": klass["code"], "count": len(recs),
                       "max_km": f"{max(r['distance_m'] for r in recs) / 1000:.1f}"}
            hits.append(Hit(
                subject_model="registry.Person", subject_id=person_id, subject_label=labels[person_id],
                key=f"enrollment:{enrollment_id}", organisation_id=klass["organisation_id"],
                county_id=klass["county_id"], context=context,
                evidence={"site": {"latitude": klass["latitude"], "longitude": klass["longitude"],
                                   "address": klass["site_address"]},
                          "limit_m": round(limit), "records": recs, "classes": [klass["code"]]},
            ))
        return hits
