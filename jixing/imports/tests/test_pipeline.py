"""The pipeline's building blocks: readers, header matching, formula escaping, COPY upsert, purge."""

from __future__ import annotations

import csv
import datetime as dt
import io
import string
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db import connection
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st
from python_calamine import CalamineWorkbook

from jixing.core.excel import XlsxStream, safe_cell
from jixing.imports import actions
from jixing.imports.models import ImportJob, ImportStatus
from jixing.imports.pipeline import Column, copy_upsert, match_headers
from jixing.imports.readers import FileRejected, RowStream, cell_text, inspect_upload
from jixing.registry.models import PersonGroup, TargetGroup

from .files import csv_bytes, xlsx_bytes


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ('=HYPERLINK("http://x","y")', '\'=HYPERLINK("http://x","y")'),
        ("+1+2", "'+1+2"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=1", "'\t=1"),
        ("张三", "张三"),
        ("a=b", "a=b"),
        ("", ""),
        (-5, -5),
        (None, None),
    ],
)
def test_it_escapes_formula_cells(value, expected):
    assert safe_cell(value) == expected


def test_it_writes_strings_as_text_cells(tmp_path):
    path = tmp_path / "out.xlsx"
    with XlsxStream(path, sheet_name="导出") as out:
        out.header(["姓名", "备注"])
        out.row(["=1+1", "=HYPERLINK(\"http://x\")"])
        out.row(["张三", 12])
    with CalamineWorkbook.from_path(str(path)) as book:
        rows = book.get_sheet_by_index(0).to_python()
    assert rows == [["姓名", "备注"], ["'=1+1", "'=HYPERLINK(\"http://x\")"], ["张三", 12.0]]


@pytest.mark.parametrize(
    ("value", "text"),
    [(13912345678.0, "13912345678"), (1.5, "1.5"), (dt.date(2025, 3, 1), "2025-03-01"),
     (dt.datetime(2025, 3, 1, 8, 30), "2025-03-01 08:30:00"), (dt.datetime(2025, 3, 1), "2025-03-01"),
     (True, "TRUE"), ("  张三 ", "张三"), (None, "")],
)
def test_it_reads_cells_as_the_text_a_person_typed(value, text):
    assert cell_text(value) == text


def test_it_matches_headers_by_chinese_label_or_english_key():
    columns = (Column("name", "姓名"), Column("id_number", "公民身份号码"), Column("note", "备注", required=False))
    assert match_headers(["* 姓名", "ID_Number", "其他", "姓名"], columns) == {0: "name", 1: "id_number"}


@hsettings(max_examples=60, deadline=None)
@given(st.lists(st.lists(st.text(alphabet=string.ascii_letters + "张三李四，,;\"'\n =+-@0123456789", max_size=12),
                         min_size=3, max_size=3), min_size=1, max_size=15),
       st.sampled_from(["utf-8", "gb18030"]), st.booleans())
def test_it_reads_back_any_csv_it_accepts(tmp_path_factory, rows, encoding, bom):
    """D5: arbitrary cell text never crashes the reader, and comes back cell for cell."""
    path = tmp_path_factory.mktemp("csv") / "x.csv"
    path.write_bytes(csv_bytes([["a", "b", "c"], *rows], encoding=encoding, bom=bom and encoding == "utf-8"))
    info = inspect_upload(path, "x.csv")
    with RowStream(path, info) as source:
        got = [cells for _n, cells in source]
    text = io.StringIO()
    csv.writer(text).writerows([["a", "b", "c"], *rows])
    expected = list(csv.reader(io.StringIO(text.getvalue())))
    assert got == expected


def test_it_gives_spreadsheet_row_numbers_for_xlsx_with_leading_blank_rows(tmp_path):
    path = tmp_path / "x.xlsx"
    path.write_bytes(xlsx_bytes([[], [], ["姓名"], ["张三"]]))
    info = inspect_upload(path, "x.xlsx")
    with RowStream(path, info) as source:
        assert [(n, cells) for n, cells in source if any(cells)] == [(3, ["姓名"]), (4, ["张三"])]


def test_it_refuses_an_unreadable_gbk_mix_but_reads_gbk(tmp_path):
    path = tmp_path / "g.csv"
    path.write_bytes("姓名,备注\n张三,退役军人\n".encode("gb18030"))
    assert inspect_upload(path, "g.csv").encoding == "gb18030"
    path.write_bytes(b"\x00\x01binary")
    with pytest.raises(FileRejected):
        inspect_upload(path, "g.csv")


_CIPHERTEXTS: dict[str, str] = {}


def ev(text: str) -> str:
    """PersonGroup.evidence as the column stores it (encrypted; the same text, the same value)."""
    from jixing.core import crypto

    if text not in _CIPHERTEXTS:
        _CIPHERTEXTS[text] = crypto.encrypt(text, purpose="person_group_evidence")
    return _CIPHERTEXTS[text]


