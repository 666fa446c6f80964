"""Export files (unmasked ones hold personal data) do not stay after their expiry: the scheduler
runs purge_exports every hour, and the purge removes every expired file and nothing fresh."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.core.management import call_command
from django.utils import timezone

from jixing.core.models import ExportJob, ExportStatus
from jixing.ops.schedule import parse_schedule

pytestmark = pytest.mark.django_db


def test_the_schedule_purges_exports_at_least_every_keep_period(settings) -> None:
    jobs = {job.name: job for job in parse_schedule(settings.JIXING_SCHEDULE)}
    job = jobs["purge_exports"]
    assert job.command[0] == "purge_exports"
    assert job.kind == "interval" and job.seconds <= settings.JIXING_EXPORT_KEEP_HOURS * 3600


def _job(user, tmp_path, name: str, *, hours_ago: float, unmasked: bool = False) -> ExportJob:
    path = tmp_path / f"{name}.xlsx"
    path.write_bytes(b"PK\x03\x04 personal data")
    return ExportJob.objects.create(
        user=user, list_name="persons", status=ExportStatus.DONE, path=str(path), file_name=f"{name}.xlsx",
        unmasked=unmasked, reason="核对身份" if unmasked else "",
        created_at=timezone.now() - dt.timedelta(hours=hours_ago))


def test_the_purge_removes_expired_files_and_keeps_fresh_ones(settings, personas, tmp_path, capsys) -> None:
    settings.JIXING_EXPORT_KEEP_HOURS = 24
    old_unmasked = _job(personas.bob, tmp_path, "old-unmasked", hours_ago=25, unmasked=True)
    old_masked = _job(personas.bob, tmp_path, "old-masked", hours_ago=48)
    fresh = _job(personas.bob, tmp_path, "fresh", hours_ago=2, unmasked=True)
    old_paths = [old_unmasked.path, old_masked.path]
    call_command("purge_exports", "--json")
    assert json.loads(capsys.readouterr().out)["removed"] == 2
    for job, path in zip([old_unmasked, old_masked], old_paths, strict=True):
        job.refresh_from_db()
        assert job.path == "" and not (tmp_path / path.rsplit("/", 1)[-1]).exists()
    fresh.refresh_from_db()
    assert fresh.path and (tmp_path / "fresh.xlsx").exists()
    # a second run finds nothing more (and a file already gone is no error)
    call_command("purge_exports", "--json")
    assert json.loads(capsys.readouterr().out)["removed"] == 0
