"""`dispatch_report --period 2026-10 --out FILE [--json]`: generate and save a dispatch report."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

from django import forms
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from jixing.stats.actions import generate_dispatch_report
from jixing.stats.forms import parse_period


class Command(BaseCommand):
    help = "Generate the dispatch report (调度通报) for a month and write it as Excel."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--period", required=True, help="YYYY-MM")
        parser.add_argument("--out", required=True, help="path of the .xlsx file to write")
        parser.add_argument("--json", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.monotonic()
        try:
            period = parse_period(options["period"], today=timezone.localdate())
        except forms.ValidationError as exc:
            raise CommandError(" ".join(exc.messages), returncode=2) from None
        report = generate_dispatch_report(period=period, by=None, today=timezone.localdate())
        out = Path(options["out"])
        out.write_bytes(bytes(report.workbook))
        summary = {
            "report": report.pk, "period": report.data["period"], "as_of": report.data["as_of"],
            "targets": len(report.data["targets"]), "cities": len(report.data["cities"]),
            "out": str(out), "seconds": round(time.monotonic() - started, 3),
        }
        self.stdout.write(json.dumps(summary, ensure_ascii=False) if options["json"] else f"wrote {out} ({summary['period']})")
