"""Check the ledger (SECURITY.md G4): every posting has ≥ 2 lines summing to zero, no account
balance is below zero, and every cached balance equals the sum of its lines. Exit status 1
on any finding."""

from __future__ import annotations

import json
import sys
import time
from typing import Any

from django.core.management.base import BaseCommand

from jixing.funds import ledger


class Command(BaseCommand):
    help = "Verify the funds ledger; exit status 1 if a posting is unbalanced or a balance is negative or stale."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--json", action="store_true", help="print one JSON object on one line")

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.monotonic()
        report = ledger.verify()
        result = {**report.as_dict(), "seconds": round(time.monotonic() - started, 2)}
        if options["json"]:
            self.stdout.write(json.dumps(result, ensure_ascii=False))
        elif report.ok:
            self.stdout.write(f"Ledger OK: {report.postings} postings, {report.lines} lines.")
        else:
            self.stderr.write(
                f"Ledger BROKEN: {len(report.unbalanced_postings)} unbalanced posting(s), "
                f"{len(report.negative_balances)} negative balance(s), {len(report.stale_balances)} stale balance(s)."
            )
        if not report.ok:
            sys.exit(1)
