"""R07: per-person subsidy caps broken across institutions or fund sources (DESIGN.md key rules;
audit: the same trainee claimed repeatedly under several projects and fund sources).

SQL finds the persons over a cap set-wise (more subsidised trainings in a calendar year than
allowed; the same occupation and level subsidised twice; a level below a certificate already
held); training's own rules (``training.rules.check_*``) then word the decision for each, so a
finding says exactly what enrollment eligibility would have said.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Mapping
from typing import Any

from django.utils.translation import gettext_lazy as _

from jixing.supervision import sql
from jixing.training import rules as training_rules

from .base import Hit, Param, Rule, register
from .common import person_labels

COUNTING = ("enrolled", "completed")


@register
class SubsidyCaps(Rule):
    code = "R07"
    kind = "subsidy_caps"
    title = _("Per-person subsidy cap exceeded")
    description = _(
        "A person received more subsidised trainings in a year than allowed, the same occupation and level "
        "twice, or a level below a certificate already held — across institutions and fund sources."
    )
    severity = "high"
    layout = "enrollments"
    params = (Param("yearly_cap", _("subsidised trainings per person per year"), 3, 1, 10),)
    template = _("{person}: {reasons}")

    @classmethod
    def explain(cls, context: Mapping[str, Any]) -> str:
        return str(cls.template).format(person=context.get("person", ""), reasons=" ".join(context.get("reasons", [])))

    def find(self, params: Mapping[str, Any], since: dt.datetime | None) -> list[Hit]:
        from jixing.registry.models import Person
        from jixing.training.models import Enrollment, TrainingClass, TrainingProject

        enr, cls_t, prj = (sql.table(m) for m in (Enrollment, TrainingClass, TrainingProject))
        cap = int(params["yearly_cap"])
        year = "SUBSTR(CAST(c.start_date AS VARCHAR(10)), 1, 4)"
        scope, args = "", []
        if since is not None:
            scope = f" AND e.person_id IN (SELECT person_id FROM {enr} WHERE updated_at >= %s)"
            args = [sql.ts(since)]
        base = f"""
            SELECT e.id, e.person_id, {year} AS yr, pr.occupation_id, pr.level_id
            FROM {enr} e JOIN {cls_t} c ON c.id = e.training_class_id JOIN {prj} pr ON pr.id = c.project_id
            WHERE e.subsidised = %s AND e.status IN ('enrolled', 'completed'){scope}
        """
        flagged: dict[int, set[str]] = defaultdict(set)  # person → kinds
        rows = sql.fetch(f"""
            WITH s AS ({base})
            SELECT person_id, yr FROM s GROUP BY person_id, yr HAVING COUNT(*) > %s
        """, [True, *args, cap])
        for person_id, yr in rows:
            flagged[person_id].add(f"cap:{yr}")
        rows = sql.fetch(f"""
            WITH s AS ({base})
            SELECT person_id, occupation_id, level_id FROM s WHERE occupation_id IS NOT NULL AND level_id IS NOT NULL
            GROUP BY person_id, occupation_id, level_id HAVING COUNT(*) > 1
        """, [True, *args])
        for person_id, occupation_id, level_id in rows:
            flagged[person_id].add(f"same:{occupation_id}:{level_id}")
        certificates = self._certificate_table()
        if certificates:
            rows = sql.fetch(f"""
                WITH s AS ({base.replace("AS yr,", "AS yr, c.start_date,")})
                SELECT DISTINCT s.id, s.person_id FROM s JOIN {certificates} ct
                  ON ct.person_id = s.person_id AND ct.occupation_id = s.occupation_id
                 AND ct.level_id > s.level_id AND ct.status = 'valid' AND ct.issued_on < s.start_date
            """, [True, *args])
            for enrollment_id, person_id in rows:
                flagged[person_id].add(f"lower:{enrollment_id}")
        if not flagged:
            return []
        return self._hits(flagged, cap, Person)

    @staticmethod
    def _certificate_table() -> str | None:
        from jixing.evaluation.models import Certificate

        return sql.table(Certificate)

    def _hits(self, flagged: dict[int, set[str]], cap: int, person_model: Any) -> list[Hit]:
        from jixing.training.models import Enrollment

        enrollments: dict[int, list[dict[str, Any]]] = defaultdict(list)
        for e in (Enrollment.objects.filter(person_id__in=flagged, subsidised=True, status__in=COUNTING)
                  .order_by("training_class__start_date", "id")
                  .values("id", "person_id", "training_class__code", "training_class__start_date",
                          "training_class__county_id", "training_class__project__organiser_id",
                          "training_class__project__organiser__name", "training_class__project__fund_source__name",
                          "training_class__project__occupation_id", "training_class__project__occupation__name",
                          "training_class__project__level_id", "training_class__project__level__name")):
            enrollments[e["person_id"]].append(e)
        held = self._certificates(flagged)
        persons = {p["id"]: p for p in person_model.objects.filter(pk__in=flagged).values("id", "birth_date", "sex")}
        labels = person_labels(flagged)
        policy = training_rules.EligibilityPolicy(yearly_cap=cap)
        hits = []
        for person_id, kinds in flagged.items():
            rows = enrollments.get(person_id, [])
            for kind in sorted(kinds):
                involved, check = self._involved(kind, rows)
                if len(involved) == 0:
                    continue
                offer_row = involved[-1]  # the enrollment that broke the cap
                prior = tuple(
                    training_rules.PriorTraining(
                        class_code=r["training_class__code"], year=r["training_class__start_date"].year, subsidised=True,
                        occupation_id=r["training_class__project__occupation_id"],
                        level_order=r["training_class__project__level_id"],
                    ) for r in rows if r["id"] != offer_row["id"]
                )
                candidate = training_rules.Candidate(
                    birth_date=persons[person_id]["birth_date"], sex=persons[person_id]["sex"], prior=prior,
                    certificates=tuple(
                        (occ, lvl) for occ, lvl, issued in held.get(person_id, [])
                        if issued < offer_row["training_class__start_date"]),
                )
                offer = training_rules.Offer(
                    class_code=offer_row["training_class__code"], start_date=offer_row["training_class__start_date"],
                    occupation_id=offer_row["training_class__project__occupation_id"],
                    occupation_name=offer_row["training_class__project__occupation__name"] or "",
                    level_order=offer_row["training_class__project__level_id"],
                    level_name=offer_row["training_class__project__level__name"] or "",
                )
                result = check(candidate, offer, policy)
                if result.ok:
                    continue
                context = {"person": labels[person_id], "reasons": [result.message], "kind": kind.split(":")[0]}
                hits.append(Hit(
                    subject_model="registry.Person", subject_id=person_id, subject_label=labels[person_id],
                    key=kind, organisation_id=offer_row["training_class__project__organiser_id"],
                    county_id=offer_row["training_class__county_id"], context=context,
                    evidence={"rule": result.code, "enrollments": [_show(r) for r in involved],
                              "classes": [r["training_class__code"] for r in involved]},
                ))
        return hits

    @staticmethod
    def _involved(kind: str, rows: list[dict[str, Any]]) -> tuple[list[dict[str, Any]], Any]:
        parts = kind.split(":")
        if parts[0] == "cap":
            year = int(parts[1])
            return [r for r in rows if r["training_class__start_date"].year == year], training_rules.check_yearly_cap
        if parts[0] == "same":
            occ, lvl = int(parts[1]), int(parts[2])
            return ([r for r in rows if r["training_class__project__occupation_id"] == occ
                     and r["training_class__project__level_id"] == lvl], training_rules.check_same_occupation_level)
        enrollment_id = int(parts[1])
        return [r for r in rows if r["id"] == enrollment_id], training_rules.check_certificate_level

    @staticmethod
    def _certificates(person_ids: Any) -> dict[int, list[tuple[int, int, dt.date]]]:
        from jixing.evaluation.models import Certificate

        out: dict[int, list[tuple[int, int, dt.date]]] = defaultdict(list)
        for person_id, occ, lvl, issued in Certificate.objects.filter(person_id__in=person_ids, status="valid").values_list(
                "person_id", "occupation_id", "level_id", "issued_on"):
            out[person_id].append((occ, lvl, issued))
        return out


def _show(r: dict[str, Any]) -> dict[str, Any]:
    return {
        "enrollment_id": r["id"], "class_code": r["training_class__code"],
        "start_date": r["training_class__start_date"].isoformat(),
        "organisation": r["training_class__project__organiser__name"],
        "fund_source": r["training_class__project__fund_source__name"],
        "occupation": r["training_class__project__occupation__name"],
        "level": r["training_class__project__level__name"],
    }
