"""Queue again the deliveries whose retry or quiet-hours wait is over (run every few minutes
from cron or a systemd timer; the task worker also retries on its own when it can defer)."""

from __future__ import annotations

import json
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from jixing.notify.actions import retry_due


class Command(BaseCommand):
    help = "Queue deliveries (email, SMS) that are due for another attempt."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--json", action="store_true")
        parser.add_argument("--limit", type=int, default=1000)

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.monotonic()
        queued = retry_due(limit=options["limit"])
        if options["json"]:
            self.stdout.write(json.dumps({"queued": queued, "seconds": round(time.monotonic() - started, 3)}))
        else:
            self.stdout.write(f"{queued} deliveries queued")