@pytest.mark.django_db
def test_it_upserts_with_copy_or_bulk_and_counts_each_outcome(personas):
    """PostgreSQL runs the COPY path, SQLite the ORM path; both give the same counts."""
    groups = list(TargetGroup.objects.order_by("id")[:3])
    person = personas.lixia_person
    day = dt.date(2025, 1, 1)
    columns = ["person_id", "group_id", "valid_from", "evidence"]
    conflict = ["person_id", "group_id", "valid_from"]
    first = copy_upsert(PersonGroup, [(person.pk, g.pk, day, ev("a")) for g in groups], columns=columns, conflict=conflict)
    assert (first.created, first.updated, first.unchanged) == (3, 0, 0)
    again = [(person.pk, groups[0].pk, day, ev("a")), (person.pk, groups[1].pk, day, ev("changed")),
             (person.pk, groups[2].pk, day, ev("a")), (person.pk, groups[2].pk, dt.date(2025, 2, 1), ev("b"))]
    second = copy_upsert(PersonGroup, again, columns=columns, conflict=conflict)
    assert (second.created, second.updated, second.unchanged) == (1, 1, 2)
    assert PersonGroup.objects.filter(person=person).count() == 4
    row = PersonGroup.objects.get(person=person, group=groups[1])
    assert row.evidence == "changed" and row.archive_reason == "" and row.created_at is not None
    assert connection.vendor in {"sqlite", "postgresql"}


@pytest.mark.django_db
def test_it_stores_encrypted_columns_once_on_either_engine(personas):
    """Rows carry DB-ready values: an encrypted column arrives as ciphertext and must be stored
    as it is, not encrypted again (the ORM path used to encrypt it twice)."""
    from jixing.core import crypto
    from jixing.employment.models import HeldContribution, InsuranceType

    number = "370102199001011237"
    row = (crypto.encrypt(number, purpose="id_number"), crypto.blind_index(number, purpose="id_number"), "91370100MA3C0000X1",
           dt.date(2025, 3, 1), InsuranceType.UNEMPLOYMENT.value, Decimal("4200.00"))
    columns = ["id_number", "id_number_hash", "employer_uscc", "month", "insurance_type", "base"]
    conflict = ["id_number_hash", "employer_uscc", "month", "insurance_type"]  # the model's natural key
    assert copy_upsert(HeldContribution, [row], columns=columns, conflict=conflict).created == 1
    assert HeldContribution.objects.get().id_number == number
    again = copy_upsert(HeldContribution, [row[:5] + (Decimal("4300.00"),)], columns=columns, conflict=conflict)
    assert (again.created, again.updated) == (0, 1)
    assert HeldContribution.objects.get().id_number == number


@pytest.mark.django_db
def test_it_purges_abandoned_uploads(personas, settings, tmp_path):
    settings.JIXING_UPLOAD_DIR = tmp_path / "uploads"
    data = csv_bytes([["姓名", "公民身份号码", "户籍地行政区划代码", "现居地行政区划代码"],
                      ["张三", "370102199001011234", "370102", "370102"]])
    job = actions.receive_upload("persons", io.BytesIO(data), file_name="p.csv", size=len(data), by=personas.dave)
    assert len(list(settings.JIXING_UPLOAD_DIR.iterdir())) == 1
    ImportJob.objects.filter(pk=job.pk).update(updated_at=job.updated_at - dt.timedelta(days=2))
    out = io.StringIO()
    call_command("purge_imports", "--json", stdout=out)
    assert out.getvalue().strip() == '{"interrupted": 0, "cancelled": 1}'
    job.refresh_from_db()
    assert job.status == ImportStatus.CANCELLED and list(settings.JIXING_UPLOAD_DIR.iterdir()) == []


@hsettings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(st.integers(min_value=0, max_value=10_000), st.integers(min_value=0, max_value=255)),
                min_size=1, max_size=8))
def test_it_never_crashes_on_a_damaged_workbook(tmp_path_factory, flips):
    """D5: a workbook with random bytes changed is either read or refused with FileRejected."""
    data = bytearray(xlsx_bytes([["姓名", "公民身份号码"], ["张三", "370102199001011234"]]))
    for position, value in flips:
        data[position % len(data)] = value
    path = tmp_path_factory.mktemp("fuzz") / "f.xlsx"
    path.write_bytes(bytes(data))
    try:
        info = inspect_upload(path, "f.xlsx")
        with RowStream(path, info) as source:
            for _number, cells in source:
                assert all(isinstance(c, str) for c in cells)
    except FileRejected as exc:
        assert exc.message


@pytest.mark.django_db
def test_the_orm_path_reads_every_block_after_one_with_updates(personas):
    """A block that updated rows must not change how the next block is read (its list of
    fields to update once replaced the columns' fields, and the next block failed)."""
    from jixing.imports.pipeline import _orm_upsert

    groups = list(TargetGroup.objects.order_by("id")[:3])
    person = personas.lixia_person
    day = dt.date(2025, 1, 1)
    columns = ["person_id", "group_id", "valid_from", "evidence"]
    conflict = ["person_id", "group_id", "valid_from"]
    update = ["evidence"]
    _orm_upsert(PersonGroup, [(person.pk, groups[0].pk, day, ev("a"))], columns=columns, conflict=conflict, update=update)
    rows = [(person.pk, groups[0].pk, day, ev("changed")), (person.pk, groups[1].pk, day, ev("b")),
            (person.pk, groups[2].pk, day, ev("c"))]
    counts = _orm_upsert(PersonGroup, rows, columns=columns, conflict=conflict, update=update, batch=2)
    assert (counts.created, counts.updated, counts.unchanged) == (2, 1, 0)
    assert sorted(PersonGroup.objects.filter(person=person).values_list("evidence", flat=True)) == ["b", "c", "changed"]
