"""Failure drills (issue 19): what a production incident does to the data, as tests.

- PostgreSQL kills the backend of a payment batch mid-way (pg_terminate_backend: what a restart
  or an OOM kill of that backend does): nothing of the batch is kept, the retry with the same
  idempotency key pays every claim once, a second retry replays, the ledger verifies.
- The upload limit is filled: a file of exactly the limit is taken, one byte more is refused
  with the limit in the message, and a client lying about the size is stopped while streaming;
  nothing is kept on disk or in the database.
- The worker is killed (SIGKILL) mid-commit of a 30,000-row roster: its transaction dies with
  it (no person written); the job, left "writing rows" with no live worker holding its run lock,
  is failed cleanly by the recovery sweep (imports.actions.recover_interrupted_imports, run
  every 5 minutes by the scheduler) and its upload deleted.
Each drill runs in seconds.
"""

from __future__ import annotations

import io
import threading
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, connections
from django.urls import reverse

from jixing.core.testing import TEST_PASSWORD, make_personas
from jixing.funds import actions, ledger
from jixing.funds.actions import payments as payment_actions
from jixing.funds.models import AccountKind, ClaimStatus, PaymentBatch, PaymentOrder, Posting, PostingKind
from jixing.funds.tests import factories as f
from jixing.imports.actions import receive_upload
from jixing.imports.models import ImportJob
from jixing.imports.readers import FileRejected
from jixing.imports.tests.files import csv_bytes
from jixing.imports.tests.test_upload_checks import many_rows
from jixing.registry.models import Person

on_postgres = pytest.mark.skipif(connection.vendor != "postgresql", reason="a PostgreSQL drill (DATABASE_URL=postgres://…)")


# ---------------------------------------------------------------- payment batch, backend killed

@pytest.mark.postgres
@on_postgres
@pytest.mark.django_db(transaction=True)
def test_a_payment_batch_whose_backend_is_killed_pays_nothing_and_its_retry_pays_once(reference, monkeypatch):
    w = f.funded_class(make_personas(), trainees=3)
    claims = [f.claim_in(w, ClaimStatus.PAYABLE, enrollments=[e]) for e in w.enrollments]
    paid_before = ledger.budget_account(w.budget, AccountKind.PAID).balance
    one_issued, killed = threading.Event(), threading.Event()
    backend: list[int] = []
    real_issue = actions.issue_payment_order

    def issue_then_wait(claim, **kwargs):
        out = real_issue(claim, **kwargs)
        if not one_issued.is_set():
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_backend_pid()")
                backend.append(cursor.fetchone()[0])
            one_issued.set()
            killed.wait(timeout=10)
        return out

    outcome: list[object] = []

    def batch() -> None:
        try:
            outcome.append(actions.create_payment_batch(by=w.p.grace, idempotency_key="DRILL-BATCH-0001"))
        except Exception as exc:  # noqa: BLE001 - the outcome is what we assert on
            outcome.append(exc)
        finally:
            connections.close_all()

    monkeypatch.setattr(payment_actions, "issue_payment_order", issue_then_wait)
    thread = threading.Thread(target=batch)
    thread.start()
    assert one_issued.wait(timeout=15), "the batch never issued its first order"
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_terminate_backend(%s)", [backend[0]])
        assert cursor.fetchone()[0]
    killed.set()
    thread.join(timeout=20)
    assert len(outcome) == 1 and isinstance(outcome[0], Exception), outcome  # the batch failed, visibly

    # Nothing of it is kept: no batch, no order, no payment posting, the budget untouched.
    assert PaymentBatch.objects.count() == 0 and PaymentOrder.objects.count() == 0
    assert not Posting.objects.filter(kind=PostingKind.PAYMENT).exists()
    assert ledger.budget_account(w.budget, AccountKind.PAID).balance == paid_before
    assert ledger.verify().ok

    monkeypatch.setattr(payment_actions, "issue_payment_order", real_issue)
    retry = actions.create_payment_batch(by=w.p.grace, idempotency_key="DRILL-BATCH-0001")
    again = actions.create_payment_batch(by=w.p.grace, idempotency_key="DRILL-BATCH-0001")
    assert not retry.replay and again.replay and again.batch.pk == retry.batch.pk
    assert retry.issued == len(claims) == PaymentOrder.objects.count()
    assert sorted(PaymentOrder.objects.values_list("claim_id", flat=True)) == sorted(c.pk for c in claims)
    assert Posting.objects.filter(kind=PostingKind.PAYMENT).count() == len(claims)
    assert ledger.budget_account(w.budget, AccountKind.PAID).balance - paid_before == sum(
        (o.amount for o in PaymentOrder.objects.all()), Decimal("0"))
    assert ledger.verify().ok


# ---------------------------------------------------------------- the upload limit

