"""``reconcile_department_trainings [--json]``: flag counted department records that a jixing
enrollment entered afterwards duplicates (nightly; the enrollment counts, the record no longer)."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand

from jixing.stats import intake_actions


class Command(BaseCommand):
    help = "Flag department training records duplicated by later jixing enrollments."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--json", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        flagged = intake_actions.reconcile()
        if options["json"]:
            self.stdout.write(json.dumps({"flagged": flagged}))
        else:
            self.stdout.write(f"flagged: {flagged}")
