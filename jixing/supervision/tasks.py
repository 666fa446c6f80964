"""Background supervision runs (django-tasks).

django-tasks has no scheduler of its own. Schedule the incremental run with cron or a systemd
timer on the application host, either running it directly::

    # /etc/cron.d/jixing-supervision — every 30 minutes, full rescan nightly at 02:30
    */30 * * * *  jixing  cd /srv/jixing && .venv/bin/python manage.py run_supervision --json
    30 2 * * *    jixing  cd /srv/jixing && .venv/bin/python manage.py run_supervision --full --json

or handing it to the task worker (``manage.py db_worker``, started by ``make run``) so the web
host's cron only enqueues::

    */30 * * * *  jixing  cd /srv/jixing && .venv/bin/python manage.py run_supervision --enqueue

(systemd: a ``jixing-supervision.service`` with ``ExecStart=... run_supervision --json`` and a
``jixing-supervision.timer`` with ``OnCalendar=*:0/30``.) Officers can also start a run from the
dashboard, which enqueues this task.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django_tasks import task


@task()
def run_supervision_task(codes: list[str] | None = None, full: bool = False, since: str | None = None,
                         user_id: int | None = None) -> dict[str, Any]:
    from django.contrib.auth import get_user_model

    from .engine import run_rules

    by = get_user_model().objects.filter(pk=user_id).first() if user_id else None
    report = run_rules(codes=codes or None, full=full, since=dt.datetime.fromisoformat(since) if since else None, by=by)
    return report.as_dict()
