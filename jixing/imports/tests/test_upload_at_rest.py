"""SECURITY.md D4 / issue 11 defect 9: uploads carry plaintext ID numbers, so they are stored
encrypted while their job waits, a plaintext copy exists only while a check or commit reads
it, and the stored file goes as soon as the import commits or is discarded."""

from __future__ import annotations

import datetime as dt
import io
import os

import pytest
import time_machine
from django.utils import timezone

from jixing.core.crypto import decrypt_stream, encrypt_stream
from jixing.imports import actions
from jixing.imports.models import ImportJob, ImportStatus
from jixing.registry.idgen import make_id_number
from jixing.registry.models import Person

from .files import csv_bytes

HEADER = ["姓名", "公民身份号码", "户籍地行政区划代码", "现居地行政区划代码"]
ID_NUMBER = make_id_number("370102", dt.date(1991, 2, 3), 777)


def _upload(user) -> ImportJob:
    data = csv_bytes([HEADER, ["张三", ID_NUMBER, "370102", "370102"]])
    return actions.receive_upload("persons", io.BytesIO(data), file_name="p.csv", size=len(data), by=user)


def _stored_bytes(directory) -> bytes:
    return b"".join(path.read_bytes() for path in directory.iterdir())


def test_it_keeps_a_waiting_upload_encrypted_and_private(personas, settings, tmp_path) -> None:
    settings.JIXING_UPLOAD_DIR = tmp_path
    job = _upload(personas.dave)
    actions.validate_job(job, by=personas.dave)
    job.refresh_from_db()
    assert job.status == ImportStatus.VALIDATED
    files = list(tmp_path.iterdir())
    assert [f.name for f in files] == [job.upload_path] and job.upload_path.endswith(".enc")
    assert ID_NUMBER.encode() not in _stored_bytes(tmp_path) and ID_NUMBER[-6:].encode() not in _stored_bytes(tmp_path)
    assert oct(os.stat(files[0]).st_mode & 0o777) == "0o600"


def test_it_deletes_the_upload_as_soon_as_the_import_commits(personas, settings, tmp_path) -> None:
    settings.JIXING_UPLOAD_DIR = tmp_path
    job = _upload(personas.dave)
    actions.validate_job(job, by=personas.dave)
    assert actions.claim_for_commit(job)
    actions.commit_job(job, by=personas.dave)
    job.refresh_from_db()
    assert job.status == ImportStatus.COMMITTED and job.upload_path == ""
    assert Person.objects.with_id_number(ID_NUMBER).exists()
    assert list(tmp_path.iterdir()) == []


def test_it_deletes_the_upload_as_soon_as_the_import_is_cancelled(personas, settings, tmp_path) -> None:
    settings.JIXING_UPLOAD_DIR = tmp_path
    job = _upload(personas.dave)
    actions.cancel_job(job, by=personas.dave)
    assert list(tmp_path.iterdir()) == []


def test_it_refuses_an_upload_altered_at_rest(personas, settings, tmp_path) -> None:
    settings.JIXING_UPLOAD_DIR = tmp_path
    job = _upload(personas.dave)
    stored = tmp_path / job.upload_path
    blob = bytearray(stored.read_bytes())
    blob[-5] ^= 0x01
    stored.write_bytes(bytes(blob))
    assert actions.validate_job(job, by=personas.dave) is None
    job.refresh_from_db()
    assert job.status == ImportStatus.FAILED and list(tmp_path.iterdir()) == []


def test_it_removes_a_plaintext_copy_left_by_a_crash(personas, settings, tmp_path) -> None:
    settings.JIXING_UPLOAD_DIR = tmp_path
    leftover = tmp_path / "work-crashed.csv"
    leftover.write_text(ID_NUMBER)
    with time_machine.travel(timezone.now() + dt.timedelta(hours=4)):
        actions.purge_stale_uploads()
    assert not leftover.exists()


@pytest.mark.parametrize("size", [0, 1, 1024 * 1024, 1024 * 1024 + 1, 3 * 1024 * 1024 - 7])
def test_it_round_trips_a_stream_and_refuses_one_cut_short(settings, size) -> None:
    plain = os.urandom(size)
    sealed = io.BytesIO()
    encrypt_stream(io.BytesIO(plain), sealed, purpose="test")
    out = io.BytesIO()
    decrypt_stream(io.BytesIO(sealed.getvalue()), out, purpose="test")
    assert out.getvalue() == plain
    if size > 1024 * 1024:  # drop the last chunk: what is left still decrypts chunk by chunk
        first_chunk_end = 4 + 1 + len(settings.JIXING_DATA_KEYS.split(":")[0]) + 4 + 12 + 1024 * 1024 + 16
        with pytest.raises(ValueError, match="cut short"):
            decrypt_stream(io.BytesIO(sealed.getvalue()[:first_chunk_end]), io.BytesIO(), purpose="test")
    with pytest.raises(ValueError):
        decrypt_stream(io.BytesIO(sealed.getvalue()), io.BytesIO(), purpose="other purpose")
