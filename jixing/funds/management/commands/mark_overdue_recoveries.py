"""Scheduled: recoveries past their deadline become overdue and are listed for escalation."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand

from jixing.funds import actions
from jixing.funds.models import RecoveryOrder, RecoveryStatus

from ._common import emit


class Command(BaseCommand):
    help = "Mark recovery orders past their deadline as overdue."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--json", action="store_true", help="print one JSON object on one line")

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.monotonic()
        marked = actions.mark_overdue_recoveries()
        overdue = RecoveryOrder.objects.filter(status=RecoveryStatus.OVERDUE).count()
        emit(self, {"ok": True, "marked": marked, "overdue": overdue, "seconds": round(time.monotonic() - started, 2)},
             as_json=options["json"], text=f"{marked} recovery order(s) newly overdue; {overdue} overdue in all.")
