"""`/api/v1/stats/…`: the dashboard's figures for other systems, with the same scope rules."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Any

from django.http import Http404
from django.utils import timezone
from ninja import Field, Path, Router, Schema

from jixing.accounts.models import Role
from jixing.core.access import get_for_user
from jixing.core.api_contract import Year
from jixing.core.permissions import AuthedRequest, require_api_roles
from jixing.training.models import TrainingProject

from . import quality, queries
from .quality_decisions import decide
from .roles import QUEUE_ROLES
from .views import STATS_ROLES

router = Router(tags=["stats"])


class ProgressOut(Schema):
    code: str
    name: str
    action: int | None
    year: int | None
    actual: Decimal
    target: Decimal | None
    completion: Decimal | None
    time_progress: Decimal
    gap: Decimal | None
    light: str | None
    seed_quote: str


class CityOut(Schema):
    rank: int
    code: str
    name: str
    actual: Decimal
    allocation: Decimal | None
    completion: Decimal | None
    light: str | None


class StageOut(Schema):
    key: str
    label: str
    count: int


def _scope_and_year(request: AuthedRequest, region: str | None, year: int | None) -> tuple[queries.StatsScope, int]:
    require_api_roles(request, *STATS_ROLES)
    scope = queries.stats_scope(request.user, region_code=region)
    today = timezone.localdate()
    year = year or today.year
    if not scope.allowed or year not in queries.PROGRAMME_YEARS:
        raise Http404
    return scope, year


@router.get("/progress", response=list[ProgressOut])
def progress(request: AuthedRequest, year: Year | None = None, region: str | None = None) -> list[ProgressOut]:
    scope, year = _scope_and_year(request, region, year)
    rows = queries.progress_rows(scope, year=year, today=timezone.localdate())
    return [ProgressOut(
        code=r.target.code, name=r.target.name, action=r.target.action.number if r.target.action else None,
        year=r.year, actual=r.progress.actual, target=r.progress.target, completion=r.progress.completion,
        time_progress=r.progress.time_share, gap=r.progress.gap, light=r.progress.light, seed_quote=r.target.seed_quote,
    ) for r in rows]


@router.get("/cities", response=list[CityOut])
def cities(request: AuthedRequest, year: Year | None = None, target: str | None = None) -> list[CityOut]:
    scope, year = _scope_and_year(request, None, year)
    rows = queries.city_ranking(scope, year=year, today=timezone.localdate(), target_code=target)
    return [CityOut(
        rank=r["rank"], code=r["city"].code, name=r["city"].name, actual=r["progress"].actual,
        allocation=r["progress"].target, completion=r["progress"].completion, light=r["progress"].light,
    ) for r in rows]


@router.get("/trend", response=list[int])
def trend(request: AuthedRequest, year: Year | None = None, region: str | None = None) -> list[int]:
    scope, year = _scope_and_year(request, region, year)
    from . import rollup

    rollup.refresh()
    return queries.monthly_trend(scope, year=year)


@router.get("/funnel", response=list[StageOut])
def funnel(request: AuthedRequest, year: Year | None = None, region: str | None = None) -> list[StageOut]:
    scope, year = _scope_and_year(request, region, year)
    return [StageOut(**s) for s in queries.funnel(scope, year=year, today=timezone.localdate())]


class ScorecardOut(Schema):
    rank: int
    organisation_id: int
    name: str
    county: str
    trainees: int
    completion: Decimal | None
    certificate_pass_rate: Decimal | None
    employed_within_6_months: Decimal | None
    claims_not_returned: Decimal | None
    open_findings: int
    violations: int
    score: Decimal


class EvaluatorOut(Schema):
    organisation_id: int
    name: str
    occupation: str
    level: str
    evaluated: int
    pass_rate: Decimal | None
    peer_pass_rate: Decimal | None
    suspicious: bool
    anomaly_findings: int


@router.get("/scorecards/institutions", response=list[ScorecardOut])
def institution_scorecards(request: AuthedRequest, year: Year | None = None, region: str | None = None) -> list[ScorecardOut]:
    from .scorecards import ranked_institutions

    scope, year = _scope_and_year(request, region, year)
    return [ScorecardOut(
        rank=r.rank, organisation_id=r.organisation.pk, name=r.organisation.name, county=r.organisation.county_id,
        trainees=r.card.facts.trainees, completion=r.card.rates["completion"], certificate_pass_rate=r.card.rates["passing"],
        employed_within_6_months=r.card.rates["employment"], claims_not_returned=r.card.rates["claims"],
        open_findings=r.card.facts.open_findings, violations=r.card.facts.violations, score=r.card.score,
    ) for r in ranked_institutions(scope, year=year, today=timezone.localdate())]


@router.get("/scorecards/evaluators", response=list[EvaluatorOut])
def evaluator_scorecards(request: AuthedRequest, year: Year | None = None, region: str | None = None) -> list[EvaluatorOut]:
    from .scorecards import evaluator_rows

    scope, year = _scope_and_year(request, region, year)
    return [EvaluatorOut(
        organisation_id=r.organisation.pk, name=r.organisation.name, occupation=r.occupation, level=r.level,
        evaluated=r.evaluated, pass_rate=r.pass_rate, peer_pass_rate=r.peer_pass_rate, suspicious=r.suspicious,
        anomaly_findings=r.anomaly_findings,
    ) for r in evaluator_rows(scope, year=year)]


# ------------------------------------------------------------------ project quality review


class QualityRowOut(Schema):
    id: int
    code: str
    organiser_id: int
    quality_state: str
    trainees: int
    attendance_rate: Decimal | None
    completion_rate: Decimal | None
    pass_rate_vs_peers: Decimal | None
    employment_rate: Decimal | None
    open_findings: int
    breaches: list[str]


class QualityDecisionIn(Schema):
    kind: str = Field(description="adjust, suspend, reinstate or terminate")
    reason: str = Field(max_length=2000)
    planned_person_times: int | None = Field(None, gt=0)
    hours: int | None = Field(None, gt=0)


class QualityMessage(Schema):
    detail: Any


def _quality_row(project: Any, ind: Any) -> dict[str, Any]:
    return {
        "id": project.pk, "code": project.code, "organiser_id": project.organiser_id,
        "quality_state": project.quality_state, "trainees": ind.trainees, "attendance_rate": ind.attendance_rate,
        "completion_rate": ind.completion_rate, "pass_rate_vs_peers": ind.pass_rate_vs_peers,
        "employment_rate": ind.employment_rate, "open_findings": ind.open_findings, "breaches": ind.breaches,
    }


@router.get("/quality/queue", response=list[QualityRowOut],
            summary="Projects in scope under a quality threshold in force today (and suspended ones)")
def quality_queue(request: AuthedRequest, all: bool = False) -> Any:  # noqa: A002 - the query parameter's name
    require_api_roles(request, *QUEUE_ROLES)
    rows = quality.review_queue(request.user, today=timezone.localdate(), include_all=all)
    return [_quality_row(r.project, r.indicators) for r in rows]


@router.post("/quality/projects/{project_id}/decisions",
             response={200: QualityRowOut, 403: QualityMessage, 404: QualityMessage, 409: QualityMessage,
                       422: QualityMessage},
             summary="Adjust, suspend, reinstate or terminate a project (audited; the institution is told)")
def quality_decide(request: AuthedRequest, project_id: Annotated[int, Path(ge=1, le=2**63 - 1)],
                   body: QualityDecisionIn) -> Any:
    require_api_roles(request, Role.HRSS_OFFICER)
    project = get_for_user(TrainingProject.objects.all(), request.user, project_id)
    decide(project, by=request.user, kind=body.kind, reason=body.reason,
           planned_person_times=body.planned_person_times, hours=body.hours)
    project.refresh_from_db()
    return _quality_row(project, quality.project_indicators(project, today=timezone.localdate()))


from .intake_api import router as intake_router  # noqa: E402  (a topic router under /stats/intake/)

router.add_router("/intake", intake_router)
