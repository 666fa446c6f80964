"""R06: a subsidised trainee outside working age at the start of the class, or holding a status
that excludes subsidised training then (pensioner, full-time student: TargetGroup.excludes_subsidy).

Audit 2022: "fake trainees" — retirees and full-time students listed to claim ~52 million yuan.
The retirement date is training's (``training.rules.statutory_retirement_date``: the 2024
decision on gradually raising the statutory retirement age), so supervision and enrollment
eligibility agree. SQL keeps the candidates past the *original* retirement age (the reform
only raises it), the exact date is then checked for those few.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from django.utils.translation import gettext_lazy as _

from jixing.supervision import sql
from jixing.training.rules import MEN, WOMEN_CADRES, WOMEN_WORKERS, RetirementPolicy, age_on, statutory_retirement_date

from .base import Hit, Param, Rule, register
from .common import class_info, person_labels


def age_problem(birth: dt.date, sex: str, start: dt.date, *, min_age: int, female_base: int) -> str | None:
    """'too_young', 'too_old' or None for a trainee born ``birth`` in a class starting ``start``."""
    if age_on(birth, start) < min_age:
        return "too_young"
    if start >= statutory_retirement_date(birth, sex, RetirementPolicy(female_base=female_base)):
        return "too_old"
    return None


@register
class IneligibleTrainee(Rule):
    code = "R06"
    kind = "ineligible_trainee"
    title = _("Trainee out of working age or excluded")
    description = _(
        "A subsidised trainee was younger than the minimum or older than the retirement age when the class "
        "started, or was a pensioner or full-time student at the time of training."
    )
    severity = "high"
    layout = "person"
    params = (
        Param("min_age", _("minimum age"), 16, 16, 18, _("years")),
        Param("female_retirement_base", _("original retirement age of women (50 workers, 55 cadres)"), 55, 50, 55,
              _("years")),
    )
    template = _("{person} ({age} years old on {start}) in {class_code}: {reasons}.")

    @classmethod
    def explain(cls, context: Mapping[str, Any]) -> str:
        labels = {"too_young": _("below the minimum working age"), "too_old": _("past the statutory retirement age")}
        reasons = [str(labels[r]) for r in context.get("age_problems", []) if r in labels]
        reasons += [str(_("member of “%(group)s”")) % {"group": g} for g in context.get("groups", [])]
        return str(cls.template).format(
            person=context.get("person", ""), age=context.get("age", ""), start=context.get("start", ""),
            class_code=context.get("class_code", ""), reasons="; ".join(reasons),
        )

    def find(self, params: Mapping[str, Any], since: dt.datetime | None) -> list[Hit]:
        from jixing.registry.models import Person, PersonGroup, TargetGroup
        from jixing.training.models import Enrollment, TrainingClass, TrainingProject

        enr, cls_t, prj, per = (sql.table(m) for m in (Enrollment, TrainingClass, TrainingProject, Person))
        pg, tg = sql.table(PersonGroup), sql.table(TargetGroup)
        min_age, female_base = int(params["min_age"]), int(params["female_retirement_base"])
        women = WOMEN_WORKERS if female_base == 50 else WOMEN_CADRES
        young = f"p.birth_date > {sql.minus_years('c.start_date', min_age)}"
        old = (f"((p.sex = 'F' AND p.birth_date <= {sql.minus_years('c.start_date', women.base_years)}) OR "
               f"(p.sex <> 'F' AND p.birth_date <= {sql.minus_years('c.start_date', MEN.base_years)}))")
        excluded = f"""EXISTS (SELECT 1 FROM {pg} g JOIN {tg} t ON t.id = g.group_id
                   WHERE g.person_id = e.person_id AND t.excludes_subsidy = %s AND g.archived_at IS NULL
                     AND g.valid_from <= c.end_date AND (g.valid_to IS NULL OR g.valid_to >= c.start_date))"""
        query = f"""
            SELECT e.id, e.person_id, e.training_class_id, p.birth_date, p.sex, c.start_date
            FROM {enr} e
            JOIN {cls_t} c ON c.id = e.training_class_id
            JOIN {prj} pr ON pr.id = c.project_id
            JOIN {per} p ON p.id = e.person_id
            WHERE pr.is_subsidised = %s AND e.status <> 'withdrawn'
              AND ({young} OR {old} OR {excluded})
        """
        args: list[Any] = [True, True]
        if since is not None:
            query += f""" AND (e.updated_at >= %s OR e.person_id IN (
                SELECT person_id FROM {pg} WHERE updated_at >= %s))"""
            args += [sql.ts(since), sql.ts(since)]
        rows = sql.fetch(query, args)
        if not rows:
            return []
        groups: dict[int, list[Mapping[str, Any]]] = {}
        memberships = (
            PersonGroup.objects.filter(person_id__in={r[1] for r in rows}, group__excludes_subsidy=True,
                                       archived_at__isnull=True)
            .values("person_id", "group__name", "valid_from", "valid_to", "evidence")
        )
        for m in memberships:
            groups.setdefault(m["person_id"], []).append(m)
        classes = class_info({r[2] for r in rows})
        labels = person_labels({r[1] for r in rows})
        hits = []
        for enrollment_id, person_id, class_id, birth, sex, start in rows:
            birth, start = _as_date(birth), _as_date(start)
            klass = classes[class_id]
            end = dt.date.fromisoformat(klass["end_date"])
            problem = age_problem(birth, sex, start, min_age=min_age, female_base=female_base)
            held = [m for m in groups.get(person_id, [])
                    if m["valid_from"] <= end and (m["valid_to"] is None or m["valid_to"] >= start)]
            if problem is None and not held:
                continue
            context = {
                "person": labels[person_id], "age": age_on(birth, start), "start": start.isoformat(),
                "class_code": klass["code"], "age_problems": [problem] if problem else [],
                "groups": [m["group__name"] for m in held],
            }
            hits.append(Hit(
                subject_model="registry.Person", subject_id=person_id, subject_label=labels[person_id],
                key=f"enrollment:{enrollment_id}", organisation_id=klass["organisation_id"],
                county_id=klass["county_id"], context=context,
                evidence={
                    "enrollment_id": enrollment_id, "classes": [klass["code"]], "class": klass,
                    "age_on_start": age_on(birth, start), "sex": sex,
                    "memberships": [{"group": m["group__name"], "valid_from": m["valid_from"].isoformat(),
                                     "valid_to": m["valid_to"].isoformat() if m["valid_to"] else None,
                                     "evidence": m["evidence"]} for m in held],
                },
            ))
        return hits


def _as_date(value: Any) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value)[:10])
