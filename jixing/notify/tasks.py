"""Sending runs in the task worker: one task per delivery, retried with backoff."""

from __future__ import annotations

import datetime as dt

from django_tasks import default_task_backend, task


@task()
def send_delivery_task(delivery_id: int) -> str:
    from .actions import send_delivery

    return send_delivery(delivery_id)


def enqueue_delivery(delivery_id: int, *, run_after: dt.datetime | None = None) -> None:
    """Queue the send. A backend that cannot defer (the in-process one of tests) leaves a
    later attempt to the ``send_notifications`` sweep."""
    if run_after is not None:
        if not default_task_backend.supports_defer:
            return
        send_delivery_task.using(run_after=run_after).enqueue(delivery_id)
        return
    send_delivery_task.enqueue(delivery_id)


def enqueue_all(delivery_ids: list[int]) -> None:
    for pk in delivery_ids:
        enqueue_delivery(pk)
