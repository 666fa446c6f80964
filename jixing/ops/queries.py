from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, Q
from django.utils import timezone

from .models import Heartbeat, JobRun, JobState
from .scheduler import configured_jobs

FAILURE_WINDOW_DAYS = 30


@dataclass(frozen=True)
class JobOverview:
    name: str
    schedule: str
    action: str
    last_slot: dt.datetime | None
    last_success: JobRun | None
    last_run: JobRun | None
    failures: int  # in the last FAILURE_WINDOW_DAYS days


def job_overview() -> list[JobOverview]:
    since = timezone.now() - dt.timedelta(days=FAILURE_WINDOW_DAYS)
    failures = dict(
        JobRun.objects.filter(started__gte=since).values_list("job")
        .annotate(n=Count("id", filter=Q(outcome=JobRun.Outcome.FAILED))).values_list("job", "n")
    )
    slots = dict(JobState.objects.values_list("name", "last_slot"))
    rows = []
    for job in configured_jobs():
        runs = JobRun.objects.filter(job=job.name)
        rows.append(JobOverview(
            name=job.name, schedule=job.label(),
            action=" ".join(job.command) if job.command else job.task,
            last_slot=slots.get(job.name),
            last_success=runs.filter(outcome=JobRun.Outcome.OK).first(),
            last_run=runs.first(),
            failures=failures.get(job.name, 0),
        ))
    return rows


def recent_runs(*, limit: int) -> list[JobRun]:
    """The latest runs, leaving out interval jobs (the heartbeat would fill the page)."""
    frequent = [job.name for job in configured_jobs() if job.kind == "interval"]
    return list(JobRun.objects.exclude(job__in=frequent).defer("output")[:limit])


def heartbeats() -> list[Heartbeat]:
    return list(Heartbeat.objects.order_by("name"))
