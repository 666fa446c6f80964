"""Scheduled: every decided key-project milestone (揭榜领题) gets its milestone payment, in case
the listener of ``training.key_milestone.accepted`` / ``failed`` missed one."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand

from jixing.funds import actions
from jixing.funds.models import MilestonePayment

from ._common import emit


class Command(BaseCommand):
    help = "Record the released and withheld tranche of every decided key-project milestone that has none yet."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--json", action="store_true", help="print one JSON object on one line")

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.monotonic()
        recorded = actions.record_decided_milestone_payments()
        total = MilestonePayment.objects.count()
        emit(self, {"ok": True, "recorded": recorded, "milestone_payments": total,
                    "seconds": round(time.monotonic() - started, 2)},
             as_json=options["json"], text=f"{recorded} milestone payment(s) recorded; {total} in all.")
