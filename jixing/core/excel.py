"""Spreadsheet output shared by every export and import error file (SECURITY.md E4).

- ``safe_cell(value)``: a cell value that a spreadsheet will show as text, never run as a
  formula: strings starting with ``=``, ``+``, ``-``, ``@`` (and tab / carriage return, which
  some spreadsheet programs strip before evaluating) get a leading ``'`` (OWASP "CSV injection").
- ``XlsxStream``: a constant-memory .xlsx writer (xlsxwriter) that writes every string as a
  string, so ``=HYPERLINK(...)`` can never become a live formula::

      with XlsxStream(path, sheet_name="错误行") as out:
          out.header(["姓名", "错误原因"])
          for row in rows:
              out.row(row)
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from types import TracebackType
from typing import IO, Any

import xlsxwriter
from django.utils import timezone

_FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class Percent:
    """A ratio shown as a percentage: a number cell formatted 0.0% in Excel (never the text
    "63.8%", never with an apostrophe), ``63.8%`` on a page."""

    ratio: Decimal | float

    def __str__(self) -> str:
        return f"{Decimal(str(self.ratio)) * 100:.1f}%"


CellValue = str | int | float | Decimal | dt.date | dt.datetime | bool | Percent | None


def safe_cell(value: CellValue) -> CellValue:
    """Return ``value`` escaped so spreadsheet programs treat it as text, not a formula."""
    if isinstance(value, str) and value.startswith(_FORMULA_PREFIXES):
        return "'" + value
    return value


def local_naive(value: dt.datetime) -> dt.datetime:
    """Spreadsheets have no time zones: an aware time is written as Asia/Shanghai wall time."""
    if timezone.is_aware(value):
        return timezone.localtime(value).replace(tzinfo=None)
    return value


def write_cell(sheet: Any, row: int, col: int, value: CellValue, *, percent: Any, date: Any, datetime: Any) -> None:
    """One typed cell on an xlsxwriter worksheet (for workbooks not written through XlsxStream)."""
    if value is None or value == "":
        return
    if isinstance(value, Percent):
        sheet.write_number(row, col, float(value.ratio), percent)
    elif isinstance(value, bool):
        sheet.write_boolean(row, col, value)
    elif isinstance(value, int | float | Decimal):
        sheet.write_number(row, col, float(value))
    elif isinstance(value, dt.datetime):
        sheet.write_datetime(row, col, local_naive(value), datetime)
    elif isinstance(value, dt.date):
        sheet.write_datetime(row, col, value, date)
    else:
        sheet.write_string(row, col, str(safe_cell(str(value))))


class XlsxStream:
    """Write one worksheet row by row in constant memory; strings are always text cells."""

    def __init__(self, target: str | Path | IO[bytes], *, sheet_name: str = "Sheet1") -> None:
        self._book = xlsxwriter.Workbook(
            str(target) if isinstance(target, Path) else target,
            {
                "constant_memory": True,
                "strings_to_formulas": False,
                "strings_to_urls": False,
                "strings_to_numbers": False,
                "in_memory": False,
            },
        )
        self._sheet = self._book.add_worksheet(sheet_name[:31])
        self._bold = self._book.add_format({"bold": True, "bg_color": "#F2F2F2"})
        self._date = self._book.add_format({"num_format": "yyyy-mm-dd"})
        self._datetime = self._book.add_format({"num_format": "yyyy-mm-dd hh:mm"})
        self._percent = self._book.add_format({"num_format": "0.0%"})
        self._money = self._book.add_format({"num_format": "#,##0.00"})
        self._text = self._book.add_format({"num_format": "@"})
        self._note = self._book.add_format({"italic": True, "font_color": "#555555"})
        self._next_row = 0
        self.rows_written = 0

    def note(self, text: str) -> None:
        """A line above the header (title, the filter in words, who exported and when)."""
        self._sheet.write_string(self._next_row, 0, str(safe_cell(text)), self._note)
        self._next_row += 1

    def header(self, labels: list[str], *, widths: list[int] | None = None) -> None:
        for col, label in enumerate(labels):
            self._sheet.write_string(self._next_row, col, str(safe_cell(label)), self._bold)
            self._sheet.set_column(col, col, (widths[col] if widths else max(10, len(label) * 2 + 2)))
        self._sheet.freeze_panes(self._next_row + 1, 0)
        self._next_row += 1

    def row(self, values: list[CellValue]) -> None:
        r = self._next_row
        for col, value in enumerate(values):
            if value is None or value == "":
                continue
            self._write_plain(r, col, value)
        self._next_row += 1
        self.rows_written += 1

    def typed_row(self, values: list[CellValue], kinds: Sequence[str]) -> None:
        """Like ``row`` with a kind per column (jixing.core.listing.Kind): ``percent`` is a
        ratio written as a number formatted 0.0%, ``money`` a number with two decimals,
        ``id_text`` always text (an ID number must never become 3.70102E+17)."""
        r = self._next_row
        for col, (value, kind) in enumerate(zip(values, kinds, strict=True)):
            if value is None or value == "":
                continue
            if kind == "percent" and isinstance(value, int | float | Decimal | Percent):
                ratio = value.ratio if isinstance(value, Percent) else value
                self._sheet.write_number(r, col, float(ratio), self._percent)
            elif kind == "money" and isinstance(value, int | float | Decimal):
                self._sheet.write_number(r, col, float(value), self._money)
            elif kind == "id_text":
                self._sheet.write_string(r, col, str(safe_cell(str(value))), self._text)
            else:
                self._write_plain(r, col, value)
        self._next_row += 1
        self.rows_written += 1

    def _write_plain(self, r: int, col: int, value: CellValue) -> None:
        if isinstance(value, Percent):
            self._sheet.write_number(r, col, float(value.ratio), self._percent)
        elif isinstance(value, bool):
            self._sheet.write_boolean(r, col, value)
        elif isinstance(value, int | float | Decimal):
            self._sheet.write_number(r, col, float(value))
        elif isinstance(value, dt.datetime):
            self._sheet.write_datetime(r, col, local_naive(value), self._datetime)
        elif isinstance(value, dt.date):
            self._sheet.write_datetime(r, col, value, self._date)
        else:
            self._sheet.write_string(r, col, str(safe_cell(str(value))))

    def close(self) -> None:
        self._book.close()

    def __enter__(self) -> XlsxStream:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()
