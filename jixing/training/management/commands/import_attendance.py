"""manage.py import_attendance FILE [--json] [--dry-run] [--user NAME]

Columns 班级编号, 公民身份号码, 签到时间, 签退时间, 签到方式, 设备编号, 经度, 纬度. UTF-8 CSV files
go through the vectorised path (polars in streaming chunks, COPY on PostgreSQL); other files
through the shared import pipeline with the same validator (``jixing.training.bulk_attendance``).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import CommandParser

from jixing.imports.actions import import_path
from jixing.imports.pipeline import ImportResult, inspect_upload
from jixing.training.bulk_attendance import fast_path_applies, import_attendance_csv

from ._output import TrainingImportCommand


class Command(TrainingImportCommand):
    help = "Import check-in/check-out records of training sessions."

    def add_arguments(self, parser: CommandParser) -> None:
        super().add_arguments(parser)
        parser.add_argument("--chunk-size", type=int, default=80_000, help="about this many rows per validation chunk")

    def run(self, options: dict[str, Any]) -> ImportResult:
        user = self.user(options["user"])
        path = Path(options["file"])
        info = inspect_upload(path, path.name)
        if fast_path_applies(path, info):
            return import_attendance_csv(path, by=user, dry_run=options["dry_run"], chunk_size=options["chunk_size"],
                                         info=info)
        result, _job = import_path("attendance", path, by=user, dry_run=options["dry_run"])
        return result
