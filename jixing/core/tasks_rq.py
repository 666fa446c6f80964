"""The task queue on Redis (``JIXING_TASKS=redis``): django-tasks-rq's RQ backend, enqueueing on commit.

The database backend writes a task's queue row inside the caller's transaction, so a worker
never sees a task before the rows it refers to are committed (an import job, an export job),
and a rolled-back request enqueues nothing. Redis is outside that transaction: enqueued as is,
a fast worker could pick ``validate_import(job.pk)`` before the job row commits, or run a
task for a request that then failed. This backend keeps the database backend's semantics: the
job is built (its id known and returned at once) but pushed to Redis only when the default
database's transaction commits (immediately when there is none), and dropped on rollback.

Worker: ``manage.py rqworker --job-class django_tasks_rq.Job default`` (``make serve`` and
``make worker`` start it when JIXING_TASKS=redis). docs/scaling.md says when to choose it.
"""

from __future__ import annotations

from typing import Any

import django_rq
from django.db import transaction
from django_tasks.base import TASK_MAX_PRIORITY, Task, TaskResult, TaskResultStatus
from django_tasks.signals import task_enqueued
from django_tasks.utils import get_random_id
from django_tasks_rq.backend import Job, RQBackend, failed_callback, success_callback
from rq.job import Callback, JobStatus


class OnCommitRQBackend(RQBackend):
    def enqueue(self, task: Task, args: Any, kwargs: Any) -> TaskResult:  # type: ignore[override]
        self.validate_task(task)
        result: TaskResult = TaskResult(
            task=task, id=get_random_id(), status=TaskResultStatus.READY, enqueued_at=None, started_at=None,
            last_attempted_at=None, finished_at=None, args=args, kwargs=kwargs, backend=self.alias, errors=[],
            worker_ids=[],
        )
        queue = django_rq.get_queue(task.queue_name, job_class=Job)
        job = queue.create_job(
            task.module_path, args=args, kwargs=kwargs, job_id=result.id,
            status=JobStatus.SCHEDULED if task.run_after else JobStatus.QUEUED,
            on_failure=Callback(failed_callback), on_success=Callback(success_callback),
            meta={"backend_name": self.alias},
        )

        def push() -> None:
            if task.run_after is None:
                queue.enqueue_job(job, at_front=task.priority == TASK_MAX_PRIORITY)
            else:
                queue.schedule_job(job, task.run_after)
            task_enqueued.send(type(self), task_result=result)

        transaction.on_commit(push, robust=False)
        return result


def queue_depth(name: str = "default") -> int:
    """Tasks waiting in the Redis queue (for /readyz)."""
    return int(django_rq.get_queue(name).count)
