"""Supervision's provider for ``jixing.core.risk``: the unresolved findings and the open cases
that touch given institutions, classes, persons or claims (registered in ``apps.ready``)."""

from __future__ import annotations

from collections.abc import Iterable

from django.contrib.contenttypes.models import ContentType
from django.db.models import Q
from django.urls import reverse

from jixing.core.risk import Risk, RiskSubjects

from .models import SEVERITY_RANK, Case, CaseStatus, Finding

OPEN_CASE_STATUSES = (CaseStatus.OPEN, CaseStatus.INVESTIGATING, CaseStatus.AWAITING_EXPLANATION,
                      CaseStatus.EXPLAINED, CaseStatus.VIOLATION)
RANK_SEVERITY = {v: k for k, v in SEVERITY_RANK.items()}


def _subject_q(label: str, ids: Iterable[int]) -> Q:
    ids = [str(i) for i in ids]
    if not ids:
        return Q(pk__in=[])
    app_label, model = label.split(".")
    return Q(subject_type=ContentType.objects.get_by_natural_key(app_label, model.lower()), subject_id__in=ids)


def open_risks(subjects: RiskSubjects) -> list[Risk]:
    touching = (Q(organisation_id__in=list(subjects.organisation_ids))
                | _subject_q("training.TrainingClass", subjects.class_ids)
                | _subject_q("registry.Person", subjects.person_ids)
                | _subject_q("funds.Claim", subjects.claim_ids))
    findings = list(Finding.objects.unresolved().filter(touching).select_related("subject_type")
                    .order_by("-created_at")[:500])
    out: list[Risk] = []
    for f in findings:
        touches = []
        if f.organisation_id in subjects.organisation_ids:
            touches.append("institution")
        model = f.subject_type.model
        if model == "trainingclass" and f.subject_id.isdigit() and int(f.subject_id) in subjects.class_ids:
            touches.append("class")
        if model == "person" and f.subject_id.isdigit() and int(f.subject_id) in subjects.person_ids:
            touches.append("person")
        if model == "claim" and f.subject_id.isdigit() and int(f.subject_id) in subjects.claim_ids:
            touches.append("claim")
        out.append(Risk(kind="finding", pk=f.pk, code=f.code, severity=f.severity, status=f.status,
                        status_label=str(f.get_status_display()), title=f"{f.code} {f.subject_label}",
                        touches=tuple(touches), url=reverse("supervision:finding", args=[f.pk]), since=f.created_at))
    case_ids = {f.case_id for f in findings if f.case_id}
    cases = Case.objects.filter(status__in=OPEN_CASE_STATUSES).filter(
        Q(organisation_id__in=list(subjects.organisation_ids)) | Q(pk__in=case_ids)).prefetch_related("findings")
    for c in cases[:200]:
        rank = max((SEVERITY_RANK.get(f.severity, 1) for f in c.findings.all()), default=2)
        touches = ["institution"] if c.organisation_id in subjects.organisation_ids else []
        touches += sorted({t for r in out if r.kind == "finding" and r.pk in {f.pk for f in c.findings.all()}
                           for t in r.touches} - set(touches))
        out.append(Risk(kind="case", pk=c.pk, code=c.number, severity=str(RANK_SEVERITY.get(rank, "medium")),
                        status=c.status, status_label=str(c.get_status_display()), title=c.title,
                        touches=tuple(touches), url=reverse("supervision:case", args=[c.pk]), since=c.created_at))
    return out
