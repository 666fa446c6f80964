"""R11: an institution enrolling beyond its capacity, or running more classes at once than it
has teachers (audit: fake projects and classes that exist only on paper)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from django.utils.translation import gettext_lazy as _

from jixing.supervision import sql

from .base import Hit, Param, Rule, register
from .common import class_info


@register
class Capacity(Rule):
    code = "R11"
    kind = "capacity"
    title = _("Enrolment beyond capacity or classes beyond teachers")
    description = _(
        "A class enrolled more trainees than its capacity, or an institution had more trainees at once than "
        "its declared capacity, or ran more classes at once than it has teachers."
    )
    severity = "medium"
    layout = "capacity"
    params = (Param("tolerance_percent", _("tolerance above capacity"), 0, 0, 100, "%"),)
    templates = {
        "class": _("Class {class_code} enrolled {enrolled} trainees for a capacity of {capacity}."),
        "capacity": _("{organisation} had {trainees} trainees in {running} classes at once on {day}, "
                      "above its declared capacity of {capacity}."),
        "teachers": _("{organisation} ran {running} classes at once on {day} with only {teachers} teacher(s)."),
    }
    template = templates["class"]

    @classmethod
    def explain(cls, context: Mapping[str, Any]) -> str:
        template = str(cls.templates.get(context.get("variant", "class"), cls.template))
        return template.format_map({k: context.get(k, "") for k in (
            "class_code", "enrolled", "capacity", "organisation", "trainees", "running", "day", "teachers")})

    def find(self, params: Mapping[str, Any], since: dt.datetime | None) -> list[Hit]:
        factor = 1 + float(params["tolerance_percent"]) / 100
        return self._classes(factor, since) + self._institutions(factor, since)

    def _changed_orgs(self, since: dt.datetime | None, alias: str) -> tuple[str, list[Any]]:
        from jixing.training.models import Enrollment, TrainingClass, TrainingProject

        if since is None:
            return "", []
        enr, cls_t, prj = (sql.table(m) for m in (Enrollment, TrainingClass, TrainingProject))
        return (f""" AND {alias} IN (
            SELECT p9.organiser_id FROM {cls_t} c9 JOIN {prj} p9 ON p9.id = c9.project_id WHERE c9.updated_at >= %s
            UNION SELECT p8.organiser_id FROM {enr} e8 JOIN {cls_t} c8 ON c8.id = e8.training_class_id
                JOIN {prj} p8 ON p8.id = c8.project_id WHERE e8.updated_at >= %s)""", [sql.ts(since), sql.ts(since)])

    def _classes(self, factor: float, since: dt.datetime | None) -> list[Hit]:
        from jixing.training.models import Enrollment, TrainingClass, TrainingProject

        enr, cls_t, prj = (sql.table(m) for m in (Enrollment, TrainingClass, TrainingProject))
        scope, args = self._changed_orgs(since, "pr.organiser_id")
        rows = sql.fetch(f"""
            SELECT c.id, c.capacity, COUNT(e.id) FROM {cls_t} c
            JOIN {prj} pr ON pr.id = c.project_id
            JOIN {enr} e ON e.training_class_id = c.id AND e.status <> 'withdrawn'
            WHERE 1 = 1{scope}
            GROUP BY c.id, c.capacity HAVING COUNT(e.id) > c.capacity * %s
        """, [*args, factor])
        classes = class_info(r[0] for r in rows)
        hits = []
        for class_id, capacity, enrolled in rows:
            klass = classes[class_id]
            context = {"variant": "class", "class_code": klass["code"], "enrolled": enrolled, "capacity": capacity}
            hits.append(Hit(
                subject_model="training.TrainingClass", subject_id=class_id, subject_label=f"{klass['code']} {klass['name']}",
                key="class-capacity", organisation_id=klass["organisation_id"], county_id=klass["county_id"],
                context=context, evidence={"variant": "class", "class": klass, "enrolled": enrolled, "capacity": capacity},
            ))
        return hits

    def _institutions(self, factor: float, since: dt.datetime | None) -> list[Hit]:
        from jixing.registry.models import Organisation
        from jixing.training.models import Enrollment, Teacher, TrainingClass, TrainingProject

        enr, cls_t, prj, org, tea = (
            sql.table(m) for m in (Enrollment, TrainingClass, TrainingProject, Organisation, Teacher))
        scope, args = self._changed_orgs(since, "pr.organiser_id")
        # Each class start is a moment when the number of classes running can rise; the peak
        # over those moments is the institution's peak.
        rows = sql.fetch(f"""
            WITH ce AS (
                SELECT c.id, c.code, pr.organiser_id AS org, c.start_date, c.end_date,
                       (SELECT COUNT(*) FROM {enr} e WHERE e.training_class_id = c.id AND e.status <> 'withdrawn') AS enrolled
                FROM {cls_t} c JOIN {prj} pr ON pr.id = c.project_id WHERE 1 = 1{scope}
            ), peaks AS (
                SELECT c1.org, c1.start_date AS day, COUNT(*) AS running, SUM(c2.enrolled) AS trainees
                FROM ce c1 JOIN ce c2 ON c2.org = c1.org AND c2.start_date <= c1.start_date AND c2.end_date >= c1.start_date
                GROUP BY c1.org, c1.id, c1.start_date
            ), limits AS (
                SELECT o.id, o.capacity, o.teacher_count,
                       (SELECT COUNT(*) FROM {tea} t WHERE t.organisation_id = o.id) AS registered
                FROM {org} o
            )
            SELECT p.org, p.day, p.running, p.trainees, l.capacity, l.teacher_count, l.registered
            FROM peaks p JOIN limits l ON l.id = p.org
            WHERE (l.capacity > 0 AND p.trainees > l.capacity * %s)
               OR (p.running > l.teacher_count AND p.running > l.registered)
        """, [*args, factor])
        worst: dict[tuple[str, int, str], tuple[Any, ...]] = {}
        for org_id, day, running, trainees, capacity, declared, registered in rows:
            day, running, trainees = str(day)[:10], int(running), int(trainees or 0)
            teachers = max(int(declared), int(registered))
            if capacity > 0 and trainees > capacity * factor:
                key = ("capacity", org_id, day[:7])
                if key not in worst or trainees > worst[key][3]:
                    worst[key] = (org_id, day, running, trainees, capacity, teachers)
            if running > teachers:
                key = ("teachers", org_id, day[:7])
                if key not in worst or running > worst[key][2]:
                    worst[key] = (org_id, day, running, trainees, capacity, teachers)
        orgs = {o.pk: o for o in Organisation.objects.filter(pk__in={k[1] for k in worst})}
        hits = []
        for (variant, org_id, month), (_o, day, running, trainees, capacity, teachers) in worst.items():
            o = orgs[org_id]
            context = {"variant": variant, "organisation": o.name, "day": day, "running": running,
                       "trainees": trainees, "capacity": capacity, "teachers": teachers}
            running_classes = list(
                TrainingClass.objects.filter(project__organiser_id=org_id, start_date__lte=day, end_date__gte=day)
                .values_list("code", flat=True)[:200]
            )
            hits.append(Hit(
                subject_model="registry.Organisation", subject_id=org_id, subject_label=o.name,
                key=f"{variant}:{month}", organisation_id=org_id, county_id=o.county_id, context=context,
                evidence={"variant": variant, "day": day, "running": running, "trainees": trainees,
                          "capacity": capacity, "teachers": teachers, "classes": running_classes},
            ))
        return hits
