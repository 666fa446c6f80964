"""Utilisation of the public training bases by month (seed 一(九) 共建共享): booked station-hours
over open station-hours, with the bookings and outside institutions behind them."""

from __future__ import annotations

import json
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from jixing.core.access import within_region
from jixing.registry.models import Organisation, OrganisationKind

from ... import queries


class Command(BaseCommand):
    help = "Print each public training base's utilisation by month of a year."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--year", type=int, default=None)
        parser.add_argument("--region", default="", help="A region code (e.g. 370100) to limit the bases to.")
        parser.add_argument("--json", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.monotonic()
        year = options["year"] or timezone.localdate().year
        if not 2020 <= year <= 2035:
            raise CommandError("--year must lie between 2020 and 2035.")
        bases = Organisation.objects.filter(kind=OrganisationKind.PUBLIC_TRAINING_BASE)
        if options["region"]:
            bases = bases.filter(within_region("county", options["region"]))
        rows = queries.utilisation(list(bases.values_list("pk", flat=True)), year=year)
        if options["json"]:
            payload = {"year": year, "bases": [
                {**{k: v for k, v in row.items() if k != "months"},
                 "months": [{"month": m["month"], "booked_hours": str(m["booked_hours"]),
                             "share": None if m["share"] is None else str(m["share"])} for m in row["months"]]}
                for row in rows], "seconds": round(time.monotonic() - started, 2)}
            self.stdout.write(json.dumps(payload, ensure_ascii=False))
            return
        for row in rows:
            shares = " ".join("—" if m["share"] is None else f"{m['share'] * 100:.0f}%" for m in row["months"])
            self.stdout.write(f"{row['name']}: {shares} · {row['bookings']} bookings, "
                              f"{row['outside_institutions']} outside institutions")
