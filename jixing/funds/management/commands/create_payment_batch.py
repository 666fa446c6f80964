"""Create a payment batch of every payable claim in the officer's region (G2, G5).

    manage.py create_payment_batch --as grace [--close-notices] [--limit N] [--json]

Refused (exit 1) while an earlier batch of the region has unresolved reconciliation mismatches.
"""

from __future__ import annotations

import sys
import time
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand

from jixing.funds import actions

from ._common import acting_user, emit


class Command(BaseCommand):
    help = "Create a payment batch of the payable claims in the acting finance officer's region."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--as", dest="username", help="finance officer username")
        parser.add_argument("--limit", type=int, default=None)
        parser.add_argument("--close-notices", action="store_true", help="first move claims whose public notice ended to payable")
        parser.add_argument("--json", action="store_true", help="print one JSON object on one line")

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.monotonic()
        user = acting_user(options["username"])
        closed = actions.close_due_notices() if options["close_notices"] else 0
        try:
            result = actions.create_payment_batch(by=user, limit=options["limit"])
        except (ValidationError, actions.Conflict, PermissionDenied) as exc:
            message = exc.message if isinstance(exc, actions.Conflict) else "；".join(getattr(exc, "messages", [str(exc)]))
            emit(self, {"ok": False, "error": message, "notices_closed": closed,
                        "seconds": round(time.monotonic() - started, 2)},
                 as_json=options["json"], text=f"No batch: {message}")
            sys.exit(1)
        batch = result.batch
        assert batch is not None
        emit(self, {
            "ok": True, "batch": batch.number, "orders": batch.order_count, "issued": result.issued,
            "attached": result.attached, "total": str(batch.total_amount), "refused": result.refused,
            "notices_closed": closed, "seconds": round(time.monotonic() - started, 2),
        }, as_json=options["json"], text=f"Batch {batch.number}: {batch.order_count} orders, {batch.total_amount} yuan.")
