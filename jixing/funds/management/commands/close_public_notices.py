"""Scheduled: claims whose public notice (公示) has ended become payable."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand

from jixing.funds import actions

from ._common import emit


class Command(BaseCommand):
    help = "Move claims whose public notice period has ended to payable."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--json", action="store_true", help="print one JSON object on one line")

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.monotonic()
        moved = actions.close_due_notices()
        emit(self, {"ok": True, "payable": moved, "seconds": round(time.monotonic() - started, 2)},
             as_json=options["json"], text=f"{moved} claim(s) now payable.")
