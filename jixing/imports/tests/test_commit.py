"""Commit semantics: all valid rows or none, and progress other connections can see meanwhile."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.db import connection, connections

from jixing.core.testing import make_personas
from jixing.imports import actions
from jixing.imports.models import ImportJob, ImportStatus
from jixing.registry.idgen import make_id_number
from jixing.registry.importers import PersonImporter
from jixing.registry.models import Person

from .files import csv_bytes

HEADER = ["姓名", "公民身份号码", "户籍地行政区划代码", "现居地行政区划代码"]


def roster(n: int) -> bytes:
    return csv_bytes([HEADER] + [["张三", make_id_number("370102", dt.date(1990, 1, 1), 500 + i), "370102", "370102"]
                                 for i in range(n)])


def checked_job(user, data: bytes) -> ImportJob:
    job = actions.receive_upload("persons", io.BytesIO(data), file_name="p.csv", size=len(data), by=user)
    actions.validate_job(job, by=user)
    job.refresh_from_db()
    assert job.status == ImportStatus.VALIDATED
    return job


def test_it_writes_nothing_when_a_later_chunk_fails(personas, settings, tmp_path, monkeypatch):
    settings.JIXING_UPLOAD_DIR = tmp_path
    monkeypatch.setattr(PersonImporter, "chunk_size", 2)
    job = checked_job(personas.dave, roster(6))
    persons = Person.objects.count()
    calls = []
    original = PersonImporter.commit

    def failing_commit(self, items, *, by):
        calls.append(len(items))
        if len(calls) == 2:
            raise RuntimeError("disk full")
        return original(self, items, by=by)

    monkeypatch.setattr(PersonImporter, "commit", failing_commit)
    assert actions.claim_for_commit(job)
    assert actions.commit_job(job, by=personas.dave) is None
    job.refresh_from_db()
    assert calls == [2, 2]
    assert job.status == ImportStatus.FAILED and "没有导入任何数据" in job.message
    assert Person.objects.count() == persons  # the first chunk's rows were rolled back too
    assert list(tmp_path.iterdir()) == []


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_it_shows_commit_progress_to_other_connections_on_postgresql(reference, settings, tmp_path, monkeypatch):
    if connection.vendor != "postgresql":
        pytest.skip("SQLite has one writer; progress inside the commit transaction is PostgreSQL-only")
    personas = make_personas()
    settings.JIXING_UPLOAD_DIR = tmp_path
    monkeypatch.setattr(PersonImporter, "chunk_size", 2)
    job = checked_job(personas.dave, roster(6))
    persons = Person.objects.count()
    seen: list[tuple[int, int]] = []
    original = actions._Progress.__call__

    def spy(self, done, total):
        original(self, done, total)
        other = connections.create_connection("default")
        try:
            with other.cursor() as cursor:
                cursor.execute("SELECT rows_done FROM imports_importjob WHERE id = %s", [job.pk])
                rows_done = cursor.fetchone()[0]
                cursor.execute("SELECT count(*) FROM registry_person")
                seen.append((rows_done, cursor.fetchone()[0]))
        finally:
            other.close()

    monkeypatch.setattr(actions._Progress, "__call__", spy)
    assert actions.claim_for_commit(job)
    actions.commit_job(job, by=personas.dave)
    job.refresh_from_db()
    assert job.status == ImportStatus.COMMITTED and job.created_count == 6
    # Progress is visible at once; the persons only when the whole file is committed.
    assert seen == [(2, persons), (4, persons), (6, persons)]
    assert Person.objects.count() == persons + 6
