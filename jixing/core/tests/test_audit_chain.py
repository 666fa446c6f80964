"""Append-only, hash-chained audit log; verify and purge commands (SECURITY.md C2, C3)."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import json

import pytest
import time_machine
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from jixing.core import audit
from jixing.core.audit import verify_chain
from jixing.core.models import AuditCheckpoint, AuditEvent


def _chain(n: int = 5) -> list[AuditEvent]:
    return [audit.record(f"test.event{i}", actor_label="tester", detail={"i": i}) for i in range(n)]


def _verify_json(capsys) -> tuple[int, dict]:
    try:
        call_command("verify_audit", "--json")
        code = 0
    except SystemExit as exc:
        code = int(exc.code)
    return code, json.loads(capsys.readouterr().out.strip().splitlines()[-1])


def _raw_update(row_id: int, outcome: str) -> None:
    with connection.cursor() as cursor:
        cursor.execute("UPDATE core_auditevent SET outcome = %s WHERE id = %s", [outcome, row_id])


def _raw_delete(row_id: int) -> None:
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM core_auditevent WHERE id = %s", [row_id])


def _without_append_only_trigger(fn, *args) -> None:
    """Simulate someone with database owner rights (who can switch the trigger off)."""
    if connection.vendor != "postgresql":
        fn(*args)
        return
    with connection.cursor() as cursor:
        cursor.execute("SET session_replication_role = replica")  # superuser only: triggers off
        try:
            fn(*args)
        finally:
            cursor.execute("SET session_replication_role = origin")


def test_it_verifies_an_intact_chain(db, capsys) -> None:
    _chain()
    code, result = _verify_json(capsys)
    assert code == 0
    assert result["ok"] is True and result["rows"] == 5 and result["broken"] == 0 and "seconds" in result


def test_it_detects_a_tampered_row_and_exits_non_zero(db, capsys) -> None:
    rows = _chain()
    _without_append_only_trigger(_raw_update, rows[2].id, "failed")
    assert verify_chain() == [rows[2].id]
    code, result = _verify_json(capsys)
    assert code == 1
    assert result["ok"] is False and result["broken_ids"] == [rows[2].id]


def test_it_detects_a_row_removed_from_the_middle(db) -> None:
    rows = _chain()
    _without_append_only_trigger(_raw_delete, rows[2].id)
    assert verify_chain() == [rows[3].id]


def test_it_detects_the_oldest_rows_removed_by_hand(db) -> None:
    rows = _chain()
    _without_append_only_trigger(_raw_delete, rows[0].id)
    assert verify_chain() == [rows[1].id]


def test_it_lets_the_database_refuse_edits_and_young_deletes_on_postgresql(db) -> None:
    rows = _chain(2)
    if connection.vendor == "postgresql":
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
            _raw_update(rows[0].id, "failed")
        with pytest.raises(DatabaseError, match="180 days"), transaction.atomic():
            _raw_delete(rows[0].id)
    # Everywhere, the ORM refuses both.
    with pytest.raises(PermissionError):
        rows[0].save()
    with pytest.raises(PermissionError):
        rows[0].delete()
    assert verify_chain() == []


def _rows_aged(days: list[int]) -> list[AuditEvent]:
    now = timezone.now()
    rows = []
    for age in days:
        with time_machine.travel(now - dt.timedelta(days=age), tick=False):
            rows.append(audit.record("test.aged", actor_label="tester", detail={"age": age}))
    return rows


def test_it_purges_only_rows_older_than_the_retention_and_keeps_the_chain_verifiable(db, capsys) -> None:
    old, older, kept, young = _rows_aged([200, 181, 179, 1])
    call_command("purge_audit", "--json")
    result = json.loads(capsys.readouterr().out.strip())
    assert result["deleted"] == 2 and result["retention_days"] == 180
    remaining = list(AuditEvent.objects.order_by("id").values_list("id", flat=True))
    assert remaining[:2] == [kept.id, young.id]
    purge_row = AuditEvent.objects.get(event=audit.PURGE_EVENT)
    assert purge_row.detail["deleted"] == 2 and purge_row.detail["anchor"] == older.hash
    assert verify_chain() == []
    code, _ = _verify_json(capsys)
    assert code == 0


def test_it_keeps_a_179_day_old_row(db) -> None:
    (row,) = _rows_aged([179])
    call_command("purge_audit")
    assert AuditEvent.objects.filter(pk=row.pk).exists()


def test_it_refuses_a_retention_shorter_than_180_days(db) -> None:
    _rows_aged([100])
    with pytest.raises(CommandError):
        call_command("purge_audit", "--days", "90")
    assert AuditEvent.objects.count() == 1


def test_it_keeps_the_ip_in_the_form_the_database_returns(db) -> None:
    from jixing.core.request_context import RequestInfo, client_ip, current_request

    for raw in ("::FFFF:10.0.0.1", "2001:DB8:0:0:0:0:0:1"):
        token = current_request.set(RequestInfo(ip=client_ip({"REMOTE_ADDR": raw}), user_agent="", path="/"))
        try:
            audit.record("test.ip", actor_label="tester")
        finally:
            current_request.reset(token)
    assert client_ip({"REMOTE_ADDR": "not-an-ip"}) is None
    assert verify_chain() == []


@pytest.mark.django_db
def test_it_stores_input_carrying_a_nul_character_on_every_engine():
    """PostgreSQL's jsonb refuses \\u0000; a public form field once made an audited call fail (500)."""
    event = audit.record("test.nul", actor_label="tester", detail={"name": "李\x00历下", "rows": ["a\x00", 2]})
    event.refresh_from_db()
    assert event.detail == {"name": "李历下", "rows": ["a", 2]}
    assert verify_chain() == []


