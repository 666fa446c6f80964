"""`draw_spot_checks [--week YYYY-MM-DD] [--county CODE ...] [--rate 0.1] [--json]`: the weekly
spot-check draw (抽查) for every county with running classes (or the given ones). Meant to run
on Monday mornings; a county already drawn for the week is skipped."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from jixing.training.attendance_actions import draw_spot_checks, monday_of
from jixing.training.models import SpotCheckDraw, TrainingClass


class Command(BaseCommand):
    help = "Draw this week's spot checks of running classes, per county."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--week", default="", help="any day of the week (default: today)")
        parser.add_argument("--county", action="append", default=[], help="county code (repeatable)")
        parser.add_argument("--rate", default="", help="sampling rate, e.g. 0.1")
        parser.add_argument("--json", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            week = monday_of(dt.date.fromisoformat(options["week"]) if options["week"] else timezone.localdate())
            rate = Decimal(options["rate"]) if options["rate"] else None
        except (ValueError, InvalidOperation):
            raise CommandError("--week must be YYYY-MM-DD and --rate a number", returncode=2) from None
        counties = options["county"] or sorted(set(TrainingClass.objects.filter(
            start_date__lte=week + dt.timedelta(days=6), end_date__gte=week, closed_at__isnull=True,
        ).values_list("county_id", flat=True)))
        drawn, skipped = [], []
        for county in counties:
            if SpotCheckDraw.objects.filter(county_id=county, week=week).exists():
                skipped.append(county)
                continue
            try:
                draw = draw_spot_checks(by=None, county_id=county, week=week, rate=rate)
            except ValidationError as exc:
                raise CommandError(" ".join(exc.messages), returncode=2) from None
            drawn.append({"county": county, "seed": draw.seed, "candidates": len(draw.candidates),
                          "selected": draw.selected})
        summary = {"week": week.isoformat(), "drawn": drawn, "skipped": skipped}
        self.stdout.write(json.dumps(summary, ensure_ascii=False) if options["json"]
                          else f"week {week}: {len(drawn)} counties drawn, {len(skipped)} already drawn")
