"""Upload checks (SECURITY.md F1) and row readers for .xlsx and .csv.

``inspect_upload(path, name)`` runs every file-level check BEFORE any parser sees the file and
raises ``FileRejected`` with one clear message in the user's language; ``RowStream(path, info)``
then yields ``(row_number, cells)`` with the row number a spreadsheet shows (first row = 1).
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import os
import re
import unicodedata
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from defusedxml import ElementTree as DefusedET
from defusedxml.common import DefusedXmlException
from django.conf import settings
from django.utils.translation import gettext as _

XLSX = "xlsx"
CSV = "csv"

_ZIP_MAGIC = b"PK\x03\x04"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # legacy .xls / .doc
_REQUIRED_PARTS = ("[Content_Types].xml", "xl/workbook.xml")
_MAX_ZIP_MEMBERS = 2_000
_SMALL_XML_PART = 4 * 1024 * 1024  # fully parsed with defusedxml; bigger parts get a prolog scan
_PROLOG_LIMIT = 64 * 1024
_SNIFF_BYTES = 64 * 1024
_XML_NAME_START = re.compile(rb"<[A-Za-z_:]")
_FIRST_SHEET = re.compile(rb"<(?:\w+:)?sheet\b[^>]*?\b\w+:id=\"([^\"]+)\"")
_RELATIONSHIP = re.compile(rb"<(?:\w+:)?Relationship\b[^>]*>")
_DIMENSION = re.compile(rb"<(?:\w+:)?dimension\s+ref=\"\$?[A-Z]+\$?(\d+)(?::\$?[A-Z]+\$?(\d+))?\"")


class FileRejected(Exception):
    """A file-level problem: nothing is read further and nothing is written."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class UploadInfo:
    kind: str  # XLSX or CSV
    size: int
    encoding: str = ""  # CSV only
    rows_estimate: int = 0  # for progress bars; exact for xlsx after loading


def _max_ratio() -> int:
    return int(getattr(settings, "JIXING_IMPORT_MAX_COMPRESSION_RATIO", 200))


def _mb(n: int) -> str:
    return f"{n / 1024 / 1024:.1f}"


def inspect_upload(path: str | os.PathLike[str], original_name: str) -> UploadInfo:
    """Check type by extension AND signature, size, zip bomb and XML entities; fail fast."""
    ext = Path(original_name).suffix.lower()
    if ext not in (".xlsx", ".csv"):
        raise FileRejected(_("Only .xlsx or .csv files can be imported (this file is “%(ext)s”).")
                           % {"ext": ext or _("no extension")})
    size = os.path.getsize(path)
    if size == 0:
        raise FileRejected(_("The file is empty."))
    limit = settings.JIXING_IMPORT_MAX_BYTES
    if size > limit:
        raise FileRejected(_("The file is too large (%(size)s MB); the limit is %(limit)s MB.")
                           % {"size": _mb(size), "limit": _mb(limit)})
    with open(path, "rb") as fh:
        head = fh.read(_SNIFF_BYTES)
    if ext == ".xlsx":
        rows = _check_xlsx(path, head)
        xlsx_limit = settings.JIXING_IMPORT_MAX_XLSX_ROWS
        if rows is not None and rows - 1 > xlsx_limit:
            raise FileRejected(_("The workbook has %(rows)s rows; an .xlsx file is read into memory whole, so it may "
                                 "have at most %(limit)s data rows. Save it as CSV (UTF-8) and import that: CSV files "
                                 "are read row by row.") % {"rows": f"{rows:,}", "limit": f"{xlsx_limit:,}"})
        return UploadInfo(kind=XLSX, size=size, rows_estimate=rows or 0)
    encoding = _check_csv(path, head)
    return UploadInfo(kind=CSV, size=size, encoding=encoding, rows_estimate=_count_lines(path))


def _not_xlsx() -> FileRejected:
    return FileRejected(_("The file is not a valid Excel workbook (.xlsx); it may be renamed from another type. "
                          "Save it from Excel as “Excel workbook (*.xlsx)” and try again."))