# --- keyed chain and signed checkpoints (issue 11, defect 6) -------------------------------


def _raw_set_hashes(row_id: int, prev_hash: str, hash_: str) -> None:
    with connection.cursor() as cursor:
        cursor.execute("UPDATE core_auditevent SET prev_hash = %s, hash = %s WHERE id = %s", [prev_hash, hash_, row_id])


def _rewrite_without_the_key(rows: list[AuditEvent], start: int) -> None:
    """What someone with database access but not JIXING_AUDIT_KEY does after editing a row:
    recompute that row's and every later row's hash the way an unkeyed chain would."""
    prev = rows[start - 1].hash
    for row in AuditEvent.objects.filter(id__gte=rows[start].id).order_by("id"):
        new = hashlib.sha256((prev + row.canonical()).encode()).hexdigest()
        _without_append_only_trigger(_raw_set_hashes, row.id, prev, new)
        prev = new


def test_it_detects_an_edit_even_when_the_later_hashes_are_recomputed(db, capsys) -> None:
    rows = _chain()
    _without_append_only_trigger(_raw_update, rows[2].id, "failed")
    _rewrite_without_the_key(rows, 2)
    assert verify_chain() == [rows[2].id, rows[3].id, rows[4].id]
    code, result = _verify_json(capsys)
    assert code == 1 and result["broken"] == 3


def test_it_keys_the_chain_with_the_audit_key(db, settings) -> None:
    rows = _chain(2)
    assert rows[1].hash == hmac.new(base64.b64decode(settings.JIXING_AUDIT_KEY),
                                    (rows[1].prev_hash + rows[1].canonical()).encode(), hashlib.sha256).hexdigest()
    settings.JIXING_AUDIT_KEY = base64.b64encode(b"another-key-of-thirty-two-bytes!!").decode()
    assert verify_chain() == [rows[0].id, rows[1].id]


def test_it_detects_a_removed_tail_against_the_last_checkpoint(db, capsys) -> None:
    rows = _chain()
    call_command("checkpoint_audit", "--json")
    made = json.loads(capsys.readouterr().out.strip())
    assert made["rows"] == 5 and made["last_id"] == rows[-1].id
    for row in rows[3:]:
        _without_append_only_trigger(_raw_delete, row.id)
    assert verify_chain() == []  # what is left links up: only the checkpoint knows better
    code, result = _verify_json(capsys)
    assert code == 1 and result["ok"] is False
    assert any(f"row {rows[-1].id} it signed is missing" in p for p in result["checkpoint_problems"])
    assert any("5 rows signed, 3 present" in p for p in result["checkpoint_problems"])


def test_it_detects_an_emptied_log(db, capsys) -> None:
    rows = _chain(3)
    audit.write_checkpoint()
    for row in rows:
        _without_append_only_trigger(_raw_delete, row.id)
    assert not AuditEvent.objects.exists() and verify_chain() == []
    code, result = _verify_json(capsys)
    assert code == 1 and "3 rows signed, 0 present" in " ".join(result["checkpoint_problems"])


def test_it_accepts_rows_written_after_the_checkpoint(db, capsys) -> None:
    _chain(2)
    audit.write_checkpoint()
    _chain(2)
    code, result = _verify_json(capsys)
    assert code == 0 and result["checkpoint_problems"] == []


def test_it_detects_a_checkpoint_forged_without_the_key(db) -> None:
    rows = _chain(4)
    checkpoint = audit.write_checkpoint()
    for row in rows[2:]:
        _without_append_only_trigger(_raw_delete, row.id)
    forged = f"UPDATE core_auditcheckpoint SET rows = 2, last_id = {rows[1].id}, head_hash = '{rows[1].hash}' WHERE id = {checkpoint.id}"
    _without_append_only_trigger(lambda: connection.cursor().execute(forged))
    assert audit.verify_checkpoint() == [f"checkpoint {checkpoint.id}: signature does not match its content"]


def test_it_writes_a_checkpoint_with_every_purge_so_the_purged_chain_verifies(db, capsys) -> None:
    _rows_aged([200, 1])
    audit.write_checkpoint()
    call_command("purge_audit")
    capsys.readouterr()
    code, result = _verify_json(capsys)
    assert code == 0, result
    assert AuditCheckpoint.objects.count() == 2


@pytest.mark.skipif("connection.vendor != 'postgresql'")
def test_it_refuses_truncate_and_checkpoint_changes_on_postgresql(db) -> None:
    rows = _chain(2)
    checkpoint = audit.write_checkpoint()
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # run this test's deferred FK checks first
        for statement, message in [
            ("TRUNCATE core_auditevent CASCADE", "TRUNCATE refused"),
            ("TRUNCATE core_auditcheckpoint", "TRUNCATE refused"),
            (f"DELETE FROM core_auditcheckpoint WHERE id = {checkpoint.id}", "append-only"),
            (f"UPDATE core_auditcheckpoint SET rows = 0 WHERE id = {checkpoint.id}", "append-only"),
        ]:
            with pytest.raises(DatabaseError, match=message), transaction.atomic():
                cursor.execute("SET LOCAL jixing.allow_audit_truncate = off")  # as in production
                cursor.execute(statement)
    assert AuditEvent.objects.filter(id__in=[r.id for r in rows]).count() == 2
    assert audit.verify_checkpoint() == []
    with pytest.raises(PermissionError):
        checkpoint.delete()
