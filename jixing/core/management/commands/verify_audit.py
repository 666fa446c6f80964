"""Check the audit log's hash chain (SECURITY.md C2); exits non-zero when it is broken."""

from __future__ import annotations

import json
import sys
import time
from typing import Any

from django.core.management.base import BaseCommand

from jixing.core.audit import verify_chain
from jixing.core.models import AuditEvent


class Command(BaseCommand):
    help = "Verify the audit log's hash chain; exit status 1 if any row was altered, inserted or removed."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--json", action="store_true", help="print one JSON object on one line")

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.monotonic()
        broken = verify_chain()
        result = {
            "ok": not broken,
            "rows": AuditEvent.objects.count(),
            "broken_ids": broken[:1000],
            "broken": len(broken),
            "seconds": round(time.monotonic() - started, 2),
        }
        if options["json"]:
            self.stdout.write(json.dumps(result, ensure_ascii=False))
        elif broken:
            self.stderr.write(f"Audit chain BROKEN at {len(broken)} row(s), first ids: {broken[:20]}")
        else:
            self.stdout.write(f"Audit chain intact: {result['rows']} rows.")
        if broken:
            sys.exit(1)