def _check_xlsx(path: str | os.PathLike[str], head: bytes) -> int | None:
    """The checks below; then the first sheet's row count from its ``<dimension>`` (None when
    the writer left it out), read before anything loads the sheet."""
    if head.startswith(_OLE_MAGIC):
        raise FileRejected(_("Old-style .xls files cannot be imported; save the file as .xlsx and try again."))
    if not head.startswith(_ZIP_MAGIC):
        raise _not_xlsx()
    try:
        with zipfile.ZipFile(path) as zf:
            infos = zf.infolist()
            names = {i.filename for i in infos}
            if not all(part in names for part in _REQUIRED_PARTS):
                raise _not_xlsx()
            _check_zip_sizes(infos)
            for info in infos:
                if info.filename.endswith((".xml", ".rels", ".vml")):
                    _check_xml_part(zf, info)
            return _first_sheet_rows(zf, names)
    except FileRejected:
        raise
    except Exception:  # BadZipFile, zlib.error, EOFError, NotImplementedError …: a damaged zip
        raise _not_xlsx() from None


def _first_sheet_rows(zf: zipfile.ZipFile, names: set[str]) -> int | None:
    """Rows of the workbook's first sheet (the one imported) by its ``<dimension ref="A1:H1000">``."""
    sheet = _FIRST_SHEET.search(zf.read("xl/workbook.xml"))
    rels_name = "xl/_rels/workbook.xml.rels"
    if sheet is None or rels_name not in names:
        return None
    target = None
    for rel in _RELATIONSHIP.findall(zf.read(rels_name)):
        if re.search(rb'\bId="' + re.escape(sheet.group(1)) + rb'"', rel):
            found = re.search(rb'\bTarget="([^"]+)"', rel)
            target = found.group(1).decode() if found else None
    if target is None:
        return None
    part = target.lstrip("/") if target.startswith("/") else f"xl/{target}"
    if part not in names:
        return None
    with zf.open(part) as fh:
        dimension = _DIMENSION.search(fh.read(_PROLOG_LIMIT))
    if dimension is None:
        return None
    return int(dimension.group(2) or dimension.group(1))


