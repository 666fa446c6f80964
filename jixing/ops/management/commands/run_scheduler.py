"""`run_scheduler [--once] [--tick SECONDS]`: the built-in scheduler process (started by `make serve`).

Runs the jobs of settings.JIXING_SCHEDULE when due; every run is recorded (operations page).
Several schedulers may run at once (say one per host): each slot is claimed by exactly one.
"""

from __future__ import annotations

import json
import signal
import threading
from types import FrameType
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from jixing.ops import scheduler


class Command(BaseCommand):
    help = "Run the periodic jobs of settings.JIXING_SCHEDULE (supervision, notices, dispatch report, heartbeat)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--once", action="store_true", help="run what is due now, then exit")
        parser.add_argument("--tick", type=float, default=15.0, help="seconds between checks (default 15)")
        parser.add_argument("--json", action="store_true", help="with --once: print one JSON summary line")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["once"]:
            scheduler.beat("scheduler")
            runs = [r for r in scheduler.run_due() if not isinstance(r, threading.Thread)]
            summary = {"ran": [{"job": r.job, "outcome": r.outcome, "seconds": r.duration_seconds} for r in runs]}
            self.stdout.write(json.dumps(summary) if options["json"] else
                              "\n".join(f"{r.job}: {r.outcome}" for r in runs) or "nothing due")
            return
        stop = threading.Event()

        def _stop(signum: int, frame: FrameType | None) -> None:
            stop.set()

        signal.signal(signal.SIGTERM, _stop)
        signal.signal(signal.SIGINT, _stop)
        self.stdout.write(f"scheduler: {len(scheduler.configured_jobs())} jobs, checking every {options['tick']}s")
        scheduler.run_forever(tick_seconds=options["tick"], stop=stop)