@pytest.mark.django_db
def test_the_upload_limit_takes_a_full_file_and_refuses_one_byte_more(personas, settings, tmp_path, client):
    settings.JIXING_UPLOAD_DIR = tmp_path / "uploads"
    data = csv_bytes(many_rows(40))
    persons = Person.objects.count()

    settings.JIXING_IMPORT_MAX_BYTES = len(data) - 1
    assert client.login(username="dave", password=TEST_PASSWORD)
    page = client.post(reverse("imports:upload", args=["persons"]), {"file": SimpleUploadedFile("p.csv", data)})
    assert page.status_code == 400
    assert "文件过大" in page.content.decode() and f"{(len(data) - 1) / 1024 / 1024:.1f}" in page.content.decode()
    # A client that declares a small size is stopped while the file streams in.
    with pytest.raises(FileRejected) as lied:
        receive_upload("persons", io.BytesIO(data), file_name="p.csv", size=10, by=personas.dave)
    assert "文件过大" in str(lied.value.message) or "too large" in str(lied.value.message)
    assert ImportJob.objects.count() == 0 and Person.objects.count() == persons
    uploads = settings.JIXING_UPLOAD_DIR
    assert not uploads.exists() or list(uploads.iterdir()) == []  # no plaintext or sealed copy left

    settings.JIXING_IMPORT_MAX_BYTES = len(data)  # exactly full: taken
    job = receive_upload("persons", io.BytesIO(data), file_name="p.csv", size=len(data), by=personas.dave)
    assert ImportJob.objects.filter(pk=job.pk).exists()


# ---------------------------------------------------------------- worker killed mid-import

def _big_persons_csv(n: int) -> bytes:
    import datetime as dt

    from jixing.imports.tests.test_upload_checks import HEADER
    from jixing.registry.idgen import make_id_number

    rows: list[list[object]] = [list(HEADER)]
    for i in range(n):
        born = dt.date(1960, 1, 1) + dt.timedelta(days=i // 400)
        rows.append(["张三", make_id_number("370102", born, i % 400 + 1), "", "370102", "370102", ""])
    return csv_bytes(rows)


def _run_lock_held(job_id: int) -> bool:
    from jixing.imports.actions import _RUN_LOCK

    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND classid = %s AND objid = %s "
                       "AND granted", [_RUN_LOCK, job_id])
        return bool(cursor.fetchone()[0])


@pytest.mark.postgres
@on_postgres
@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_mid_import_writes_nothing_and_the_job_fails_cleanly(personas, settings, tmp_path):
    import os
    import signal
    import subprocess
    import sys
    import time
    from pathlib import Path

    from jixing.imports.actions import claim_for_commit, recover_interrupted_imports
    from jixing.imports.models import ImportStage, ImportStatus

    settings.JIXING_UPLOAD_DIR = tmp_path / "uploads"
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
    data = _big_persons_csv(30_000)
    job = receive_upload("persons", io.BytesIO(data), file_name="roster.csv", size=len(data), by=personas.dave)
    ImportJob.objects.filter(pk=job.pk).update(status=ImportStatus.VALIDATED, valid_rows=30_000)
    assert claim_for_commit(job)  # what the commit button does before it enqueues the task
    persons = Person.objects.count()

    db = connection.settings_dict
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings_test", "JIXING_VAR_DIR": str(tmp_path),
           "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"}
    env.pop("DATABASE_REPLICA_URL", None)
    worker = subprocess.Popen(
        [sys.executable, "manage.py", "shell", "-c",
         f"from jixing.imports.tasks import commit_import; commit_import.call({job.pk}, {personas.dave.pk})"],
        cwd=Path(__file__).resolve().parents[1], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 30
        while not (_run_lock_held(job.pk) and ImportJob.objects.get(pk=job.pk).rows_done > 0):
            assert worker.poll() is None, worker.stderr.read().decode()[-2000:] if worker.stderr else ""
            assert time.monotonic() < deadline, "the import never started writing"
            time.sleep(0.05)
        worker.send_signal(signal.SIGKILL)  # mid-commit: rows written inside its open transaction
        worker.wait(timeout=10)
    finally:
        if worker.poll() is None:
            worker.kill()
    # The server notices the dead client at its next read and rolls the transaction back.
    deadline = time.monotonic() + 20
    while _run_lock_held(job.pk):
        assert time.monotonic() < deadline, "the killed worker's backend never went away"
        time.sleep(0.1)

    stuck = ImportJob.objects.get(pk=job.pk)
    assert stuck.stage == ImportStage.COMMITTING and stuck.status == ImportStatus.VALIDATED
    assert Person.objects.count() == persons  # nothing half-written
    assert recover_interrupted_imports(grace_minutes=2) == 0  # too recent: perhaps still being picked up
    ImportJob.objects.filter(pk=job.pk).update(updated_at=stuck.updated_at - __import__("datetime").timedelta(minutes=5))
    assert recover_interrupted_imports(grace_minutes=2) == 1
    failed = ImportJob.objects.get(pk=job.pk)
    assert failed.status == ImportStatus.FAILED and not failed.stage and "中断" in failed.message
    assert failed.upload_path == "" and not any((tmp_path / "uploads").glob("*.enc*"))
    assert Person.objects.count() == persons
    assert recover_interrupted_imports(grace_minutes=2) == 0  # once
