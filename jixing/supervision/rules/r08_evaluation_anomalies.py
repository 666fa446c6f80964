"""R08: evaluation anomalies per session or examiner (audit 2022: 334 evaluation bodies issued
~140,000 improper certificates): everyone passing a large session, identical or near-identical
scores, an evaluation dated before the candidate's training ended.

Results counted are the current ones: submitted or locked and not superseded by a locked
correction. Spread is computed as sqrt(avg(x²) − avg(x)²), which both engines can do.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import defaultdict
from collections.abc import Mapping
from typing import Any

from django.utils.translation import gettext_lazy as _

from jixing.supervision import sql

from .base import Hit, Param, Rule, register


@register
class EvaluationAnomalies(Rule):
    code = "R08"
    kind = "evaluation_anomalies"
    title = _("Evaluation anomalies")
    description = _(
        "Everyone passed a large evaluation session, scores are identical or nearly so, or the evaluation "
        "took place before the candidates' training ended."
    )
    severity = "high"
    layout = "evaluation"
    params = (
        Param("all_pass_min_candidates", _("candidates in a session where 100% passing is suspicious"), 30, 5, 1000),
        Param("identical_min_candidates", _("candidates with identical scores"), 5, 3, 500),
        Param("near_identical_max_spread", _("score spread below which a session is near-identical"), 1.5, 0, 20,
              _("points")),
        Param("near_identical_min_candidates", _("candidates for the spread test"), 10, 5, 1000),
    )
    templates = {
        "all_pass": _("All {n} candidates of session {session} passed."),
        "identical": _("{n} candidates of session {session} got exactly {theory} (theory) and {practical} (practical)."),
        "examiner": _("Examiner {examiner} gave exactly {theory} / {practical} to {n} candidates in {sessions} session(s)."),
        "spread": _("Scores of the {n} candidates of session {session} hardly differ (spread {spread} points)."),
        "before_training": _("Session {session} on {date} evaluated {n} candidate(s) whose training ended later."),
    }
    template = templates["all_pass"]

    @classmethod
    def explain(cls, context: Mapping[str, Any]) -> str:
        template = str(cls.templates.get(context.get("variant", ""), cls.template))
        return template.format_map(defaultdict(str, context))

    def find(self, params: Mapping[str, Any], since: dt.datetime | None) -> list[Hit]:
        from jixing.evaluation.models import Candidate, EvaluationResult, EvaluationSession

        res, cand, ses = (sql.table(m) for m in (EvaluationResult, Candidate, EvaluationSession))
        scope, args = "", []
        if since is not None:
            scope = f""" AND c.session_id IN (SELECT c7.session_id FROM {res} r7 JOIN {cand} c7 ON c7.id = r7.candidate_id
                         WHERE r7.updated_at >= %s)"""
            args = [sql.ts(since)]
        current = f"""
            SELECT r.id, r.candidate_id, c.session_id, r.examiner_id, r.theory_score AS t, r.practical_score AS p,
                   r.passed, c.enrollment_id
            FROM {res} r JOIN {cand} c ON c.id = r.candidate_id
            WHERE r.status IN ('submitted', 'locked')
              AND NOT EXISTS (SELECT 1 FROM {res} r2 WHERE r2.supersedes_id = r.id AND r2.status = 'locked'){scope}
        """
        found: list[tuple[str, Any, dict[str, Any], list[int]]] = []  # variant, key, context, result ids
        # all pass on a large session; the spread test
        for session_id, n, passed, t_avg, t_sq, p_avg, p_sq in sql.fetch(f"""
            WITH cur AS ({current})
            SELECT session_id, COUNT(*), SUM(CASE WHEN passed THEN 1 ELSE 0 END),
                   AVG(t), AVG(t * t), AVG(p), AVG(p * p)
            FROM cur GROUP BY session_id HAVING COUNT(*) >= %s
        """, [*args, min(int(params["all_pass_min_candidates"]), int(params["near_identical_min_candidates"]))]):
            n, passed = int(n), int(passed)
            if n >= int(params["all_pass_min_candidates"]) and passed == n:
                found.append(("all_pass", session_id, {"n": n}, []))
            spread = max(_sd(t_avg, t_sq), _sd(p_avg, p_sq))
            if n >= int(params["near_identical_min_candidates"]) and spread < float(params["near_identical_max_spread"]):
                found.append(("spread", session_id, {"n": n, "spread": f"{spread:.2f}"}, []))
        # identical score pairs within a session, and by one examiner across sessions
        n_same = int(params["identical_min_candidates"])
        for session_id, t, p, n in sql.fetch(f"""
            WITH cur AS ({current})
            SELECT session_id, t, p, COUNT(*) FROM cur GROUP BY session_id, t, p HAVING COUNT(*) >= %s
        """, [*args, n_same]):
            found.append(("identical", session_id, {"n": int(n), "theory": _num(t), "practical": _num(p), "t": t, "p": p}, []))
        for examiner_id, t, p, n, sessions in sql.fetch(f"""
            WITH cur AS ({current})
            SELECT examiner_id, t, p, COUNT(*), COUNT(DISTINCT session_id) FROM cur
            GROUP BY examiner_id, t, p HAVING COUNT(*) >= %s AND COUNT(DISTINCT session_id) > 1
        """, [*args, n_same]):
            found.append(("examiner", examiner_id, {"n": int(n), "theory": _num(t), "practical": _num(p),
                                                    "sessions": int(sessions), "t": t, "p": p}, []))
        # evaluated before the training ended
        from jixing.training.models import Enrollment, TrainingClass

        enr, cls_t = sql.table(Enrollment), sql.table(TrainingClass)
        early: dict[int, list[int]] = defaultdict(list)
        for session_id, result_id in sql.fetch(f"""
            WITH cur AS ({current})
            SELECT cur.session_id, cur.id FROM cur
            JOIN {ses} s ON s.id = cur.session_id
            JOIN {enr} e ON e.id = cur.enrollment_id
            JOIN {cls_t} tc ON tc.id = e.training_class_id
            WHERE s.date < tc.end_date
        """, args):
            early[session_id].append(result_id)
        for session_id, ids in early.items():
            found.append(("before_training", session_id, {"n": len(ids)}, ids))
        return self._hits(found)

    def _hits(self, found: list[tuple[str, Any, dict[str, Any], list[int]]]) -> list[Hit]:
        from jixing.evaluation.models import EvaluationResult, EvaluationSession
        from jixing.registry.models import Person

        if not found:
            return []
        session_ids = {k for v, k, _c, _i in found if v != "examiner"}
        examiner_ids = {k for v, k, _c, _i in found if v == "examiner"}
        sessions = {s.pk: s for s in EvaluationSession.objects.filter(pk__in=session_ids).select_related(
            "filing__organisation", "occupation", "level")}
        examiners = {p.pk: p for p in Person.objects.filter(pk__in=examiner_ids)}
        results = EvaluationResult.objects.select_related("candidate__person", "candidate__session", "examiner")
        hits = []
        for variant, key, context, ids in found:
            if variant == "examiner":
                qs = results.filter(examiner_id=key, theory_score=context.pop("t"), practical_score=context.pop("p"),
                                    status__in=["submitted", "locked"])
                rows = list(qs.order_by("candidate__session__date", "id")[:500])
                org = rows[0].candidate.session.filing.organisation if rows else None
                person = examiners[key]
                context.update(variant=variant, examiner=person.name)
                subject = ("registry.Person", key, str(person))
                key_text = f"examiner:{context['theory']}:{context['practical']}"
            else:
                session = sessions[key]
                qs = results.filter(candidate__session_id=key, status__in=["submitted", "locked"])
                if variant == "identical":
                    qs = qs.filter(theory_score=context.pop("t"), practical_score=context.pop("p"))
                    key_text = f"identical:{context['theory']}:{context['practical']}"
                else:
                    key_text = variant
                if ids:
                    qs = results.filter(pk__in=ids)
                rows = list(qs.order_by("id")[:500])
                org = session.filing.organisation
                context.update(variant=variant, session=session.code, date=session.date.isoformat())
                subject = ("evaluation.EvaluationSession", key, f"{session.code} {session.occupation} {session.level}")
            hits.append(Hit(
                subject_model=subject[0], subject_id=subject[1], subject_label=subject[2], key=key_text,
                organisation_id=org.pk if org else None, county_id=org.county_id if org else None, context=context,
                evidence={"variant": variant, "results": [_result(r) for r in rows]},
            ))
        return hits


def _sd(avg: Any, avg_sq: Any) -> float:
    if avg is None or avg_sq is None:
        return 0.0
    return math.sqrt(max(0.0, float(avg_sq) - float(avg) ** 2))


def _num(value: Any) -> str:
    return f"{float(value):g}"


def _result(r: Any) -> dict[str, Any]:
    session = r.candidate.session
    return {
        "id": r.id, "person_id": r.candidate.person_id, "person": r.candidate.person.name,
        "session": session.code, "date": session.date.isoformat(), "theory": _num(r.theory_score),
        "practical": _num(r.practical_score), "passed": r.passed, "examiner": r.examiner.name,
        "enrollment_id": r.candidate.enrollment_id,
    }
