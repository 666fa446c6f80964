"""Builders of good and hostile upload files for import tests (SECURITY.md F1)."""

from __future__ import annotations

import csv
import io
import zipfile

import xlsxwriter

PNG_BYTES = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + bytes(range(256)) * 4
ELF_BYTES = b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 200 + bytes(range(256))


def xlsx_bytes(rows: list[list[object]], *, sheet: str = "Sheet1") -> bytes:
    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"in_memory": True, "strings_to_numbers": False, "strings_to_formulas": False,
                                     "strings_to_urls": False})
    ws = book.add_worksheet(sheet)
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            if isinstance(value, str):
                ws.write_string(r, c, value)
            elif value is not None:
                ws.write(r, c, value)
    book.close()
    return out.getvalue()


def csv_bytes(rows: list[list[object]], *, encoding: str = "utf-8", bom: bool = False) -> bytes:
    text = io.StringIO()
    csv.writer(text, lineterminator="\r\n").writerows(rows)
    data = text.getvalue().encode(encoding)
    return (b"\xef\xbb\xbf" + data) if bom else data


def replace_parts(xlsx: bytes, parts: dict[str, bytes], *, compression: int = zipfile.ZIP_DEFLATED) -> bytes:
    """A copy of ``xlsx`` with some zip members replaced or added."""
    src = zipfile.ZipFile(io.BytesIO(xlsx))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression) as dst:
        for info in src.infolist():
            if info.filename not in parts:
                dst.writestr(info.filename, src.read(info.filename))
        for name, data in parts.items():
            dst.writestr(name, data)
    return out.getvalue()


def zip_bomb_xlsx(header: list[str], *, megabytes: int = 8) -> bytes:
    """A real workbook whose sheet unpacks to ``megabytes`` MB of padding (ratio ~1000:1)."""
    good = xlsx_bytes([header])
    sheet = zipfile.ZipFile(io.BytesIO(good)).read("xl/worksheets/sheet1.xml")
    padded = sheet.replace(b"<sheetData>", b"<sheetData>" + b" " * (megabytes * 1024 * 1024), 1)
    return replace_parts(good, {"xl/worksheets/sheet1.xml": padded})


def billion_laughs_xlsx(header: list[str]) -> bytes:
    lol = (b'<?xml version="1.0"?>\n<!DOCTYPE lolz [<!ENTITY lol "lol">'
           + b"".join(b'<!ENTITY lol%d "%s">' % (i, (b"&lol%d;" % (i - 1) if i > 1 else b"&lol;") * 10)
                      for i in range(1, 10))
           + b']>\n<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
           + b'<row r="1"><c r="A1" t="inlineStr"><is><t>&lol9;</t></is></c></row></sheetData></worksheet>')
    return replace_parts(xlsx_bytes([header]), {"xl/worksheets/sheet1.xml": lol})


def malformed_xlsx(header: list[str]) -> bytes:
    broken = b'<?xml version="1.0"?><worksheet><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>x</t></row>'
    return replace_parts(xlsx_bytes([header]), {"xl/worksheets/sheet1.xml": broken})


def zip_without_workbook() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as zf:
        zf.writestr("hello.txt", "not a workbook")
    return out.getvalue()
