"""Journey: a template round trip. The officer downloads the persons template, a spreadsheet
program fills it (xlsxwriter: a title row above the header, one ID typed as a number, one with
full-width digits and a no-break space, a phone typed as a number), the upload repairs what can
be repaired with a note, refuses the ID that lost digits with a reason, and imports the rest."""

from __future__ import annotations

import datetime as dt

import pytest
import xlsxwriter
from python_calamine import CalamineWorkbook

from jixing.registry.idgen import make_id_number
from jixing.registry.models import Person
from jixing.web.tests.browser import login, screenshot

pytestmark = pytest.mark.browser


def test_it_round_trips_the_persons_template(page, live_server, personas, settings, tmp_path):
    settings.JIXING_UPLOAD_DIR = tmp_path / "uploads"
    login(page, live_server, personas.dave)
    page.goto(live_server.url + "/imports/new/persons/")
    with page.expect_download() as info:
        page.get_by_role("link", name="下载模板").click()
    template = tmp_path / "template.xlsx"
    info.value.save_as(template)
    book = CalamineWorkbook.from_path(str(template))
    header = book.get_sheet_by_index(0).to_python()[0]
    assert "填写说明" in book.sheet_names and "公民身份号码" in header

    wide = make_id_number("370102", dt.date(1991, 3, 4), 51)
    as_number = make_id_number("370102", dt.date(1985, 8, 9), 53)
    plain = make_id_number("370102", dt.date(1979, 11, 30), 55)
    full_width = "".join(chr(ord(c) + 0xFEE0) if c.isdigit() else c for c in wide)
    filled = tmp_path / "填好的花名册.xlsx"
    out = xlsxwriter.Workbook(str(filled))
    sheet = out.add_worksheet()
    sheet.write_string(0, 0, "历下区2026年培训人员花名册")  # a title row above the header
    for col, label in enumerate(header):
        sheet.write_string(1, col, label)
    idx = {label: col for col, label in enumerate(header)}
    rows = [("赵全角", full_width[:6] + "\u00a0" + full_width[6:], None), ("钱数字", None, None), ("孙手机", plain, 13912345678)]
    for r, (name, id_text, phone) in enumerate(rows, start=2):
        sheet.write_string(r, idx["姓名"], name)
        if id_text is None:
            sheet.write_number(r, idx["公民身份号码"], int(as_number[:17] + ("0" if as_number[-1] == "X" else as_number[-1])))
        else:
            sheet.write_string(r, idx["公民身份号码"], id_text)
        if phone:
            sheet.write_number(r, idx["手机号码"], phone)
        sheet.write_string(r, idx["户籍地行政区划代码"], "370102")
        sheet.write_string(r, idx["现居地行政区划代码"], "370102")
    out.close()

    page.set_input_files("input[type=file]", str(filled))
    page.get_by_role("button", name="上传并校验").click()
    page.wait_for_selector("text=被拒绝的行")
    screenshot(page, "imports-template-roundtrip-preview")
    repaired = page.locator("#repaired-cells").inner_text()
    assert "公民身份号码" in repaired and "全角" in repaired  # a phone typed as a number is exact: no note needed
    rejected = page.locator("main").inner_text()
    assert "科学计数法" in rejected
    page.get_by_role("button", name="导入 2 行有效数据").click()
    page.wait_for_selector("text=已导入")
    assert Person.objects.with_id_number(wide).get().name == "赵全角"
    assert Person.objects.with_id_number(plain).get().phone == "13912345678"
    assert Person.objects.with_id_number(as_number).count() == 0
