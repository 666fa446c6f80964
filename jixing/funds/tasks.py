"""Scheduled funds work (run nightly by the task worker or cron): claims whose public notice
ended become payable; recoveries past their deadline become overdue and are listed for
escalation."""

from __future__ import annotations

from django_tasks import task


@task()
def close_public_notices() -> int:
    from .actions import close_due_notices

    return close_due_notices()


@task()
def mark_overdue_recoveries() -> int:
    from .actions import mark_overdue_recoveries as mark

    return mark()
