"""`attendance_partitions [--ensure] [--ahead 3] [--detach-before YYYY-MM] [--json]`: the monthly
partitions of attendance on PostgreSQL (jixing/training/partitions.py, docs/scaling.md).

Without an option it lists the partitions. ``--ensure`` creates this month's and the next
``--ahead`` months' partitions (the scheduler's daily job ``attendance_partitions``); rows of
those months already in the DEFAULT partition are moved. ``--detach-before 2026-01`` detaches
every month before January 2026 for archiving (refused while a class with rows there is open).
On SQLite, or before the migration, there is nothing to do and it says so."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection
from django.utils import timezone

from jixing.core import audit
from jixing.training import partitions

SYSTEM_LABEL = "system:attendance-partitions"


class Command(BaseCommand):
    help = "List, create (--ensure) or detach (--detach-before YYYY-MM) the monthly partitions of attendance."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--ensure", action="store_true", help="create this month's and the next months' partitions")
        parser.add_argument("--ahead", type=int, default=3, help="months ahead to create with --ensure (default 3)")
        parser.add_argument("--detach-before", default="", metavar="YYYY-MM", help="detach every month before this one")
        parser.add_argument("--count", action="store_true", help="count rows exactly (default: the planner's estimate)")
        parser.add_argument("--json", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        today = timezone.localdate()
        summary: dict[str, Any] = {"partitioned": partitions.is_partitioned(connection)}
        if options["ahead"] < 0 or options["ahead"] > 24:
            raise CommandError("--ahead must be between 0 and 24", returncode=2)
        if options["ensure"]:
            created = partitions.ensure(connection, today=today, ahead=options["ahead"])
            summary["created"] = created
            if created:
                audit.record("training.attendance.partitions_created", object_type="training.attendance",
                             actor_label=SYSTEM_LABEL, detail={"partitions": created})
        if options["detach_before"]:
            try:
                before = dt.datetime.strptime(options["detach_before"], "%Y-%m").date()
            except ValueError:
                raise CommandError("--detach-before must be YYYY-MM", returncode=2) from None
            try:
                detached = partitions.detach_before(connection, before=before, today=today)
            except partitions.PartitionError as exc:
                raise CommandError(str(exc), returncode=2) from None
            summary["detached"] = detached
            if detached:
                audit.record("training.attendance.partitions_detached", object_type="training.attendance",
                             actor_label=SYSTEM_LABEL, detail={"partitions": detached, "before": before.isoformat()})
        summary["partitions"] = [{"name": p.name, "month": p.month.isoformat() if p.month else "default",
                                  "rows": p.rows} for p in partitions.partitions(connection, count_rows=options["count"])]
        if options["json"]:
            self.stdout.write(json.dumps(summary, ensure_ascii=False))
            return
        if not summary["partitioned"]:
            self.stdout.write("training_attendance is not partitioned (SQLite, or the migration has not run).")
            return
        for key in ("created", "detached"):
            if key in summary:
                self.stdout.write(f"{key}: {', '.join(summary[key]) or 'none'}")
        for part in summary["partitions"]:
            self.stdout.write(f"{part['name']}\t{part['month']}\t{part['rows']}")
