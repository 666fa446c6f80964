"""Browser journey: a county officer uploads a person roster, reads the preview with its
rejected rows, commits the valid rows and downloads the rejected ones."""

from __future__ import annotations

import datetime as dt

import pytest

from jixing.registry.idgen import make_id_number
from jixing.registry.models import Person
from jixing.web.tests.browser import login, screenshot

from .files import PNG_BYTES, xlsx_bytes

pytestmark = pytest.mark.browser

HEADER = ["姓名", "公民身份号码", "手机号码", "户籍地行政区划代码", "现居地行政区划代码", "人员类别"]


def test_it_takes_an_officer_from_upload_to_committed_rows(page, live_server, personas, settings, tmp_path):
    settings.JIXING_UPLOAD_DIR = tmp_path / "uploads"
    good = make_id_number("370102", dt.date(1992, 6, 1), 41)
    real = make_id_number("370102", dt.date(1993, 7, 2), 43)
    bad = real[:-1] + ("0" if real[-1] != "0" else "1")  # wrong check digit
    path = tmp_path / "花名册.xlsx"
    path.write_bytes(xlsx_bytes([
        HEADER,
        ["张三", good, "13912345678", "370102", "370102", "退役军人"],
        ["李四", bad, "", "370102", "370102", ""],
        ["王五", make_id_number("370102", dt.date(1988, 1, 9), 45), "", "370100", "370102", ""],
    ]))
    login(page, live_server, personas.dave)
    page.goto(live_server.url + "/imports/")
    page.get_by_role("link", name="导入人员").click()
    renamed = tmp_path / "照片.xlsx"
    renamed.write_bytes(PNG_BYTES)
    page.set_input_files("input[type=file]", str(renamed))
    page.get_by_role("button", name="上传并校验").click()
    page.wait_for_selector("[role=alert]")
    screenshot(page, "imports-upload-refused")
    assert "不是有效的 Excel 工作簿" in page.locator("[role=alert]").inner_text()
    page.set_input_files("input[type=file]", str(path))
    page.get_by_role("button", name="上传并校验").click()
    page.wait_for_selector("text=被拒绝的行")
    screenshot(page, "imports-preview")
    body = page.locator("main").inner_text()
    assert "370102********" in body and good not in body
    assert "不是县级行政区划" in body
    assert Person.objects.with_id_number(good).count() == 0

    with page.expect_download() as download:
        page.get_by_role("link", name="下载被拒绝的行（.xlsx）").click()
    assert download.value.suggested_filename.endswith("-errors.xlsx")

    page.get_by_role("button", name="导入 1 行有效数据").click()
    page.wait_for_selector("text=已导入")
    screenshot(page, "imports-committed")
    assert Person.objects.with_id_number(good).get().name == "张三"
    assert list(settings.JIXING_UPLOAD_DIR.iterdir()) == []  # D4
