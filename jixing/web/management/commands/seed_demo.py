"""Deterministic demo data across all 16 cities: ``seed_demo --scale small|medium --seed N``."""

from __future__ import annotations

import json
import time
from importlib import import_module
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from jixing.core.demo import DEMO_ORDER, SCALES, new_context
from jixing.registry.models import Person


class Command(BaseCommand):
    help = "Create a deterministic demo data set (Faker zh_CN). Does nothing if demo data exists."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--scale", choices=sorted(SCALES), default="small")
        parser.add_argument("--seed", type=int, default=2025)
        parser.add_argument("--json", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.monotonic()
        from jixing.registry.models import Region

        if not Region.objects.exists():
            raise CommandError("Reference data is missing: run `manage.py load_reference` first.")
        if Person.objects.exists():
            result = {"skipped": "demo data already present", "seconds": 0}
        else:
            ctx = new_context(options["scale"], options["seed"])
            for entry in DEMO_ORDER:
                try:
                    module = import_module(f"jixing.{entry}")
                except ModuleNotFoundError as exc:
                    if exc.name != f"jixing.{entry}":
                        raise
                    continue
                with transaction.atomic():
                    module.seed(ctx)
            result = {**ctx.counts, "seconds": round(time.monotonic() - started, 2)}
        if options["json"]:
            self.stdout.write(json.dumps(result, ensure_ascii=False))
        else:
            for key, value in result.items():
                self.stdout.write(f"{key}: {value}")
