"""R09: claim lines without the basis the money needs (DESIGN.md: attendance gates money) —
the trainee's attendance rate is below the project's required rate, or the project needs a
passed evaluation and the line has no valid certificate (audit: fabricated records, ~47 million
yuan; improper certificates). Claims being drafted are left alone: the claim's own checks run
then; supervision looks at claims submitted, approved or paid."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Mapping
from typing import Any

from django.utils.translation import gettext_lazy as _

from jixing.supervision import sql

from .base import Hit, Rule, register

LIVE_CLAIM_STATUSES = ("submitted", "county_reviewed", "city_approved", "public_notice", "payable", "paying", "paid")
TRAINING_ITEMS = ("vocational_training", "apprenticeship", "entrepreneurship", "living_allowance")


@register
class ClaimWithoutBasis(Rule):
    code = "R09"
    kind = "claim_without_basis"
    title = _("Claim lines without attendance or certificate")
    description = _(
        "Lines of a submitted or paid claim for trainees whose attendance is below the project's required rate, "
        "or without the valid certificate the project requires."
    )
    severity = "high"
    layout = "claim"
    templates = {
        "attendance": _("Claim {claim}: {n} line(s) for trainees below the required attendance rate of {required} "
                        "({amount} yuan)."),
        "certificate": _("Claim {claim}: {n} line(s) without the valid certificate the project requires ({amount} yuan)."),
    }
    template = templates["attendance"]

    @classmethod
    def explain(cls, context: Mapping[str, Any]) -> str:
        template = str(cls.templates.get(context.get("variant", ""), cls.template))
        return template.format_map(defaultdict(str, context))

    def find(self, params: Mapping[str, Any], since: dt.datetime | None) -> list[Hit]:
        from jixing.evaluation.models import Certificate
        from jixing.funds.models import Claim, ClaimLine
        from jixing.training.models import Enrollment, TrainingClass, TrainingProject

        line, claim, enr, cls_t, prj, cert = (
            sql.table(m) for m in (ClaimLine, Claim, Enrollment, TrainingClass, TrainingProject, Certificate))
        statuses = ", ".join(f"'{s}'" for s in LIVE_CLAIM_STATUSES)
        items = ", ".join(f"'{s}'" for s in TRAINING_ITEMS)
        scope, args = "", []
        if since is not None:
            scope = " AND (cl.updated_at >= %s OR l.updated_at >= %s OR e.updated_at >= %s)"
            args = [sql.ts(since)] * 3
        base = f"""
            FROM {line} l
            JOIN {claim} cl ON cl.id = l.claim_id
            JOIN {enr} e ON e.id = l.enrollment_id
            JOIN {cls_t} c ON c.id = e.training_class_id
            JOIN {prj} pr ON pr.id = c.project_id
            WHERE l.status = 'live' AND cl.status IN ({statuses}) AND l.subsidy_item IN ({items}){scope}
        """
        rows = sql.fetch(f"""
            SELECT l.claim_id, l.id, 'attendance', pr.required_attendance_rate {base}
              AND e.attendance_rate < pr.required_attendance_rate
            UNION ALL
            SELECT l.claim_id, l.id, 'certificate', pr.required_attendance_rate {base}
              AND pr.requires_certificate = %s
              AND NOT EXISTS (SELECT 1 FROM {cert} ct WHERE ct.id = l.certificate_id AND ct.status = 'valid')
        """, [*args, *args, True])
        if not rows:
            return []
        groups: dict[tuple[int, str], list[int]] = defaultdict(list)
        required: dict[int, Any] = {}
        for claim_id, line_id, variant, rate in rows:
            groups[(claim_id, variant)].append(line_id)
            required[claim_id] = rate
        lines = {
            r["id"]: r for r in ClaimLine.objects.filter(pk__in={i for ids in groups.values() for i in ids}).values(
                "id", "person_id", "person__name", "amount", "enrollment_id", "enrollment__attendance_rate",
                "training_class__code", "certificate__number", "certificate__status")
        }
        claims = {c.pk: c for c in Claim.objects.filter(pk__in={k[0] for k in groups}).select_related("organisation")}
        hits = []
        for (claim_id, variant), ids in groups.items():
            c = claims[claim_id]
            amount = sum((lines[i]["amount"] for i in ids), start=0)
            context = {"variant": variant, "claim": c.number, "n": len(ids), "amount": f"{amount:.2f}",
                       "required": f"{float(required[claim_id]):.0%}"}
            hits.append(Hit(
                subject_model="funds.Claim", subject_id=claim_id, subject_label=str(c), key=variant,
                organisation_id=c.organisation_id, county_id=c.county_id, context=context,
                evidence={"variant": variant, "claim_status": c.status, "amount": f"{amount:.2f}", "lines": [
                    {"id": i, "person_id": lines[i]["person_id"], "person": lines[i]["person__name"],
                     "amount": f"{lines[i]['amount']:.2f}", "class_code": lines[i]["training_class__code"],
                     "attendance_rate": f"{float(lines[i]['enrollment__attendance_rate']):.3f}",
                     "certificate": lines[i]["certificate__number"], "certificate_status": lines[i]["certificate__status"]}
                    for i in sorted(ids)]},
            ))
        return hits
