"""Reconcile a bank return file against its batch (G5); exit status 1 on any mismatch.

    manage.py reconcile FILE --batch BATCH --as grace [--json]
"""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError

from jixing.funds import actions, bankfiles
from jixing.funds.models import PaymentBatch

from ._common import acting_user, emit


class Command(BaseCommand):
    help = "Read a bank return file and reconcile it with a payment batch."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("file")
        parser.add_argument("--batch", required=True, help="batch number")
        parser.add_argument("--as", dest="username", help="finance officer username")
        parser.add_argument("--json", action="store_true", help="print one JSON object on one line")

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.monotonic()
        user = acting_user(options["username"])
        batch = PaymentBatch.objects.visible_to(user).filter(number=options["batch"]).first()
        if batch is None:
            raise CommandError(f"No batch {options['batch']} in your region.")
        path = Path(options["file"])
        try:
            parsed = bankfiles.parse_return_file(path, path.name)
            result = actions.reconcile_bank_return(batch, by=user, rows=parsed.rows, file_name=path.name,
                                                   file_sha256=parsed.sha256)
        except (bankfiles.ReturnFileError, ValidationError, PermissionDenied) as exc:
            message = exc.message if isinstance(exc, bankfiles.ReturnFileError) else "；".join(getattr(exc, "messages", [str(exc)]))
            emit(self, {"ok": False, "error": message, "seconds": round(time.monotonic() - started, 2)},
                 as_json=options["json"], text=f"Not reconciled: {message}")
            sys.exit(1)
        issues = [{"row": i.row_number, "kind": i.kind, "order": i.order_number, "reason": i.detail} for i in result.issues]
        emit(self, {
            "ok": result.ok, "batch": batch.number, "replay": result.replay, "rows": result.bank_return.rows,
            "succeeded": result.succeeded, "failed": result.failed, "mismatches": len(issues), "rejected": issues,
            "seconds": round(time.monotonic() - started, 2),
        }, as_json=options["json"], text=f"{len(issues)} mismatch(es) in {result.bank_return.rows} rows.")
        if not result.ok:
            sys.exit(1)
