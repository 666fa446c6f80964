"""manage.py purge_imports [--hours N] [--interrupted-only] [--json]: fail cleanly the import jobs
whose worker died mid-run (every few minutes: JIXING_SCHEDULE "recover_imports"), cancel those
left waiting and delete their uploaded files (SECURITY.md D4; daily)."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from jixing.imports.actions import purge_stale_uploads, recover_interrupted_imports


class Command(BaseCommand):
    help = "Cancel import jobs idle for more than --hours (default 24) and delete their uploaded files."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--hours", type=int, default=24)
        parser.add_argument("--interrupted-only", action="store_true",
                            help="Only fail the jobs whose worker died mid-run.")
        parser.add_argument("--json", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        interrupted = recover_interrupted_imports()
        cancelled = 0 if options["interrupted_only"] else purge_stale_uploads(older_than_hours=options["hours"])
        if options["json"]:
            self.stdout.write(json.dumps({"interrupted": interrupted, "cancelled": cancelled}))
        else:
            self.stdout.write(f"failed {interrupted} interrupted and cancelled {cancelled} stale import jobs")
