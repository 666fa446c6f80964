"""Progress by industrial chain (seed 一(七)) and by named programme (一(四), 一(五), 一(八)), for
the dashboard and the dispatch report. Person-times are the counted enrollments (the one
definition, docs/statistics.md) of projects tagged with the chain or the programme."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, DateField, F, QuerySet, Sum
from django.db.models.functions import TruncMonth

from jixing.employment.models import JobDemand, JobDemandStatus
from jixing.plan.models import ChainLeader, IndustrialChain, MasterStudio, Programme
from jixing.training.models import TrainingProject

from .models import CountedEnrollment
from .queries import ROLLUP_PATHS, StatsScope
from .rules import Progress, time_progress


def _counted(scope: StatsScope) -> QuerySet[CountedEnrollment]:
    return scope.apply(CountedEnrollment.objects.all(), **ROLLUP_PATHS)


def _projects(scope: StatsScope) -> QuerySet[TrainingProject]:
    return scope.apply(TrainingProject.objects.all(), region="county", action="action__number")


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
    # Demands, leaders and studios belong to no action: read by region only.
    demands_qs = scope.apply(JobDemand.objects.filter(chain__isnull=False, status=JobDemandStatus.OPEN), region="county")
    leaders_qs = scope.apply(ChainLeader.objects.filter(archived_at__isnull=True), region="organisation__county")
    studios_qs = scope.apply(MasterStudio.objects.filter(archived_at__isnull=True, chain__isnull=False), region="county")
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


_PROGRAMME = "enrollment__training_class__project__programmes"


def programme_rows(scope: StatsScope, *, today: dt.date) -> list[ProgrammeRow]:
    as_of = min(today, scope.until) if scope.until else today
    programmes = list(scope.apply(Programme.objects.filter(is_active=True), action="action__number")
                      .select_related("action", "department"))
    projects = dict(_projects(scope).filter(programmes__in=programmes).values_list("programmes")
                    .annotate(n=Count("pk", distinct=True)))
    # One grouped read for every programme: its counted person-times within its own period
    # (from the month it starts to the day it ends), the window joined per programme.
    actual = dict(_counted(scope).filter(**{
        f"{_PROGRAMME}__in": programmes,
        "month__gte": TruncMonth(f"{_PROGRAMME}__starts_on", output_field=DateField()),
        "month__lte": F(f"{_PROGRAMME}__ends_on"),
    }).values_list(_PROGRAMME).annotate(n=Count("pk", distinct=True)).order_by())
    rows = []
    for p in programmes:
        target = Decimal(p.target_person_times) if p.target_person_times else None
        rows.append(ProgrammeRow(p, projects.get(p.pk, 0), Progress(
            actual=Decimal(actual.get(p.pk, 0)), target=target,
            time_share=time_progress(p.starts_on, p.ends_on, as_of))))
    return rows
