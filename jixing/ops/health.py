"""Liveness and readiness for the load balancer: each part is ok, fail or off (not configured).

Readiness gates on the parts the stack cannot work without (database, task worker, scheduler,
a queue that is not backed up). A lagging replica is reported but does not gate: heavy reads
then go to the primary (jixing.core.db_router), so the node still serves correctly.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.db import connections
from django.utils import timezone

from jixing.core import db_router

from .models import Heartbeat

OK, FAIL, OFF = "ok", "fail", "off"


@dataclass(frozen=True)
class Readiness:
    parts: dict[str, str]

    @property
    def ready(self) -> bool:
        return all(state != FAIL for name, state in self.parts.items() if name not in NON_GATING)

    def as_dict(self) -> dict[str, str]:
        return {"status": OK if self.ready else FAIL, **self.parts}


NON_GATING = frozenset({"replica"})


def _database() -> str:
    with connections["default"].cursor() as cursor:
        cursor.execute("SELECT 1")
        return OK if cursor.fetchone() == (1,) else FAIL


def _replica() -> str:
    if not db_router.replica_configured():
        return OFF
    return OK if db_router.replica_usable(fresh=True) else FAIL


def _fresh(name: str, max_age: int) -> str:
    at = Heartbeat.objects.filter(name=name).values_list("at", flat=True).first()
    return OK if at is not None and at >= timezone.now() - dt.timedelta(seconds=max_age) else FAIL


def _worker() -> str:
    return _fresh("worker", settings.JIXING_READY_WORKER_MAX_AGE)


def _scheduler() -> str:
    return _fresh("scheduler", settings.JIXING_READY_SCHEDULER_MAX_AGE)


def _queue() -> str:
    if settings.JIXING_TASKS == "redis":
        from jixing.core.tasks_rq import queue_depth

        try:
            return OK if queue_depth() <= settings.JIXING_READY_QUEUE_MAX else FAIL
        except Exception:  # Redis down: nothing gets enqueued, the node is not ready
            return FAIL
    if settings.TASKS["default"]["BACKEND"] != "django_tasks_db.DatabaseBackend":
        return OFF  # an in-process or external queue: depth is not ours to read
    from django_tasks_db.models import DBTaskResult

    return OK if DBTaskResult.objects.ready().count() <= settings.JIXING_READY_QUEUE_MAX else FAIL


CHECKS: dict[str, Callable[[], str]] = {
    "database": _database,
    "replica": _replica,
    "worker": _worker,
    "scheduler": _scheduler,
    "queue": _queue,
}


def readiness() -> Readiness:
    parts: dict[str, str] = {}
    for name, check in CHECKS.items():
        try:
            parts[name] = check()
        except Exception:  # a check that cannot even ask is a failed part, nothing more said
            parts[name] = FAIL
    if parts["database"] == FAIL:  # the others read the database too: do not guess
        parts.update({n: FAIL for n in ("worker", "scheduler", "queue") if parts[n] != OFF})
    return Readiness(parts)
