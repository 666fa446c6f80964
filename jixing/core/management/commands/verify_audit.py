"""Check the audit log's hash chain and its newest signed checkpoint (SECURITY.md C2);
exits non-zero when either is broken."""

from __future__ import annotations

import json
import sys
import time
from typing import Any

from django.core.management.base import BaseCommand

from jixing.core.audit import verify_chain, verify_checkpoint
from jixing.core.models import AuditEvent


class Command(BaseCommand):
    help = (
        "Verify the audit log's keyed hash chain and compare it with the newest signed checkpoint; "
        "exit status 1 if any row was altered, inserted or removed (the tail and the whole log included)."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--json", action="store_true", help="print one JSON object on one line")

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.monotonic()
        broken = verify_chain()
        checkpoint = verify_checkpoint()
        ok = not broken and not checkpoint
        result = {
            "ok": ok,
            "rows": AuditEvent.objects.count(),
            "broken_ids": broken[:1000],
            "broken": len(broken),
            "checkpoint_problems": checkpoint,
            "seconds": round(time.monotonic() - started, 2),
        }
        if options["json"]:
            self.stdout.write(json.dumps(result, ensure_ascii=False))
        else:
            if broken:
                self.stderr.write(f"Audit chain BROKEN at {len(broken)} row(s), first ids: {broken[:20]}")
            for problem in checkpoint:
                self.stderr.write(f"Audit chain disagrees with its checkpoint: {problem}")
            if ok:
                self.stdout.write(f"Audit chain intact: {result['rows']} rows.")
        if not ok:
            sys.exit(1)
