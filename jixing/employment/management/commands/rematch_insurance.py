"""``manage.py rematch_insurance [--json]``: move held contribution rows whose person has been
registered since into the contribution records, link employers registered since, and confirm
or derive the placements those rows show. Safe to run any time (scheduled nightly)."""

from __future__ import annotations

import json
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils.translation import gettext as _

from jixing.employment.actions import rematch_held_contributions


class Command(BaseCommand):
    help = "Re-match held social-insurance rows to persons registered since."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--json", action="store_true", help="print one JSON summary line")

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.monotonic()
        result: dict[str, Any] = dict(rematch_held_contributions())
        result["seconds"] = round(time.monotonic() - started, 3)
        if options["json"]:
            self.stdout.write(json.dumps(result, ensure_ascii=False, separators=(",", ":")))
            return
        self.stdout.write(
            _("%(rows)d held rows matched to %(persons)d persons; %(linked)d rows linked to employers; "
              "%(confirmed)d placements confirmed, %(derived)d derived.")
            % {"rows": result["held_rows_matched"], "persons": result["persons_matched"],
               "linked": result["employers_linked"], "confirmed": result["placements_confirmed"],
               "derived": result["placements_derived"]}
        )
