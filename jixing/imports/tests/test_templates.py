"""Import templates as real workbooks, and the readers' repair of what Excel users send: IDs
typed as numbers, a trailing ".0", full-width digits, spaces and NBSP, a title row."""

from __future__ import annotations

import datetime as dt
import io
import zipfile

import pytest
from python_calamine import CalamineWorkbook

from jixing.imports.readers import CellRefused, cell_text, repair_id_text
from jixing.registry.idgen import make_id_number


def test_it_repairs_spaces_full_width_digits_and_a_trailing_zero_with_a_note():
    number = make_id_number("370102", dt.date(1990, 5, 17), 13)
    full_width = "".join(chr(ord(c) + 0xFEE0) if c.isdigit() else c for c in number)
    value, note = repair_id_text(f" {full_width[:6]}\u00a0{full_width[6:]} ")
    assert value == number and note
    value, note = repair_id_text("13912345678.0")
    assert value == "13912345678" and note
    assert repair_id_text("37010219900517001x")[0] == "37010219900517001X"
    assert repair_id_text(number) == (number, "")


@pytest.mark.parametrize("typed", ["3.70102E+17", "3.701021990051700E+17", "3.7010219900517e17"])
def test_it_refuses_an_id_that_a_spreadsheet_stored_as_a_number(typed):
    with pytest.raises(CellRefused) as exc:
        repair_id_text(typed)
    assert typed in exc.value.reason


def test_it_never_turns_a_long_number_cell_into_wrong_digits():
    as_number = float(370102199005170013)  # what write_number stores: the last digits are gone
    text = cell_text(as_number)
    assert "E+17" in text
    with pytest.raises(CellRefused):
        repair_id_text(text)
    assert cell_text(13912345678.0) == "13912345678"


@pytest.mark.django_db
def test_it_serves_templates_with_text_columns_drop_downs_and_instructions(client, personas):
    client.force_login(personas.dave)
    content = b"".join(client.get("/imports/template/persons.xlsx").streaming_content)
    book = CalamineWorkbook.from_filelike(io.BytesIO(content))
    assert book.sheet_names[1] == "填写说明"
    guide = book.get_sheet_by_name("填写说明").to_python()
    rows = {r[0]: r for r in guide[3:]}
    assert rows["公民身份号码"][1] == "必填" and "文本格式" in rows["公民身份号码"][2]
    assert "退役军人" in rows["人员类别"][4]
    sheet_xml = zipfile.ZipFile(io.BytesIO(content)).read("xl/worksheets/sheet1.xml").decode()
    assert "<dataValidation" in sheet_xml and 'type="list"' in sheet_xml
    styles = zipfile.ZipFile(io.BytesIO(content)).read("xl/styles.xml").decode()
    assert 'formatCode="@"' in styles or 'numFmtId="49"' in styles
    client.force_login(personas.ivan)
    attendance = b"".join(client.get("/imports/template/attendance.xlsx").streaming_content)
    xml = zipfile.ZipFile(io.BytesIO(attendance)).read("xl/worksheets/sheet1.xml").decode()
    assert "人脸" in xml and "<dataValidation" in xml
