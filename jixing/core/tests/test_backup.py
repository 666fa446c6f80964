"""Backup and restore (SECURITY.md D3): dump → empty database → restore → same counts and checksums."""

from __future__ import annotations

import gzip
import json

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from jixing.core import audit
from jixing.core.audit import verify_chain
from jixing.core.backup import backed_up_models, summarise_database
from jixing.registry.models import Person


def _empty_database() -> None:
    """What `migrate` on a new database leaves: empty tables (content types and permissions aside)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:  # run the deferred FK checks of this test's inserts first
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    call_command("flush", "--no-input", verbosity=0)


def _read_json(capsys) -> dict:
    return json.loads(capsys.readouterr().out.strip().splitlines()[-1])


@pytest.mark.parametrize("name", ["backup.jsonl", "backup.jsonl.gz"])
def test_it_restores_a_backup_into_an_empty_database_with_equal_counts_and_checksums(personas, tmp_path, capsys, name) -> None:
    audit.record("test.before_backup", actor=personas.dave, obj=personas.lixia_person, detail={"n": 1})
    path = tmp_path / name
    call_command("backup", "--out", str(path), "--json")
    made = _read_json(capsys)
    before = summarise_database(backed_up_models())
    assert made["rows"] == sum(t["count"] for t in before.values()) and made["counts"]["registry.person"] == 3
    assert (tmp_path / f"{name}.sha256").read_text().split()[0] == made["sha256"]

    # Personal data stays ciphertext in the file.
    opener = gzip.open if name.endswith(".gz") else open
    with opener(path, "rt", encoding="utf-8") as handle:
        text = handle.read()
    assert personas.lixia_person.id_number not in text and personas.lixia_person.phone not in text

    _empty_database()
    assert not Person.objects.exists()
    call_command("restore", str(path), "--json")
    restored = _read_json(capsys)
    assert restored["verified"] is True and restored["counts"] == made["counts"]
    assert summarise_database(backed_up_models()) == before
    person = Person.objects.with_id_number(personas.lixia_person.id_number).get()
    assert person.phone == personas.lixia_person.phone
    assert verify_chain() == []
    # New rows get fresh ids after a restore (sequences reset on PostgreSQL).
    audit.record("test.after_restore")


def test_it_refuses_to_restore_over_existing_data(personas, tmp_path) -> None:
    path = tmp_path / "b.jsonl"
    call_command("backup", "--out", str(path))
    before = summarise_database(backed_up_models())
    with pytest.raises(CommandError, match="empty database"):
        call_command("restore", str(path))
    assert summarise_database(backed_up_models()) == before


def test_it_refuses_a_damaged_backup_and_writes_nothing(personas, tmp_path) -> None:
    path = tmp_path / "b.jsonl"
    call_command("backup", "--out", str(path))
    lines = path.read_text(encoding="utf-8").splitlines()
    person_line = next(i for i, line in enumerate(lines) if '"model":"registry.person"' in line)
    lines[person_line] = lines[person_line].replace("李历下", "李篡改")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    (tmp_path / "b.jsonl.sha256").unlink()  # so the per-table checksum has to catch it
    _empty_database()
    with pytest.raises(CommandError, match="manifest"):
        call_command("restore", str(path))
    assert not Person.objects.exists()


def test_it_refuses_a_file_that_does_not_match_its_sha256(personas, tmp_path) -> None:
    path = tmp_path / "b.jsonl"
    call_command("backup", "--out", str(path))
    with path.open("a", encoding="utf-8") as handle:
        handle.write("\n")
    with pytest.raises(CommandError, match="sha256"):
        call_command("restore", str(path))


def test_it_orders_tables_after_the_tables_they_refer_to(db) -> None:
    order = [m._meta.label_lower for m in backed_up_models()]
    assert order.index("registry.region") < order.index("registry.person") < order.index("accounts.user")
    assert "sessions.session" not in order
    assert connection.vendor in ("sqlite", "postgresql")
