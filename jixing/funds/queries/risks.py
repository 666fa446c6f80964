"""Open supervision risks touching a claim, and attendance evidence for its lines (issue 13)."""

from __future__ import annotations

from collections.abc import Iterable

from jixing.accounts.models import Role
from jixing.core import risk
from jixing.training import queries as training_queries
from jixing.training import rules as training_rules
from jixing.training.models import Enrollment

from ..models import Claim, ClaimLine
from .common import DEFAULT_DECLARED_SHARE

# ------------------------------------------------------------------ risk on the review page (issue 13)


# Officers who review, pay or audit claims see the open supervision risks touching them.
RISK_READERS = frozenset({Role.HRSS_OFFICER, Role.FINANCE_OFFICER, Role.AUDITOR})


def claim_risk_subjects(claim: Claim) -> risk.RiskSubjects:
    """The institution, classes and persons a claim touches (what supervision may have flagged)."""
    lines = ClaimLine.objects.filter(claim=claim).values_list("training_class_id", "person_id")
    classes = {c for c, _p in lines if c}
    persons = {p for _c, p in lines}
    orgs = {o for o in (claim.organisation_id, claim.project.organiser_id if claim.project is not None else None) if o}
    return risk.RiskSubjects(organisation_ids=frozenset(orgs), class_ids=frozenset(classes),
                             person_ids=frozenset(persons), claim_ids=frozenset({claim.pk}))


def claim_risks(claim: Claim) -> list[risk.Risk]:
    return risk.open_risks(claim_risk_subjects(claim))


def risk_counts_for_claims(claims: Iterable[Claim]) -> dict[int, dict[str, int]]:
    """Open risks by severity for each claim of a review-queue page (one provider call per claim)."""
    return {c.pk: risk.count_by_severity(claim_risks(c)) for c in claims}


def line_attendance(lines: Iterable[ClaimLine]) -> dict[int, training_rules.EvidencedAttendance]:
    """Each training line's sessions as money counts them now: captured / declared / missing."""
    rows = [ln for ln in lines if ln.enrollment_id]
    if not rows:
        return {}
    enrollments = list(Enrollment.objects.filter(pk__in=[ln.enrollment_id for ln in rows]))
    sessions = training_queries.attendance_evidence(enrollments)
    out = {}
    for ln in rows:
        share = ln.rule_table.declared_attendance_share if ln.rule_table is not None else DEFAULT_DECLARED_SHARE
        out[ln.pk] = training_rules.evidenced_attendance(sessions.get(ln.enrollment_id or 0, []), share)
    return out
