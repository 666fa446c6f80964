"""Write the bank payment file of a batch (full account numbers: audited, E4).

    manage.py export_bank_file BATCH --as grace --out DIR [--format csv|xlsx] [--json]
"""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from jixing.funds import actions, bankfiles
from jixing.funds.models import PaymentBatch

from ._common import acting_user, emit


class Command(BaseCommand):
    help = "Export the bank payment file of a batch."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("batch", help="batch number")
        parser.add_argument("--as", dest="username", help="finance officer username")
        parser.add_argument("--out", default=".", help="directory to write the file to")
        parser.add_argument("--format", choices=["csv", "xlsx"], default="csv")
        parser.add_argument("--json", action="store_true", help="print one JSON object on one line")

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.monotonic()
        user = acting_user(options["username"])
        batch = PaymentBatch.objects.visible_to(user).filter(number=options["batch"]).first()
        if batch is None:
            raise CommandError(f"No batch {options['batch']} in your region.")
        bank_file = bankfiles.build_payment_file(batch, options["format"])
        actions.record_bank_file_export(batch, by=user, sha256=bank_file.sha256, rows=bank_file.rows, fmt=options["format"])
        path = Path(options["out"]) / bank_file.file_name
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as fh:
            fh.write(bank_file.content)
        emit(self, {"ok": True, "batch": batch.number, "file": str(path), "rows": bank_file.rows,
                    "sha256": bank_file.sha256, "seconds": round(time.monotonic() - started, 2)},
             as_json=options["json"], text=f"Wrote {bank_file.rows} orders to {path}.")
