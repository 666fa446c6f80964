"""Sign the audit chain's head into an append-only checkpoint (SECURITY.md C2).

Scheduled every 15 minutes (cron / systemd timer, see README): rows up to a checkpoint
cannot be removed, the tail included, without ``verify_audit`` noticing.
"""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand

from jixing.core.audit import write_checkpoint


class Command(BaseCommand):
    help = "Write a signed checkpoint (row count, last id and hash) of the audit chain's head."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--json", action="store_true", help="print one JSON object on one line")

    def handle(self, *args: Any, **options: Any) -> None:
        checkpoint = write_checkpoint()
        result = {"id": checkpoint.id, "at": checkpoint.at.isoformat(), "rows": checkpoint.rows,
                  "last_id": checkpoint.last_id, "head_hash": checkpoint.head_hash}
        if options["json"]:
            self.stdout.write(json.dumps(result, ensure_ascii=False))
        else:
            self.stdout.write(f"Audit checkpoint {checkpoint.id}: {checkpoint.rows} rows, head {checkpoint.last_id}.")
