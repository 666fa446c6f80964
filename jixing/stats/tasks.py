"""Background work of the statistics app."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from django_tasks import task

from . import rollup
from .actions import generate_dispatch_report


@task()
def monthly_dispatch_report() -> int:
    """Run on the 1st of each month (cron/systemd timer: `manage.py dispatch_report` or
    enqueue this task): the report for the month before."""
    today = timezone.localdate()
    period = (today.replace(day=1) - dt.timedelta(days=1)).replace(day=1)
    return generate_dispatch_report(period=period, by=None, today=today).pk


@task()
def refresh_rollups() -> int:
    return rollup.refresh()
