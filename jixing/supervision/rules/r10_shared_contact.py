"""R10: one mobile number (or payee bank account) shared by many trainees (audit: fake trainees
enrolled with an agent's phone, subsidies paid into a few accounts).

Compared through the keyed hashes (Person.phone_hash), never the numbers themselves.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Mapping
from typing import Any

from django.utils.translation import gettext_lazy as _

from jixing.supervision import sql

from .base import Hit, Param, Rule, register


@register
class SharedContact(Rule):
    code = "R10"
    kind = "shared_contact"
    title = _("One phone number or bank account shared by many trainees")
    description = _("The same mobile number, or the same payee bank account, is registered for many different trainees.")
    severity = "medium"
    layout = "persons"
    params = (Param("min_trainees", _("trainees sharing one number"), 5, 2, 1000),)
    template = _(
        "{total} trainees share one mobile number ({phone}); {here} of them trained with {organisation}."
    )
    account_template = _(
        "{total} trainees are paid into one bank account ({account}); {here} of them trained with {organisation}."
    )

    @classmethod
    def explain(cls, context: Mapping[str, Any]) -> str:
        template = cls.account_template if context.get("variant") == "account" else cls.template
        return str(template).format_map(defaultdict(str, context))

    def find(self, params: Mapping[str, Any], since: dt.datetime | None) -> list[Hit]:
        return self._phones(params, since) + self._accounts(params, since)

    def _phones(self, params: Mapping[str, Any], since: dt.datetime | None) -> list[Hit]:
        from jixing.registry.models import Organisation, Person
        from jixing.training.models import Enrollment, TrainingClass, TrainingProject

        enr, cls_t, prj, per = (sql.table(m) for m in (Enrollment, TrainingClass, TrainingProject, Person))
        scope, args = "", []
        if since is not None:
            scope = f""" AND p.phone_hash IN (
                SELECT p2.phone_hash FROM {per} p2 WHERE p2.updated_at >= %s
                UNION SELECT p3.phone_hash FROM {enr} e3 JOIN {per} p3 ON p3.id = e3.person_id
                WHERE e3.created_at >= %s)"""
            args = [sql.ts(since), sql.ts(since)]
        query = f"""
            WITH trainees AS (
                SELECT DISTINCT e.person_id, pr.organiser_id, p.phone_hash
                FROM {enr} e
                JOIN {cls_t} c ON c.id = e.training_class_id
                JOIN {prj} pr ON pr.id = c.project_id
                JOIN {per} p ON p.id = e.person_id
                WHERE p.phone_hash <> '' AND e.status <> 'withdrawn'{scope}
            ), shared AS (
                SELECT phone_hash, COUNT(DISTINCT person_id) AS n FROM trainees
                GROUP BY phone_hash HAVING COUNT(DISTINCT person_id) >= %s
            )
            SELECT t.phone_hash, t.organiser_id, t.person_id, s.n
            FROM trainees t JOIN shared s ON s.phone_hash = t.phone_hash
        """
        rows = sql.fetch(query, [*args, int(params["min_trainees"])])
        if not rows:
            return []
        by_org: dict[tuple[str, int], set[int]] = defaultdict(set)
        totals: dict[str, int] = {}
        for phone_hash, org_id, person_id, n in rows:
            by_org[(phone_hash, org_id)].add(person_id)
            totals[phone_hash] = int(n)
        persons = {p.pk: p for p in Person.objects.filter(pk__in={r[2] for r in rows})}
        orgs = {o.pk: o for o in Organisation.objects.filter(pk__in={k[1] for k in by_org})}
        hits = []
        for (phone_hash, org_id), person_ids in by_org.items():
            org = orgs[org_id]
            members = sorted(person_ids)
            phone = persons[members[0]].masked_phone
            context = {"variant": "phone", "total": totals[phone_hash], "phone": phone, "here": len(members),
                       "organisation": org.name}
            hits.append(Hit(
                subject_model="registry.Organisation", subject_id=org_id, subject_label=org.name,
                key=f"phone:{phone_hash[:24]}", organisation_id=org_id, county_id=org.county_id, context=context,
                evidence={"variant": "phone", "phone": phone, "total_trainees": totals[phone_hash],
                          "persons": [{"id": pid, "label": str(persons[pid])} for pid in members]},
            ))
        return hits

    def _accounts(self, params: Mapping[str, Any], since: dt.datetime | None) -> list[Hit]:
        from jixing.funds.models import PayeeAccount
        from jixing.registry.models import Organisation, Person
        from jixing.training.models import Enrollment, TrainingClass, TrainingProject

        acc, enr, cls_t, prj = (sql.table(m) for m in (PayeeAccount, Enrollment, TrainingClass, TrainingProject))
        scope, args = "", []
        if since is not None:
            scope = f" AND a.account_hash IN (SELECT account_hash FROM {acc} WHERE updated_at >= %s)"
            args = [sql.ts(since)]
        query = f"""
            WITH holders AS (
                SELECT DISTINCT a.account_hash, a.person_id FROM {acc} a
                WHERE a.person_id IS NOT NULL AND a.archived_at IS NULL{scope}
            ), shared AS (
                SELECT account_hash, COUNT(*) AS n FROM holders GROUP BY account_hash HAVING COUNT(*) >= %s
            )
            SELECT DISTINCT h.account_hash, pr.organiser_id, h.person_id, s.n
            FROM holders h JOIN shared s ON s.account_hash = h.account_hash
            JOIN {enr} e ON e.person_id = h.person_id AND e.status <> 'withdrawn'
            JOIN {cls_t} c ON c.id = e.training_class_id
            JOIN {prj} pr ON pr.id = c.project_id
        """
        rows = sql.fetch(query, [*args, int(params["min_trainees"])])
        if not rows:
            return []
        by_org: dict[tuple[str, int], set[int]] = defaultdict(set)
        totals: dict[str, int] = {}
        for account_hash, org_id, person_id, n in rows:
            by_org[(account_hash, org_id)].add(person_id)
            totals[account_hash] = int(n)
        masked = {
            a.account_hash: a.masked_number
            for a in PayeeAccount.objects.filter(account_hash__in=totals, person__isnull=False)
        }
        persons = {p.pk: p for p in Person.objects.filter(pk__in={r[2] for r in rows})}
        orgs = {o.pk: o for o in Organisation.objects.filter(pk__in={k[1] for k in by_org})}
        hits = []
        for (account_hash, org_id), person_ids in by_org.items():
            org = orgs[org_id]
            members = sorted(person_ids)
            context = {"variant": "account", "total": totals[account_hash], "account": masked.get(account_hash, "****"),
                       "here": len(members), "organisation": org.name}
            hits.append(Hit(
                subject_model="registry.Organisation", subject_id=org_id, subject_label=org.name,
                key=f"account:{account_hash[:24]}", organisation_id=org_id, county_id=org.county_id, context=context,
                evidence={"variant": "account", "account": context["account"], "total_trainees": totals[account_hash],
                          "persons": [{"id": pid, "label": str(persons[pid])} for pid in members]},
            ))
        return hits
