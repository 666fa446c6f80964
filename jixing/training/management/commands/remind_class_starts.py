"""`remind_class_starts [--today YYYY-MM-DD] [--json]`: tell the trainees and the institution of
every class starting tomorrow (once per class and start date; a repeated run tells no one)."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from jixing.training.reminders import remind_class_starts


class Command(BaseCommand):
    help = "Remind trainees and institutions of the classes that start tomorrow (once per class and date)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--today", default="", help="the day the reminder is sent (default: today)")
        parser.add_argument("--json", action="store_true", help="print one JSON object on one line")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            today = dt.date.fromisoformat(options["today"]) if options["today"] else None
        except ValueError:
            raise CommandError("--today must be YYYY-MM-DD", returncode=2) from None
        run = remind_class_starts(today=today)
        summary = {"start_date": run.day.isoformat(), "classes": run.classes, "trainees": run.trainees,
                   "already_reminded": run.already}
        self.stdout.write(json.dumps(summary, ensure_ascii=False) if options["json"] else
                          f"{run.day}: {len(run.classes)} classes reminded ({run.trainees} trainees), "
                          f"{run.already} reminded before")
