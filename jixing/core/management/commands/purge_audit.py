"""Delete audit rows older than the retention period (SECURITY.md C3: at least 180 days)."""

from __future__ import annotations

import datetime as dt
import json
import time
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from jixing.core import audit

MINIMUM_DAYS = 180


class Command(BaseCommand):
    help = "Purge audit rows older than JIXING_AUDIT_RETENTION_DAYS (never fewer than 180 days)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--days", type=int, default=None, help="retention in days (default: the setting)")
        parser.add_argument("--json", action="store_true", help="print one JSON object on one line")

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.monotonic()
        days = options["days"] if options["days"] is not None else settings.JIXING_AUDIT_RETENTION_DAYS
        if days < MINIMUM_DAYS:
            raise CommandError(f"Audit rows are kept at least {MINIMUM_DAYS} days (asked for {days}).")
        summary = audit.purge(older_than=timezone.now() - dt.timedelta(days=days))
        result = {"deleted": summary["deleted"], "retention_days": days, "seconds": round(time.monotonic() - started, 2)}
        if options["json"]:
            self.stdout.write(json.dumps(result, ensure_ascii=False))
        else:
            self.stdout.write(f"Deleted {result['deleted']} audit rows older than {days} days.")
