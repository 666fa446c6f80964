"""Write the bank payment file of a batch (full account numbers: audited, E4).

The file is written first (a temporary file renamed into place), the batch is marked exported
after; a folder that does not exist fails before anything changes.

    manage.py export_bank_file BATCH --as grace --out DIR [--format csv|xlsx] [--json]
"""

from __future__ import annotations

import time
from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError

from jixing.funds import bankfiles
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
        try:
            bank_file, path = bankfiles.export_to_directory(batch, by=user, fmt=options["format"], directory=options["out"])
        except FileNotFoundError as exc:
            raise CommandError(str(exc.args[0] if exc.args else exc)) from None
        except PermissionDenied as exc:
            raise CommandError(str(exc)) from None
        emit(self, {"ok": True, "batch": batch.number, "file": str(path), "rows": bank_file.rows,
                    "sha256": bank_file.sha256, "seconds": round(time.monotonic() - started, 2)},
             as_json=options["json"], text=f"Wrote {bank_file.rows} orders to {path}.")
