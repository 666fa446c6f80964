"""Failure drills (issue 19): what a production incident does to the data, as tests.

- PostgreSQL kills the backend of a payment batch mid-way (pg_terminate_backend: what a restart
  or an OOM kill of that backend does): nothing of the batch is kept, the retry with the same
  idempotency key pays every claim once, a second retry replays, the ledger verifies.
- The upload limit is filled: a file of exactly the limit is taken, one byte more is refused
  with the limit in the message, and a client lying about the size is stopped while streaming;
  nothing is kept on disk or in the database.
- The worker is killed (SIGKILL) mid-import: tests/test_failure_drills.py::test_a_killed_import...
  (jixing/imports/recovery.py) — the rows roll back with the killed transaction and the job is
  failed cleanly by the recovery sweep.
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
    w = f.world(make_personas(), trainees=3)
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

    monkeypatch.setattr(actions, "issue_payment_order", issue_then_wait)
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

    monkeypatch.setattr(actions, "issue_payment_order", real_issue)
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
