"""Project quality review (seed 二(六): 对质效不高、针对性不强的培训项目及时调整).

Per approved or running project, live indicators — attendance rate, completion rate,
certificate pass rate against peers (other projects of the same occupation), employment
within 6 months of completion, open supervision findings — are compared with the
thresholds in force (``QualityThreshold``, dated). A project below any threshold is in the
review queue; an officer's decision (adjust, suspend, reinstate, terminate) is recorded on
the project by ``jixing.training.quality_actions`` with these indicators as its snapshot.

Computed here, in stats, because the indicators reach evaluation, employment and
supervision, all above training (the layering rule). Complaints are not recorded anywhere in
jixing yet, so they are not an indicator.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db.models import Avg, Count, F, Q
from django.utils.translation import gettext as _

from jixing.core.actor import Actor
from jixing.training.models import Enrollment, EnrollmentStatus, ProjectStatus, TrainingClass, TrainingProject
from jixing.training.quality import QualityState

from .models import QualityThreshold

EMPLOYMENT_WINDOW = dt.timedelta(days=183)


def threshold_on(day: dt.date) -> QualityThreshold | None:
    return QualityThreshold.objects.filter(effective_from__lte=day).order_by("-effective_from").first()


def _rate(part: int, whole: int) -> Decimal | None:
    return (Decimal(part) / Decimal(whole)).quantize(Decimal("0.001")) if whole else None


@dataclass
class ProjectIndicators:
    project_id: int
    trainees: int = 0
    attendance_rate: Decimal | None = None
    finished: int = 0
    completed: int = 0
    evaluated: int = 0
    passed: int = 0
    peer_pass_rate: Decimal | None = None
    employment_window_closed: int = 0
    employed_within_6_months: int = 0
    open_findings: int = 0
    breaches: list[str] = field(default_factory=list)

    @property
    def completion_rate(self) -> Decimal | None:
        return _rate(self.completed, self.finished)

    @property
    def pass_rate(self) -> Decimal | None:
        return _rate(self.passed, self.evaluated)

    @property
    def pass_rate_vs_peers(self) -> Decimal | None:
        if self.pass_rate is None or not self.peer_pass_rate:
            return None
        return (self.pass_rate / self.peer_pass_rate).quantize(Decimal("0.001"))

    @property
    def employment_rate(self) -> Decimal | None:
        return _rate(self.employed_within_6_months, self.employment_window_closed)

    def snapshot(self) -> dict[str, Any]:
        """Plain JSON for the decision record."""
        def s(v: Decimal | None) -> str | None:
            return None if v is None else str(v)
        return {
            "trainees": self.trainees, "attendance_rate": s(self.attendance_rate),
            "completion_rate": s(self.completion_rate), "pass_rate": s(self.pass_rate),
            "peer_pass_rate": s(self.peer_pass_rate), "pass_rate_vs_peers": s(self.pass_rate_vs_peers),
            "employment_rate": s(self.employment_rate), "open_findings": self.open_findings,
            "breaches": list(self.breaches),
        }


def indicators(project_ids: Iterable[int], *, today: dt.date) -> dict[int, ProjectIndicators]:
    from jixing.employment.queries import employed_within_6_months
    from jixing.evaluation.queries import current_locked_results
    from jixing.supervision.models import Finding, FindingStatus

    ids = list(project_ids)
    out = {pk: ProjectIndicators(pk) for pk in ids}
    if not ids:
        return out
    base = Enrollment.objects.filter(training_class__project_id__in=ids).exclude(status=EnrollmentStatus.WITHDRAWN)
    for row in base.values(pid=F("training_class__project_id")).annotate(
        trainees=Count("id"), rate=Avg("attendance_rate"),
        finished=Count("id", filter=Q(training_class__end_date__lt=today)),
        completed=Count("id", filter=Q(status=EnrollmentStatus.COMPLETED)),
    ):
        ind = out[row["pid"]]
        ind.trainees, ind.finished, ind.completed = row["trainees"], row["finished"], row["completed"]
        ind.attendance_rate = Decimal(str(row["rate"])).quantize(Decimal("0.001")) if row["rate"] is not None else None
    # Certificates: this project against other projects of the same occupation.
    results = current_locked_results()
    own = results.filter(candidate__enrollment__training_class__project_id__in=ids)
    for row in own.values(pid=F("candidate__enrollment__training_class__project_id")).annotate(
            n=Count("id"), ok=Count("id", filter=Q(passed=True))):
        out[row["pid"]].evaluated, out[row["pid"]].passed = row["n"], row["ok"]
    occupations = dict(TrainingProject.objects.filter(pk__in=ids).values_list("pk", "occupation_id"))
    by_occ: dict[int, dict[int, tuple[int, int]]] = defaultdict(dict)
    peers = results.filter(candidate__enrollment__training_class__project__occupation_id__in=[
        o for o in occupations.values() if o])
    for row in peers.values(pid=F("candidate__enrollment__training_class__project_id"),
                            occ=F("candidate__enrollment__training_class__project__occupation_id")).annotate(
            n=Count("id"), ok=Count("id", filter=Q(passed=True))):
        by_occ[row["occ"]][row["pid"]] = (row["n"], row["ok"])
    for pk, occ in occupations.items():
        others = [v for p, v in by_occ.get(occ, {}).items() if p != pk] if occ else []
        out[pk].peer_pass_rate = _rate(sum(ok for _n, ok in others), sum(n for n, _ok in others))
    # Employment within 6 months of completion, for completions whose window has closed.
    closed = list(base.filter(status=EnrollmentStatus.COMPLETED, completed_on__lte=today - EMPLOYMENT_WINDOW)
                  .values_list("id", "training_class__project_id"))
    employed = employed_within_6_months([pk for pk, _p in closed], as_of=today)
    for pk, pid in closed:
        out[pid].employment_window_closed += 1
        out[pid].employed_within_6_months += 1 if employed.get(pk) else 0
    # Open supervision findings about the project, its classes or its enrollments.
    cts = ContentType.objects.get_for_models(TrainingProject, TrainingClass, Enrollment)
    subjects: dict[tuple[int, str], int] = {}
    for pk in ids:
        subjects[(cts[TrainingProject].pk, str(pk))] = pk
    for cid, pid in TrainingClass.objects.filter(project_id__in=ids).values_list("id", "project_id"):
        subjects[(cts[TrainingClass].pk, str(cid))] = pid
    for eid, pid in base.values_list("id", "training_class__project_id"):
        subjects[(cts[Enrollment].pk, str(eid))] = pid
    findings = (Finding.objects.exclude(status__in=[FindingStatus.CLEARED, FindingStatus.CONFIRMED])
                .filter(subject_type_id__in=[ct.pk for ct in cts.values()])
                .filter(organisation_id__in=TrainingProject.objects.filter(pk__in=ids).values("organiser_id")))
    for ct_id, sid in findings.values_list("subject_type_id", "subject_id"):
        pid = subjects.get((ct_id, sid))
        if pid is not None:
            out[pid].open_findings += 1
    return out


def breaches(ind: ProjectIndicators, threshold: QualityThreshold) -> list[str]:
    """Which thresholds the project misses (rates count only from ``min_trainees`` on)."""
    found: list[str] = []
    enough = ind.trainees >= threshold.min_trainees
    if enough and ind.attendance_rate is not None and ind.attendance_rate < threshold.min_attendance_rate:
        found.append("attendance_rate")
    if enough and ind.completion_rate is not None and ind.finished >= threshold.min_trainees \
            and ind.completion_rate < threshold.min_completion_rate:
        found.append("completion_rate")
    if ind.evaluated >= threshold.min_trainees and ind.pass_rate_vs_peers is not None \
            and ind.pass_rate_vs_peers < threshold.min_pass_rate_vs_peers:
        found.append("pass_rate_vs_peers")
    if ind.employment_window_closed >= threshold.min_trainees and ind.employment_rate is not None \
            and ind.employment_rate < threshold.min_employment_rate:
        found.append("employment_rate")
    if ind.open_findings > threshold.max_open_findings:
        found.append("open_findings")
    return found


BREACH_LABELS = {
    "attendance_rate": lambda: _("attendance rate"),
    "completion_rate": lambda: _("completion rate"),
    "pass_rate_vs_peers": lambda: _("pass rate against peers"),
    "employment_rate": lambda: _("employment within 6 months"),
    "open_findings": lambda: _("open supervision findings"),
}


@dataclass(frozen=True)
class QueueRow:
    project: TrainingProject
    indicators: ProjectIndicators

    @property
    def breach_labels(self) -> list[str]:
        return [BREACH_LABELS[b]() for b in self.indicators.breaches]


def reviewable_projects(user: Actor) -> Any:
    return (TrainingProject.objects.visible_to(user)
            .filter(status__in=[ProjectStatus.APPROVED, ProjectStatus.RUNNING])
            .exclude(quality_state=QualityState.TERMINATED)
            .select_related("organiser", "county", "occupation", "action"))


def review_queue(user: Actor, *, today: dt.date, include_all: bool = False) -> list[QueueRow]:
    """Projects in the viewer's scope under a threshold in force today (suspended ones too, so
    they can be reinstated or terminated). ``include_all``: every reviewable project."""
    threshold = threshold_on(today)
    projects = list(reviewable_projects(user))
    facts = indicators([p.pk for p in projects], today=today)
    rows = []
    for project in projects:
        ind = facts[project.pk]
        ind.breaches = breaches(ind, threshold) if threshold else []
        if include_all or ind.breaches or project.quality_state == QualityState.SUSPENDED:
            rows.append(QueueRow(project, ind))
    rows.sort(key=lambda r: (-len(r.indicators.breaches), r.project.code))
    return rows


def project_indicators(project: TrainingProject, *, today: dt.date) -> ProjectIndicators:
    ind = indicators([project.pk], today=today)[project.pk]
    threshold = threshold_on(today)
    ind.breaches = breaches(ind, threshold) if threshold else []
    return ind