def _check_zip_sizes(infos: list[zipfile.ZipInfo]) -> None:
    """Zip bomb: refuse by the central directory's numbers before anything is decompressed."""
    if len(infos) > _MAX_ZIP_MEMBERS:
        raise FileRejected(_("The workbook has too many internal parts; it is not a normal Excel file."))
    total = sum(i.file_size for i in infos)
    limit = settings.JIXING_IMPORT_MAX_UNCOMPRESSED_BYTES
    if total > limit:
        raise FileRejected(_("The workbook would unpack to %(size)s MB, more than the %(limit)s MB allowed "
                             "(possible zip bomb). Split the file and try again.")
                           % {"size": _mb(total), "limit": _mb(limit)})
    ratio = _max_ratio()
    for info in infos:
        if info.flag_bits & 0x1:
            raise FileRejected(_("Password-protected workbooks cannot be imported; remove the password and try again."))
        if info.file_size > 1024 * 1024 and info.file_size > ratio * max(info.compress_size, 1):
            raise FileRejected(_("The workbook is compressed %(ratio)d times, far more than a normal Excel file "
                                 "(possible zip bomb). It was not opened.")
                               % {"ratio": info.file_size // max(info.compress_size, 1)})


def _malformed() -> FileRejected:
    return FileRejected(_("The workbook's content is damaged (malformed XML); open it in Excel, save it again "
                          "and retry."))


def _entities() -> FileRejected:
    return FileRejected(_("The workbook contains XML document type or entity declarations, which Excel never "
                          "writes; it was refused for safety."))


def _check_xml_part(zf: zipfile.ZipFile, info: zipfile.ZipInfo) -> None:
    """No DOCTYPE/ENTITY anywhere calamine will look (billion laughs, external entities).

    Small parts are parsed with defusedxml (which also catches malformed XML); big sheet parts
    get a prolog scan, since a DOCTYPE can only come before the root element.
    """
    with zf.open(info) as fh:
        if info.file_size <= _SMALL_XML_PART:
            data = fh.read(_SMALL_XML_PART + 1)
            try:
                DefusedET.fromstring(data, forbid_dtd=True)
            except DefusedXmlException:
                raise _entities() from None
            except Exception:  # ParseError and friends: the part is not well-formed XML
                raise _malformed() from None
            return
        prolog = fh.read(_PROLOG_LIMIT)
    upper = prolog.upper()
    root = _XML_NAME_START.search(prolog)
    cut = root.start() if root else len(prolog)
    if b"<!DOCTYPE" in upper[:cut] or b"<!ENTITY" in upper[:cut]:
        raise _entities()
    if root is None:
        raise _malformed()


def _check_csv(path: str | os.PathLike[str], head: bytes) -> str:
    if head.startswith(_ZIP_MAGIC) or head.startswith(_OLE_MAGIC):
        raise FileRejected(_("This file is an Excel workbook renamed to .csv; import it with the .xlsx extension."))
    if b"\x00" in head:
        raise FileRejected(_("The file is not a text CSV file (it contains binary data)."))
    for encoding in ("utf-8-sig", "gb18030"):
        if _decodes(path, encoding):
            return encoding
    raise FileRejected(_("The CSV file's text encoding is not recognised; save it as “CSV UTF-8” and try again."))


def _decodes(path: str | os.PathLike[str], encoding: str) -> bool:
    decoder = codecs.getincrementaldecoder(encoding)()
    with open(path, "rb") as fh:
        try:
            while block := fh.read(1024 * 1024):
                if b"\x00" in block:
                    raise FileRejected(_("The file is not a text CSV file (it contains binary data)."))
                decoder.decode(block)
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            return False
    return True


def _count_lines(path: str | os.PathLike[str]) -> int:
    count = 0
    with open(path, "rb") as fh:
        while block := fh.read(4 * 1024 * 1024):
            count += block.count(b"\n")
    return count


# ---------------------------------------------------------------- reading rows


def cell_text(value: object) -> str:
    """A cell as the text a person typed: 13912345678.0 → "13912345678", dates as ISO."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        return number_cell_text(value)
    if isinstance(value, dt.datetime):
        return value.isoformat(sep=" ") if value.time() != dt.time(0) else value.date().isoformat()
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    return str(value).strip()


def _reraise_unless_parser_failure(exc: BaseException) -> None:
    """calamine reports bad workbooks as CalamineError, ValueError … or, for input its Rust code
    did not expect, a pyo3 PanicException (a BaseException). All of them mean "damaged file";
    interpreter signals go on."""
    if isinstance(exc, KeyboardInterrupt | SystemExit | GeneratorExit | MemoryError):
        raise exc


class RowStream:
    """Rows of the first sheet / the CSV as ``(spreadsheet row number, cell texts)``
    (CSV cells unstripped: the pipeline strips the cells an importer reads).

    ``total`` is the number of rows (exact for .xlsx, a line count for .csv) for progress bars.
    Use as a context manager so the workbook is closed.
    """

    def __init__(self, path: str | os.PathLike[str], info: UploadInfo) -> None:
        self._path = path
        self._info = info
        self._book = None
        if info.kind == XLSX:
            from python_calamine import CalamineWorkbook

            try:
                self._book = CalamineWorkbook.from_path(str(path))
                self._sheet = self._book.get_sheet_by_index(0)
            except BaseException as exc:
                self.close()
                _reraise_unless_parser_failure(exc)
                raise _malformed() from None
            end = self._sheet.end
            self.total = end[0] + 1 if end else 0
        else:
            self.total = info.rows_estimate

    def __iter__(self) -> Iterator[tuple[int, list[str]]]:
        if self._info.kind == CSV:
            yield from _csv_rows(self._path, self._info.encoding)
            return
        try:
            # iter_rows starts at the sheet's first row (leading blank rows included), so the
            # position is the spreadsheet row number.
            for number, cells in enumerate(self._sheet.iter_rows(), start=1):
                yield number, [cell_text(c) for c in cells]
        except BaseException as exc:
            _reraise_unless_parser_failure(exc)
            raise _malformed() from None

    def close(self) -> None:
        if self._book is not None:
            self._book.close()
            self._book = None

    def __enter__(self) -> RowStream:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _csv_rows(path: str | os.PathLike[str], encoding: str) -> Iterator[tuple[int, list[str]]]:
    with open(path, encoding=encoding or "utf-8-sig", newline="") as fh:
        try:
            sample = fh.read(8192)
            fh.seek(0)
            delimiter = _sniff_delimiter(sample)
            reader = csv.reader(fh, delimiter=delimiter)
            # One record = one spreadsheet row, even when a quoted cell holds a line break.
            yield from enumerate(reader, start=1)  # the pipeline strips the cells it uses
        except csv.Error:
            raise FileRejected(_("The CSV file is malformed near line %(line)d.") % {"line": reader.line_num}) from None


def _sniff_delimiter(sample: str) -> str:
    first_line = sample.splitlines()[0] if sample else ""
    counts = {d: first_line.count(d) for d in (",", "\t", ";")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


__all__ = ["CSV", "XLSX", "FileRejected", "UploadInfo", "cell_text", "inspect_upload", "RowStream"]


# ---------------------------------------------------------------- ID-like cells

#: Columns whose cells are identifiers typed as digits: repaired here (spaces, full-width digits,
#: a trailing ".0") or refused (a number that lost digits), never passed on silently wrong.
ID_LIKE_KEYS = frozenset({"id_number", "phone", "employer_uscc", "bank_account", "candidate_number"})
_SPACES = dict.fromkeys(map(ord, " \t\u00a0\u2002\u2003\u2009\u200b\u3000\ufeff"), None)
_SCIENTIFIC = re.compile(r"^\d(\.\d+)?[eE]\+?\d+$")
_TRAILING_ZERO = re.compile(r"^(\d+)\.0+$")


class CellRefused(ValueError):
    """An identifier cell that cannot be repaired; ``reason`` says why, in the user's language."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def repair_id_text(text: str) -> tuple[str, str]:
    """``(value, note)``: the identifier as typed, with the repairs made ("" if none).

    Repaired: spaces / NBSP / full-width spaces inside, full-width digits and letters (NFKC),
    a trailing ``.0`` from a number cell, a lower-case ``x`` check digit. Refused: a number in
    scientific notation or longer than a spreadsheet keeps exactly (15 digits) — its last
    digits are already lost, so no repair could be trusted."""
    original = text
    notes: list[str] = []
    value = text.translate(_SPACES)
    if value != text:
        notes.append(_("spaces removed"))
    normalised = unicodedata.normalize("NFKC", value)
    if normalised != value:
        notes.append(_("full-width characters converted"))
        value = normalised.translate(_SPACES)
    if _SCIENTIFIC.match(value):
        raise CellRefused(_("“%(value)s” is a number in scientific notation: the spreadsheet stored the ID as a "
                            "number and its last digits are lost. Format the column as text and type it again.")
                          % {"value": original})
    trailing = _TRAILING_ZERO.match(value)
    if trailing:
        value = trailing.group(1)
        notes.append(_("trailing “.0” removed"))
    if value.endswith("x") and value[:-1].isdigit():
        value = value[:-1] + "X"
        notes.append(_("lower-case x made upper-case"))
    return value, "；".join(notes)


def number_cell_text(value: float) -> str:
    """A numeric cell: exact integers as digits; anything a double cannot hold exactly (more
    than 15 significant digits) keeps its scientific form so the ID check refuses it."""
    if value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    if value.is_integer():
        return f"{value:.15e}".replace("e+", "E+")
    return repr(value)
