"""Run the supervision rules: incremental by default, ``--full`` to rescan everything.

Scheduled runs: django-tasks has no scheduler, so call this from cron or a systemd timer, e.g.
``*/30 * * * * cd /srv/jixing && .venv/bin/python manage.py run_supervision --json`` (in the
foreground), or ``manage.py run_supervision --enqueue`` to hand the run to the task worker
(``db_worker``) — see docs in ``jixing/supervision/tasks.py``.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from jixing.supervision import rules
from jixing.supervision.engine import run_rules


def _parse_since(value: str) -> dt.datetime:
    try:
        parsed = dt.datetime.fromisoformat(value)
    except ValueError:
        raise CommandError(f"--since: not a date or time: {value!r} (use YYYY-MM-DD or YYYY-MM-DDTHH:MM)") from None
    return timezone.make_aware(parsed) if timezone.is_naive(parsed) else parsed


class Command(BaseCommand):
    help = "Run the supervision risk rules (incremental by default) and record findings."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--rules", default="", help="comma-separated rule codes, e.g. R01,R03 (default: all)")
        parser.add_argument("--since", default="", help="only data changed since this date/time")
        parser.add_argument("--full", action="store_true", help="rescan all data, ignoring watermarks")
        parser.add_argument("--enqueue", action="store_true", help="hand the run to the background task worker")
        parser.add_argument("--json", action="store_true", help="print one JSON summary line")

    def handle(self, *args: Any, **options: Any) -> None:
        codes = [c.strip().upper() for c in options["rules"].split(",") if c.strip()]
        known = rules.by_code()
        if unknown := [c for c in codes if c not in known]:
            raise CommandError(f"unknown rule(s): {', '.join(unknown)}; known: {', '.join(known)}")
        if options["full"] and options["since"]:
            raise CommandError("--full and --since exclude each other")
        since = _parse_since(options["since"]) if options["since"] else None
        if options["enqueue"]:
            from jixing.supervision.tasks import run_supervision_task

            task_result = run_supervision_task.enqueue(codes=codes, full=options["full"],
                                                       since=since.isoformat() if since else None)
            summary = {"enqueued": str(task_result.id)}
            self.stdout.write(json.dumps(summary) if options["json"] else f"enqueued task {task_result.id}")
            return
        report = run_rules(codes=codes or None, full=options["full"], since=since)
        data = report.as_dict()
        if options["json"]:
            self.stdout.write(json.dumps(data, ensure_ascii=False, default=str))
            return
        for result in report.results:
            line = f"{result.code}: {result.status}"
            if result.status == "skipped" or result.reason:
                line += f" ({result.reason})"
            else:
                line += f" {result.mode}, {result.hits} hits, {result.created} new, {result.updated} updated, {result.seconds:.2f}s"
            self.stdout.write(line)
        self.stdout.write(f"total {data['seconds']:.2f}s")
        if data["failed"]:
            raise CommandError(f"failed: {', '.join(data['failed'])}")
