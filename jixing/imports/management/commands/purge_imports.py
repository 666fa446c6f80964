"""manage.py purge_imports [--hours N] [--json]: cancel import jobs left waiting and delete
their uploaded files (SECURITY.md D4). Run it daily (cron / scheduler)."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from jixing.imports.actions import purge_stale_uploads


class Command(BaseCommand):
    help = "Cancel import jobs idle for more than --hours (default 24) and delete their uploaded files."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--hours", type=int, default=24)
        parser.add_argument("--json", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        cancelled = purge_stale_uploads(older_than_hours=options["hours"])
        if options["json"]:
            self.stdout.write(json.dumps({"cancelled": cancelled}))
        else:
            self.stdout.write(f"cancelled {cancelled} stale import jobs")
