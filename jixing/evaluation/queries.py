"""Reads other apps rely on: the highest certificate held (training eligibility: no subsidy
for a level lower than a certificate already held, DESIGN.md) and certificates per person
(funds: a claim line needs a passed evaluation)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Exists, Max, OuterRef, Q, QuerySet

from jixing.core.actor import Actor
from jixing.imports.pipeline import any_of
from jixing.training.models import Enrollment

from .models import (
    Candidate,
    Certificate,
    DirectRecognition,
    EvaluationFiling,
    EvaluationResult,
    EvaluationSession,
    FilingStatus,
    PassRule,
    RecognitionStatus,
    ResultStatus,
    SessionStatus,
)
from .rules import FilingFacts, PassMarks


def highest_certificate_levels(person_ids: Iterable[int]) -> dict[tuple[int, int], int]:
    """(person_id, occupation_id) → highest SkillLevel.order among VALID certificates."""
    ids = list({int(i) for i in person_ids})
    if not ids:
        return {}
    out: dict[tuple[int, int], int] = {}
    # any_of: the ids as one parameter (a roster's ten thousand persons; IN binds each one)
    rows = (
        Certificate.objects.valid()
        .filter(any_of("person_id", ids))
        .values("person_id", "occupation_id")
        .annotate(top=Max("level_id"))
    )
    for row in rows:
        out[(row["person_id"], row["occupation_id"])] = row["top"]
    return out


def certificates_for(person_ids: Iterable[int], *, valid_only: bool = True) -> dict[int, list[Certificate]]:
    """person_id → certificates (valid ones unless ``valid_only=False``), newest first."""
    ids = list({int(i) for i in person_ids})
    out: dict[int, list[Certificate]] = {i: [] for i in ids}
    if not ids:
        return out
    qs = Certificate.objects.filter(person_id__in=ids).select_related("occupation", "level", "issuer")
    if valid_only:
        qs = qs.valid()
    for cert in qs.order_by("-issued_on", "-id"):
        out[cert.person_id].append(cert)
    return out


def pass_marks_for(occupation_id: int, level_id: int) -> PassMarks:
    """The most specific PassRule: occupation × level, then occupation, then level, then any;
    without any rule, 60 in theory and practical and no comprehensive review."""
    rules = {
        (r.occupation_id, r.level_id): r
        for r in PassRule.objects.filter(
            Q(occupation_id=occupation_id) | Q(occupation__isnull=True),
            Q(level_id=level_id) | Q(level__isnull=True),
        )
    }
    for key in ((occupation_id, level_id), (occupation_id, None), (None, level_id), (None, None)):
        rule = rules.get(key)
        if rule is not None:
            return PassMarks(theory=rule.theory_min, practical=rule.practical_min, comprehensive=rule.comprehensive_min)
    return PassMarks()


def held_level(person_id: int, occupation_id: int) -> int | None:
    return highest_certificate_levels([person_id]).get((person_id, occupation_id))


def filing_facts(filing: EvaluationFiling) -> FilingFacts:
    return FilingFacts(
        status=filing.status, status_reason=filing.status_reason, kind=filing.kind,
        valid_from=filing.valid_from, valid_to=filing.valid_to,
        scopes=frozenset(filing.scopes.values_list("occupation_id", "level_id")),
    )


def current_locked_results(qs: QuerySet[EvaluationResult] | None = None) -> QuerySet[EvaluationResult]:
    """Locked results that no later locked version supersedes."""
    base = qs if qs is not None else EvaluationResult.objects.all()
    newer = EvaluationResult.objects.filter(
        candidate_id=OuterRef("candidate_id"), status=ResultStatus.LOCKED, version__gt=OuterRef("version")
    )
    return base.filter(status=ResultStatus.LOCKED).filter(~Exists(newer))


def latest_results(session: EvaluationSession) -> dict[int, EvaluationResult]:
    """candidate_id → its latest non-rejected result version."""
    out: dict[int, EvaluationResult] = {}
    for r in (EvaluationResult.objects.filter(candidate__session=session)
              .exclude(status=ResultStatus.REJECTED).select_related("examiner").order_by("candidate_id", "version")):
        out[r.candidate_id] = r
    return out


# ------------------------------------------------------------------ pages


@dataclass(frozen=True)
class CandidateRow:
    candidate: Candidate
    result: EvaluationResult | None  # latest non-rejected version
    locked: EvaluationResult | None  # current locked version
    pending: EvaluationResult | None  # correction waiting for review
    certificate: Certificate | None


def session_rows(session: EvaluationSession) -> list[CandidateRow]:
    candidates = list(session.candidates.select_related("person", "enrollment__training_class").order_by("id"))
    results: dict[int, list[EvaluationResult]] = {}
    for r in (EvaluationResult.objects.filter(candidate__session=session)
              .select_related("examiner").order_by("candidate_id", "version")):
        results.setdefault(r.candidate_id, []).append(r)
    certs = {c.result.candidate_id: c for c in Certificate.objects.filter(result__candidate__session=session)
             .select_related("result").order_by("issued_on", "id")}
    rows = []
    for cand in candidates:
        versions = results.get(cand.pk, [])
        live = [r for r in versions if r.status != ResultStatus.REJECTED]
        locked = [r for r in versions if r.status == ResultStatus.LOCKED]
        pending = [r for r in versions if r.status == ResultStatus.SUBMITTED and r.supersedes_id]
        rows.append(CandidateRow(cand, live[-1] if live else None, locked[-1] if locked else None,
                                 pending[-1] if pending else None, certs.get(cand.pk)))
    return rows


def completed_enrollment_for(person_id: int, occupation_id: int) -> Enrollment | None:
    """The latest completed enrollment of the person in a course of this occupation."""
    return (
        Enrollment.objects.completed().filter(person_id=person_id, training_class__project__occupation_id=occupation_id)
        .select_related("training_class__project").order_by("-completed_on", "-id").first()
    )


def pending_corrections(user: Actor) -> QuerySet[EvaluationResult]:
    return (
        EvaluationResult.objects.visible_to(user).filter(status=ResultStatus.SUBMITTED, supersedes__isnull=False)
        .select_related("candidate__person", "candidate__session")
    )


def review_counts(user: Actor) -> dict[str, int]:
    return {
        "filings": EvaluationFiling.objects.visible_to(user).filter(status=FilingStatus.SUBMITTED).count(),
        "sessions": EvaluationSession.objects.visible_to(user).filter(status=SessionStatus.SUBMITTED).count(),
        "corrections": pending_corrections(user).count(),
        "recognitions": DirectRecognition.objects.visible_to(user).filter(status=RecognitionStatus.PROPOSED).count(),
    }
