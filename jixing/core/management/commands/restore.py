"""``manage.py restore FILE [--json]``: load a backup into an empty, migrated database (D3)."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from jixing.core.backup import BackupError, restore


class Command(BaseCommand):
    help = "Restore a backup into an empty database (after `migrate`); verifies counts and checksums."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("file")
        parser.add_argument("--json", action="store_true", help="print one JSON object on one line")

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.monotonic()
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"No such file: {path}")
        try:
            result = restore(path)
        except BackupError as exc:
            raise CommandError(f"Restore refused, nothing was written: {exc}") from exc
        result["seconds"] = round(time.monotonic() - started, 2)
        if options["json"]:
            self.stdout.write(json.dumps(result, ensure_ascii=False))
        else:
            self.stdout.write(f"Restored {result['rows']} rows of {result['tables']} tables; counts and checksums match.")
