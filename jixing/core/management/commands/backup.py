"""``manage.py backup --out FILE [--json]``: dump every table (SECURITY.md D3)."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from jixing.core.backup import backup


class Command(BaseCommand):
    help = "Write a verified backup (JSON lines with per-table counts and sha256; .gz compresses)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--out", required=True, help="file to write (FILE.sha256 is written next to it)")
        parser.add_argument("--json", action="store_true", help="print one JSON object on one line")

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.monotonic()
        path = Path(options["out"])
        if not path.parent.is_dir():
            raise CommandError(f"Directory {path.parent} does not exist.")
        result = backup(path)
        result["seconds"] = round(time.monotonic() - started, 2)
        if options["json"]:
            self.stdout.write(json.dumps(result, ensure_ascii=False))
        else:
            self.stdout.write(f"Backed up {result['rows']} rows of {result['tables']} tables to {path} (sha256 {result['sha256']}).")
