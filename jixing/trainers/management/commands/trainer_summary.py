"""The trainer pool, 马兰花 and 数字技术工程师 figures of a year for the whole province: for the
dispatch report and scripts. ``--json`` prints one object on one line."""

from __future__ import annotations

import datetime as dt
import json
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db.models import Count, Sum
from django.utils import timezone

from jixing.evaluation.engineer_models import EngineerCertificate
from jixing.trainers.models import MalanhuaAccreditation, MalanhuaActivity, TrainerProfile


class Command(BaseCommand):
    help = "Trainer pool by grade, 马兰花 accreditations and person-times, engineer certificates for a year."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--year", type=int, default=None)
        parser.add_argument("--json", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.monotonic()
        today = timezone.localdate()
        year = options["year"] or today.year
        pool = TrainerProfile.objects.active()
        activities = MalanhuaActivity.objects.filter(held_on__year=year)
        summary = {
            "year": year,
            "trainers": pool.count(),
            "trainers_by_grade": {str(g): n for g, n in pool.values_list("grade").annotate(n=Count("id"))},
            "malanhua_accredited": MalanhuaAccreditation.objects.active().filter(valid_to__gte=today).count(),
            "malanhua_expiring_90_days": MalanhuaAccreditation.objects.active()
            .filter(valid_to__gte=today, valid_to__lte=today + dt.timedelta(days=90)).count(),
            "malanhua_person_times": {k: int(n or 0) for k, n in activities.values_list("kind")
                                      .annotate(n=Sum("person_times"))},
            "engineer_certificates": dict(EngineerCertificate.objects.valid().filter(issued_on__year=year)
                                          .values_list("level").annotate(n=Count("id"))),
            "elapsed_seconds": round(time.monotonic() - started, 3),
        }
        if options["json"]:
            self.stdout.write(json.dumps(summary, ensure_ascii=False))
            return
        for key, value in summary.items():
            self.stdout.write(f"{key}: {value}")
