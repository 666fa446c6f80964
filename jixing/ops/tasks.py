"""The worker's heartbeat: enqueued by the scheduler, so /readyz knows a worker takes tasks."""

from __future__ import annotations

from django_tasks import task

from .scheduler import beat


@task()
def worker_heartbeat() -> str:
    beat("worker")
    return "ok"
