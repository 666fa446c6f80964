"""SECURITY.md F1: every hostile or broken file is refused fast, with one clear Chinese message,
through the command (exit code 2), the page and the API, and nothing is written."""

from __future__ import annotations

import datetime as dt
import io
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse

from jixing.core.testing import TEST_PASSWORD
from jixing.imports.models import ImportJob
from jixing.imports.readers import FileRejected, inspect_upload
from jixing.registry.idgen import make_id_number
from jixing.registry.models import Person

from .files import (
    ELF_BYTES,
    PNG_BYTES,
    billion_laughs_xlsx,
    csv_bytes,
    malformed_xlsx,
    xlsx_bytes,
    zip_bomb_xlsx,
    zip_without_workbook,
)

HEADER = ["姓名", "公民身份号码", "手机号码", "户籍地行政区划代码", "现居地行政区划代码", "人员类别"]
ROOT = Path(__file__).resolve().parents[3]


def good_row(seq: int = 11) -> list[str]:
    return ["张三", make_id_number("370102", dt.date(1990, 1, 1), seq), "", "370102", "370102", ""]


def many_rows(n: int) -> list[list[str]]:
    return [HEADER] + [good_row(seq) for seq in range(1, n + 1)]


# (file name, bytes, settings overrides, a fragment of the one message)
BAD_FILES = {
    "wrong type": ("persons.txt", b"hello", {}, "只能导入 .xlsx 或 .csv 文件"),
    "old xls": ("persons.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, {}, "只能导入 .xlsx 或 .csv 文件"),
    "png renamed xlsx": ("persons.xlsx", PNG_BYTES, {}, "不是有效的 Excel 工作簿"),
    "elf renamed csv": ("persons.csv", ELF_BYTES, {}, "不是文本 CSV 文件"),
    "xlsx renamed csv": ("persons.csv", xlsx_bytes(many_rows(1)), {}, "实际是 Excel 工作簿"),
    "zip but no workbook": ("persons.xlsx", zip_without_workbook(), {}, "不是有效的 Excel 工作簿"),
    "empty file": ("persons.csv", b"", {}, "文件是空的"),
    "blank lines only": ("persons.csv", b"\r\n\r\n,,\r\n", {}, "文件是空的"),
    "header only": ("persons.xlsx", xlsx_bytes([HEADER]), {}, "只有表头，没有数据行"),
    "missing columns": ("persons.csv", csv_bytes([["姓名", "手机号码", "户籍地行政区划代码"], ["张三", "", "370102"]]), {},
                        "缺少必填列：公民身份号码、现居地行政区划代码"),
    "oversized": ("persons.csv", csv_bytes(many_rows(40)), {"JIXING_IMPORT_MAX_BYTES": 1000}, "文件过大"),
    "zip bomb ratio": ("persons.xlsx", zip_bomb_xlsx(HEADER), {}, "可能是压缩炸弹"),
    "zip bomb size": ("persons.xlsx", zip_bomb_xlsx(HEADER), {"JIXING_IMPORT_MAX_UNCOMPRESSED_BYTES": 2 * 1024 * 1024},
                      "解压后达"),
    "billion laughs": ("persons.xlsx", billion_laughs_xlsx(HEADER), {}, "实体声明"),
    "malformed xml": ("persons.xlsx", malformed_xlsx(HEADER), {}, "XML 格式错误"),
    "too many rows csv": ("persons.csv", csv_bytes(many_rows(5)), {"JIXING_IMPORT_MAX_ROWS": 3}, "超过 3 行"),
    "too many rows xlsx": ("persons.xlsx", xlsx_bytes(many_rows(5)), {"JIXING_IMPORT_MAX_ROWS": 3}, "超过 3 行"),
    "xlsx too big to load": ("persons.xlsx", xlsx_bytes(many_rows(5)), {"JIXING_IMPORT_MAX_XLSX_ROWS": 3},
                             "请另存为 CSV（UTF-8）后导入"),
    "unknown encoding": ("persons.csv", "姓名,公民身份号码\n".encode() + b"\xff\xfe\xff\x81\x30", {}, "无法识别"),
}


@pytest.fixture
def uploads(settings, tmp_path):
    settings.JIXING_UPLOAD_DIR = tmp_path / "uploads"
    return settings.JIXING_UPLOAD_DIR


def nothing_written(persons: int, uploads: Path) -> None:
    assert Person.objects.count() == persons
    assert ImportJob.objects.count() == 0
    assert not uploads.exists() or list(uploads.iterdir()) == []


@pytest.mark.parametrize("case", list(BAD_FILES))
def test_it_refuses_bad_files_in_the_command_with_exit_code_2(case, personas, settings, tmp_path, uploads):
    name, data, overrides, message = BAD_FILES[case]
    for key, value in overrides.items():
        setattr(settings, key, value)
    path = tmp_path / name
    path.write_bytes(data)
    persons = Person.objects.count()
    out = io.StringIO()
    started = time.monotonic()
    with pytest.raises(CommandError) as raised:
        call_command("import_persons", str(path), "--json", stdout=out)
    assert time.monotonic() - started < 2  # refused before any parsing
    assert raised.value.returncode == 2
    assert message in str(raised.value)
    assert json.loads(out.getvalue()) == {"error": str(raised.value)}
    nothing_written(persons, uploads)


@pytest.mark.parametrize("case", ["png renamed xlsx", "zip bomb ratio", "billion laughs", "missing columns", "oversized"])
def test_it_refuses_bad_files_on_the_page_and_the_api(case, client, personas, settings, uploads):
    name, data, overrides, message = BAD_FILES[case]
    for key, value in overrides.items():
        setattr(settings, key, value)
    persons = Person.objects.count()
    assert client.login(username="dave", password=TEST_PASSWORD)
    page = client.post(reverse("imports:upload", args=["persons"]), {"file": SimpleUploadedFile(name, data)})
    assert page.status_code == 400 and message in page.content.decode()
    api = client.post("/api/v1/imports/persons", {"file": SimpleUploadedFile(name, data)})
    assert api.status_code == 400 and message in api.json()["detail"]
    nothing_written(persons, uploads)


def test_it_checks_the_zip_directory_before_decompressing(tmp_path):
    path = tmp_path / "bomb.xlsx"
    path.write_bytes(zip_bomb_xlsx(HEADER, megabytes=400))  # 400 MB of padding, a few hundred kB on disk
    started = time.monotonic()
    with pytest.raises(FileRejected):
        inspect_upload(path, "bomb.xlsx")
    assert time.monotonic() - started < 0.5


def test_it_counts_the_rows_of_the_first_sheet_before_loading_it(settings, tmp_path):
    """The <dimension> of the sheet that will be imported (the first), read from the zip."""
    import xlsxwriter

    path = tmp_path / "two-sheets.xlsx"
    book = xlsxwriter.Workbook(str(path))
    first, second = book.add_worksheet("名单"), book.add_worksheet("说明")
    for r, row in enumerate(many_rows(4)):
        first.write_row(r, 0, row)
    for r in range(50):
        second.write_row(r, 0, ["说明", r])
    book.close()
    settings.JIXING_IMPORT_MAX_XLSX_ROWS = 10
    assert inspect_upload(path, "two-sheets.xlsx").rows_estimate == 5  # header + 4, not the 50 of sheet 2
    settings.JIXING_IMPORT_MAX_XLSX_ROWS = 3
    with pytest.raises(FileRejected, match="CSV"):
        inspect_upload(path, "two-sheets.xlsx")


def test_it_exits_with_code_2_and_one_json_line_from_the_shell(tmp_path):
    path = tmp_path / "persons.xlsx"
    path.write_bytes(PNG_BYTES)
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings_test"}
    done = subprocess.run([sys.executable, "manage.py", "import_persons", str(path), "--json"], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 2, done.stderr
    lines = done.stdout.splitlines()
    assert len(lines) == 1 and "不是有效的 Excel 工作簿" in json.loads(lines[0])["error"]
