"""The task queue on Redis (JIXING_TASKS=redis, jixing/core/tasks_rq.py): enqueued only when the
caller's transaction commits, dropped on rollback, run by an RQ worker, its depth in /readyz."""

from __future__ import annotations

import os
import socket
from collections.abc import Iterator

import pytest
from django.db import transaction
from django.test import override_settings

from jixing.ops import health
from jixing.ops.models import Heartbeat
from jixing.ops.tasks import worker_heartbeat


def _redis_up() -> bool:
    try:
        socket.create_connection(("127.0.0.1", 6379), timeout=0.5).close()
        return True
    except OSError:
        return False


def _redis_db() -> int:
    """Redis database 15 is this suite's, emptied by the tests; under pytest-xdist each worker
    takes one of its own (gw0 → 15, gw1 → 14 …) so that one worker's flush or queue count never
    meets another's jobs."""
    worker = os.environ.get("PYTEST_XDIST_WORKER", "gw0")
    return 15 - int(worker.removeprefix("gw")) % 8


pytestmark = pytest.mark.skipif(not _redis_up(), reason="no Redis on 127.0.0.1:6379")
REDIS = {
    "JIXING_TASKS": "redis",
    "TASKS": {"default": {"BACKEND": "jixing.core.tasks_rq.OnCommitRQBackend", "QUEUES": ["default"]}},
    "RQ_QUEUES": {"default": {"URL": f"redis://127.0.0.1:6379/{_redis_db()}"}},  # its own Redis database, emptied here
}


@pytest.fixture
def queue() -> Iterator[object]:
    import django_rq

    with override_settings(**REDIS):
        q = django_rq.get_queue("default")
        q.connection.flushdb()
        yield q
        q.connection.flushdb()


@pytest.mark.django_db(transaction=True)
def test_tasks_reach_redis_on_commit_and_an_rq_worker_runs_them(queue) -> None:
    from django_tasks import default_task_backend
    from django_tasks.base import TaskResultStatus
    from django_tasks_rq.backend import Job
    from rq import SimpleWorker

    with transaction.atomic():
        result = worker_heartbeat.enqueue()
        assert queue.count == 0  # a worker cannot see it before the caller's rows are committed
    assert queue.count == 1

    with pytest.raises(RuntimeError), transaction.atomic():
        worker_heartbeat.enqueue()
        raise RuntimeError("the request failed")
    assert queue.count == 1  # rolled back: nothing enqueued

    assert health._queue() == health.OK
    SimpleWorker([queue], connection=queue.connection, job_class=Job).work(burst=True)
    assert queue.count == 0
    assert Heartbeat.objects.filter(name="worker").exists()
    assert default_task_backend.get_result(result.id).status == TaskResultStatus.SUCCESSFUL


@pytest.mark.django_db
def test_readyz_fails_the_queue_when_redis_is_deeper_than_allowed_or_gone(queue) -> None:
    worker_heartbeat.enqueue()
    worker_heartbeat.enqueue()
    # pytest-django's transaction never commits: push what is pending by hand
    from django.db import connection

    for pending in connection.run_on_commit:
        pending[1]()
    connection.run_on_commit.clear()
    assert queue.count == 2
    with override_settings(JIXING_READY_QUEUE_MAX=1):
        assert health._queue() == health.FAIL
    with override_settings(RQ_QUEUES={"default": {"URL": "redis://127.0.0.1:1/0"}}):
        assert health._queue() == health.FAIL


def test_the_setting_chooses_the_redis_queue_and_refuses_an_unknown_one() -> None:
    import os
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parents[3]
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings_test", "JIXING_TASKS": "redis"}
    show = ("from django.conf import settings; "
            "print(settings.TASKS['default']['BACKEND'], 'django_rq' in settings.INSTALLED_APPS)")
    done = subprocess.run([sys.executable, "manage.py", "shell", "-c", show], cwd=root, env=env,
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().splitlines()[-1].split() == ["jixing.core.tasks_rq.OnCommitRQBackend", "True"]
    checked = subprocess.run([sys.executable, "manage.py", "check"], cwd=root, env=env, capture_output=True,
                             text=True, timeout=60)
    assert checked.returncode == 0, checked.stderr  # django-tasks-rq's own checks: app installed, queue configured
    bad = subprocess.run([sys.executable, "manage.py", "check"], cwd=root, env={**env, "JIXING_TASKS": "kafka"},
                         capture_output=True, text=True, timeout=60)
    assert bad.returncode != 0 and "JIXING_TASKS must be 'database' or 'redis'" in bad.stderr
