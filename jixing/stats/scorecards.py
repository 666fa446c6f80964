"""Scorecards: training institutions (for the 优选计划) and evaluation bodies (pass rates
against peers for the same occupation and level, anomaly findings)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.contrib.contenttypes.models import ContentType
from django.db.models import Count, F, Q

from jixing.core.models import StatusChange
from jixing.plan.chain_queries import leader_org_ids
from jixing.plan.chain_rules import selection_bonus
from jixing.registry.models import Organisation
from jixing.training.models import Enrollment, EnrollmentStatus
from jixing.training.quality import DecisionKind, ProjectQualityDecision

from .queries import StatsScope
from .rules import InstitutionFacts, Scorecard, _rate, institution_scorecard

# An institution must have finished at least this many trainees to be ranked.
MIN_TRAINEES = 1


@dataclass(frozen=True)
class RankedInstitution:
    rank: int
    organisation: Organisation
    card: Scorecard


def _organisers(scope: StatsScope, year: int) -> dict[int, Organisation]:
    enrollments = scope.apply(Enrollment.objects.filter(training_class__start_date__year=year),
                              region="training_class__project__organiser__county",
                              action="training_class__project__action__number")
    ids = enrollments.values("training_class__project__organiser_id").distinct()
    return {o.pk: o for o in Organisation.objects.filter(pk__in=ids).select_related("county")}


def institution_facts(org_ids: list[int], *, year: int, today: dt.date) -> dict[int, InstitutionFacts]:
    from jixing.employment.queries import employed_within_6_months
    from jixing.evaluation.queries import current_locked_results
    from jixing.funds.models import Claim
    from jixing.supervision.models import Finding, FindingStatus

    base = Enrollment.objects.filter(
        training_class__project__organiser_id__in=org_ids, training_class__start_date__year=year
    ).exclude(status=EnrollmentStatus.WITHDRAWN)
    volumes = {
        row["org"]: row for row in base.values(org=F("training_class__project__organiser_id")).annotate(
            trainees=Count("id"),
            finished=Count("id", filter=Q(training_class__end_date__lt=today)),
            completed=Count("id", filter=Q(status=EnrollmentStatus.COMPLETED)),
        )
    }
    results = current_locked_results().filter(
        candidate__enrollment__training_class__project__organiser_id__in=org_ids,
        candidate__enrollment__training_class__start_date__year=year,
    )
    exams = {
        row["org"]: row for row in results.values(org=F("candidate__enrollment__training_class__project__organiser_id"))
        .annotate(evaluated=Count("id"), passed=Count("id", filter=Q(passed=True)))
    }
    window = today - dt.timedelta(days=183)
    closed = list(base.filter(status=EnrollmentStatus.COMPLETED, completed_on__lte=window)
                  .values_list("id", "training_class__project__organiser_id"))
    employed = employed_within_6_months([pk for pk, _ in closed], as_of=today)
    employment: dict[int, list[int]] = defaultdict(lambda: [0, 0])
    for pk, org in closed:
        employment[org][0] += 1
        employment[org][1] += 1 if employed.get(pk) else 0
    claims = Claim.objects.filter(organisation_id__in=org_ids, created_at__year=year).exclude(status="draft")
    claim_ct = ContentType.objects.get_for_model(Claim)
    returned_ids = set(StatusChange.objects.filter(
        content_type=claim_ct, to_status__in=["returned", "rejected"],
        object_id__in=[str(pk) for pk in claims.values_list("id", flat=True)],
    ).values_list("object_id", flat=True))
    claim_counts: dict[int, list[int]] = defaultdict(lambda: [0, 0])
    for pk, org in claims.values_list("id", "organisation_id"):
        claim_counts[org][0] += 1
        claim_counts[org][1] += 1 if str(pk) in returned_ids else 0
    findings = {
        row["organisation_id"]: row for row in Finding.objects.filter(organisation_id__in=org_ids)
        .values("organisation_id").annotate(
            open=Count("id", filter=~Q(status__in=[FindingStatus.CLEARED, FindingStatus.CONFIRMED])),
            violations=Count("id", filter=Q(status=FindingStatus.CONFIRMED)),
        )
    }
    quality = dict(
        ProjectQualityDecision.objects.filter(
            project__organiser_id__in=org_ids, created_at__year=year,
            kind__in=[DecisionKind.SUSPEND, DecisionKind.TERMINATE])
        .values("project__organiser_id").annotate(n=Count("project_id", distinct=True))
        .values_list("project__organiser_id", "n"))
    leaders = leader_org_ids(org_ids)
    out = {}
    for org in org_ids:
        v, e, f = volumes.get(org, {}), exams.get(org, {}), findings.get(org, {})
        out[org] = InstitutionFacts(
            trainees=v.get("trainees", 0), finished=v.get("finished", 0), completed=v.get("completed", 0),
            evaluated=e.get("evaluated", 0), passed=e.get("passed", 0),
            employment_window_closed=employment[org][0], employed_within_6_months=employment[org][1],
            claims=claim_counts[org][0], claims_returned=claim_counts[org][1],
            open_findings=f.get("open", 0), violations=f.get("violations", 0),
            quality_actions=quality.get(org, 0),
            chain_leader_bonus=selection_bonus(is_chain_leader=org in leaders, day=today),
        )
    return out


def ranked_institutions(scope: StatsScope, *, year: int, today: dt.date) -> list[RankedInstitution]:
    orgs = _organisers(scope, year)
    facts = institution_facts(list(orgs), year=year, today=today)
    cards = [(orgs[pk], institution_scorecard(f)) for pk, f in facts.items() if f.trainees >= MIN_TRAINEES]
    cards.sort(key=lambda pair: (-pair[1].score, -pair[1].facts.trainees, pair[0].pk))
    return [RankedInstitution(rank, org, card) for rank, (org, card) in enumerate(cards, start=1)]


@dataclass(frozen=True)
class EvaluatorRow:
    organisation: Organisation
    occupation: str
    level: str
    evaluated: int
    pass_rate: Decimal | None
    peer_pass_rate: Decimal | None
    anomaly_findings: int

    @property
    def above_peers(self) -> Decimal | None:
        if self.pass_rate is None or self.peer_pass_rate is None:
            return None
        return self.pass_rate - self.peer_pass_rate

    @property
    def suspicious(self) -> bool:
        # 20 points above peers on 20+ candidates is worth a look (audit: improper certificates).
        diff = self.above_peers
        return self.evaluated >= 20 and diff is not None and diff >= Decimal("0.20")


def evaluator_rows(scope: StatsScope, *, year: int) -> list[EvaluatorRow]:
    from jixing.evaluation.queries import current_locked_results
    from jixing.supervision.models import Finding

    results = current_locked_results().filter(candidate__session__date__year=year)
    grouped = list(results.values(
        "candidate__session__filing__organisation_id", "candidate__session__occupation__name",
        "candidate__session__level__name", "candidate__session__occupation_id", "candidate__session__level_id",
    ).annotate(n=Count("id"), ok=Count("id", filter=Q(passed=True))))
    totals: dict[tuple[int, int], list[int]] = defaultdict(lambda: [0, 0])
    for g in grouped:
        key = (g["candidate__session__occupation_id"], g["candidate__session__level_id"])
        totals[key][0] += g["n"]
        totals[key][1] += g["ok"]
    orgs = scope.apply(Organisation.objects.all(), region="county").in_bulk(
        {g["candidate__session__filing__organisation_id"] for g in grouped})
    anomalies = dict(Finding.objects.filter(code="R08", organisation_id__in=list(orgs))
                     .values("organisation_id").annotate(n=Count("id")).values_list("organisation_id", "n"))
    rows = []
    for g in grouped:
        org = orgs.get(g["candidate__session__filing__organisation_id"])
        if org is None:
            continue
        key = (g["candidate__session__occupation_id"], g["candidate__session__level_id"])
        peers_n, peers_ok = totals[key][0] - g["n"], totals[key][1] - g["ok"]
        rows.append(EvaluatorRow(
            org, g["candidate__session__occupation__name"], g["candidate__session__level__name"], g["n"],
            _rate(g["ok"], g["n"]), _rate(peers_ok, peers_n), anomalies.get(org.pk, 0),
        ))
    rows.sort(key=lambda r: (-(r.above_peers or Decimal(-2)), r.organisation.name))
    return rows
