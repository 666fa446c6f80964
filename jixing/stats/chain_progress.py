"""Progress by industrial chain (seed 一(七)) and by named programme (一(四), 一(五), 一(八)), for
the dashboard and the dispatch report. Person-times are the counted enrollments (the one
definition, docs/statistics.md) of projects tagged with the chain or the programme."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, QuerySet, Sum

from jixing.core.access import within_region
from jixing.employment.models import JobDemand, JobDemandStatus
from jixing.plan.models import ChainLeader, IndustrialChain, MasterStudio, Programme
from jixing.training.models import TrainingProject

from .models import CountedEnrollment
from .queries import StatsScope
from .rules import Progress, time_progress


def _counted(scope: StatsScope) -> QuerySet[CountedEnrollment]:
    qs = CountedEnrollment.objects.all()
    if scope.region_prefix:
        qs = qs.filter(within_region("county", scope.region_prefix))
    if scope.action_numbers is not None:
        qs = qs.filter(action_number__in=scope.action_numbers)
    if scope.until is not None:
        qs = qs.filter(month__lte=scope.until.replace(day=1))
    return qs


def _projects(scope: StatsScope) -> QuerySet[TrainingProject]:
    qs = TrainingProject.objects.all()
    if scope.region_prefix:
        qs = qs.filter(within_region("county", scope.region_prefix))
    if scope.action_numbers is not None:
        qs = qs.filter(action__number__in=scope.action_numbers)
    return qs


@dataclass(frozen=True)
class ChainRow:
    chain: IndustrialChain
    leaders: int
    studios: int
    projects: int
    person_times: int
    open_demands: int
    open_posts: int


def chain_rows(scope: StatsScope, *, year: int) -> list[ChainRow]:
    """Chains with any activity in scope (leaders, studios, projects, demands); quiet chains are left out."""
    counted = dict(_counted(scope).filter(month__year=year, enrollment__training_class__project__chain__isnull=False)
                   .values_list("enrollment__training_class__project__chain").annotate(n=Count("pk")))
    projects = dict(_projects(scope).filter(chain__isnull=False).values_list("chain").annotate(n=Count("pk")))
    demands_qs = JobDemand.objects.filter(chain__isnull=False, status=JobDemandStatus.OPEN)
    leaders_qs = ChainLeader.objects.filter(archived_at__isnull=True)
    studios_qs = MasterStudio.objects.filter(archived_at__isnull=True, chain__isnull=False)
    if scope.region_prefix:
        demands_qs = demands_qs.filter(within_region("county", scope.region_prefix))
        leaders_qs = leaders_qs.filter(within_region("organisation__county", scope.region_prefix))
        studios_qs = studios_qs.filter(within_region("county", scope.region_prefix))
    demands = {row["chain"]: (row["n"], row["posts"] or 0)
               for row in demands_qs.values("chain").annotate(n=Count("pk"), posts=Sum("posts"))}
    leaders = dict(leaders_qs.values_list("chain").annotate(n=Count("pk")))
    studios = dict(studios_qs.values_list("chain").annotate(n=Count("pk")))
    ids = set(counted) | set(projects) | set(demands) | set(leaders) | set(studios)
    rows = [ChainRow(chain, leaders.get(chain.pk, 0), studios.get(chain.pk, 0), projects.get(chain.pk, 0),
                     counted.get(chain.pk, 0), *demands.get(chain.pk, (0, 0)))
            for chain in IndustrialChain.objects.filter(pk__in=ids)]
    rows.sort(key=lambda r: (-r.person_times, -r.projects, r.chain.tier, r.chain.number))
    return rows


@dataclass(frozen=True)
class ProgrammeRow:
    programme: Programme
    projects: int
    progress: Progress  # person-times over the programme's own period against its target (if any)


def programme_rows(scope: StatsScope, *, today: dt.date) -> list[ProgrammeRow]:
    as_of = min(today, scope.until) if scope.until else today
    programmes = list(Programme.objects.filter(is_active=True).select_related("action", "department"))
    if scope.action_numbers is not None:
        programmes = [p for p in programmes if p.action is not None and p.action.number in scope.action_numbers]
    projects = dict(_projects(scope).filter(programmes__in=programmes).values_list("programmes")
                    .annotate(n=Count("pk", distinct=True)))
    rows = []
    for p in programmes:
        actual = (_counted(scope).filter(enrollment__training_class__project__programmes=p,
                                         month__gte=p.starts_on.replace(day=1), month__lte=p.ends_on)
                  .values("pk").distinct().count())
        target = Decimal(p.target_person_times) if p.target_person_times else None
        rows.append(ProgrammeRow(p, projects.get(p.pk, 0), Progress(
            actual=Decimal(actual), target=target, time_share=time_progress(p.starts_on, p.ends_on, as_of))))
    return rows

