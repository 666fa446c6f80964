"""`purge_exports [--json]`: remove list-export files older than JIXING_EXPORT_KEEP_HOURS. They may
hold unmasked personal data (an export made with a reason), so they must not stay on disk after
their expiry; the scheduler runs this every hour (settings.JIXING_SCHEDULE)."""

from __future__ import annotations

import json
import time
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand

from jixing.core.exports import purge_old_exports


class Command(BaseCommand):
    help = "Remove export files older than JIXING_EXPORT_KEEP_HOURS (they may hold personal data)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--json", action="store_true", help="print one JSON object on one line")

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.monotonic()
        removed = purge_old_exports()
        result = {"removed": removed, "keep_hours": settings.JIXING_EXPORT_KEEP_HOURS,
                  "seconds": round(time.monotonic() - started, 2)}
        self.stdout.write(json.dumps(result, ensure_ascii=False) if options["json"]
                          else f"Removed {removed} export files older than {settings.JIXING_EXPORT_KEEP_HOURS} hours.")
