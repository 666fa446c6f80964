"""Bank files: the payment file sent to the bank for a batch, and the bank's return file.

Payment file columns (CSV, UTF-8 with BOM for spreadsheet programs, or .xlsx):
    批次号, 指令编号, 收款人, 收款账号, 开户银行, 金额, 用途
Return file columns (the bank's answer, .csv or .xlsx; header row required):
    指令编号, 金额, 结果 (成功/失败), 银行流水号, 失败原因

The payment file necessarily holds full account numbers (the bank needs them); producing it is
restricted to finance officers and audited (SECURITY.md E4). Every text cell goes through
``safe_cell`` so a payee name such as ``=HYPERLINK(...)`` stays text. Return files pass the
upload checks of ``jixing.imports.readers`` (F1) before any row is read.
"""

from __future__ import annotations

import csv
import hashlib
import io
import os
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from jixing.core.excel import XlsxStream, safe_cell
from jixing.core.refusals import Invalid
from jixing.imports.readers import FileRejected, RowStream, inspect_upload

from . import actions
from .actions import ReturnRow
from .models import OrderStatus, PaymentBatch, SubsidyItem

PAYMENT_HEADER = ["批次号", "指令编号", "收款人", "收款账号", "开户银行", "金额", "用途"]
RETURN_HEADER = ["指令编号", "金额", "结果", "银行流水号", "失败原因"]
_RETURN_ALIASES = {
    "指令编号": "order", "指令号": "order", "order": "order", "order_number": "order",
    "金额": "amount", "amount": "amount",
    "结果": "result", "状态": "result", "result": "result", "status": "result",
    "银行流水号": "reference", "流水号": "reference", "reference": "reference", "bank_reference": "reference",
    "失败原因": "reason", "原因": "reason", "reason": "reason", "failure_reason": "reason",
}
MAX_RETURN_ROWS = 100_000


@dataclass(frozen=True)
class BankFile:
    content: bytes
    file_name: str
    rows: int
    sha256: str
    content_type: str


def payment_rows(batch: PaymentBatch) -> Iterator[list[str]]:
    items = dict(SubsidyItem.choices)
    orders = (
        batch.orders.filter(status=OrderStatus.ISSUED).select_related("payee_account", "claim").order_by("number")
    )
    for order in orders:
        purpose = f"{items.get(order.claim.subsidy_item, '')} {order.claim.number}"
        yield [
            batch.number, order.number, order.payee_name, order.payee_account.account_number,
            order.payee_account.bank_name, f"{order.amount:.2f}", purpose.strip(),
        ]


def build_payment_file(batch: PaymentBatch, fmt: str = "csv") -> BankFile:
    rows = list(payment_rows(batch))
    if fmt == "xlsx":
        buffer = io.BytesIO()
        with XlsxStream(buffer, sheet_name=batch.number) as out:
            out.header(PAYMENT_HEADER)
            for row in rows:
                out.row(list(row))  # strings only: account numbers and amounts stay exact text
        content = buffer.getvalue()
        content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    else:
        text = io.StringIO()
        writer = csv.writer(text, lineterminator="\r\n")
        writer.writerow(PAYMENT_HEADER)
        for row in rows:
            writer.writerow([safe_cell(v) for v in row])
        content = ("\ufeff" + text.getvalue()).encode("utf-8")
        content_type = "text/csv; charset=utf-8"
        fmt = "csv"
    return BankFile(
        content=content, file_name=f"{batch.number}.{fmt}", rows=len(rows),
        sha256=hashlib.sha256(content).hexdigest(), content_type=content_type,
    )


def export_payment_file(
    batch: PaymentBatch, *, by: Any, fmt: str = "csv", deliver: Callable[[BankFile], None] | None = None,
) -> BankFile:
    """Produce the bank file of a batch and only then mark the batch exported.

    One transaction with the batch row locked: the file is built from what is locked,
    ``deliver`` writes it (a folder that does not exist fails here, before any state change),
    and the export is recorded last. Two exports of one batch run one after the other."""
    with transaction.atomic():
        locked = actions.lock_batch_for_export(batch, by=by)
        bank_file = build_payment_file(locked, fmt)
        if deliver is not None:
            deliver(bank_file)
        actions.record_bank_file_export(locked, by=by, sha256=bank_file.sha256, rows=bank_file.rows, fmt=fmt)
    return bank_file


def write_file_atomically(directory: str | os.PathLike[str], name: str, content: bytes) -> Path:
    """Write ``content`` to ``directory/name`` through a temporary file in the same folder and a
    rename, so a reader never sees half a bank file; owner-only permissions (full account numbers)."""
    folder = Path(directory)
    if not folder.is_dir():
        raise FileNotFoundError(_("The folder %(folder)s does not exist.") % {"folder": folder})
    fd, tmp = tempfile.mkstemp(prefix=f".{name}.", suffix=".part", dir=folder)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(content)
            fh.flush()
            os.fsync(fh.fileno())
        target = folder / name
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return target


def export_to_directory(batch: PaymentBatch, *, by: Any, fmt: str, directory: str | os.PathLike[str]) -> tuple[BankFile, Path]:
    """The command's export: the file is in place before the batch is marked exported; if
    recording fails afterwards the file is removed again, so file and state never disagree."""
    written: list[Path] = []

    def deliver(bank_file: BankFile) -> None:
        written.append(write_file_atomically(directory, bank_file.file_name, bank_file.content))

    try:
        bank_file = export_payment_file(batch, by=by, fmt=fmt, deliver=deliver)
    except BaseException:
        for path in written:
            path.unlink(missing_ok=True)
        raise
    return bank_file, written[0]


class ReturnFileError(Invalid):
    """A bank return file that cannot be read: a refusal (``core.refusals.Invalid``) with ``message``."""

    def __init__(self, message: str) -> None:
        super().__init__(message)


@dataclass(frozen=True)
class ParsedReturn:
    rows: list[ReturnRow]
    sha256: str


def _sha256_file(path: str | os.PathLike[str]) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 16), b""):
            digest.update(chunk)
    return digest.hexdigest()


def parse_return_file(path: str | os.PathLike[str], original_name: str) -> ParsedReturn:
    """Read a bank return file; raises ``ReturnFileError`` (in Chinese) for a file that cannot
    be used at all. Row-level problems are left to reconciliation, which reports them by row."""
    try:
        info = inspect_upload(path, original_name)
        with RowStream(path, info) as stream:
            iterator = iter(stream)
            header: dict[str, int] = {}
            for _number, cells in iterator:
                if any(cells):
                    header = {_RETURN_ALIASES[c.strip().lower()]: i for i, c in enumerate(cells)
                              if c.strip().lower() in _RETURN_ALIASES}
                    break
            missing = [name for name in ("order", "amount", "result") if name not in header]
            if missing:
                raise ReturnFileError(_("The return file needs the columns 指令编号, 金额 and 结果 in its first row."))
            rows: list[ReturnRow] = []
            for number, cells in iterator:
                if not any(cells):
                    continue
                if len(rows) >= MAX_RETURN_ROWS:
                    raise ReturnFileError(_("The return file has too many rows."))

                def cell(name: str, cells: list[str] = cells) -> str:
                    i = header.get(name)
                    return cells[i].strip() if i is not None and i < len(cells) else ""

                rows.append(ReturnRow(
                    row_number=number, order_number=cell("order"), amount=cell("amount"), result=cell("result"),
                    bank_reference=cell("reference"), failure_reason=cell("reason"),
                ))
    except FileRejected as exc:
        raise ReturnFileError(exc.message) from None
    return ParsedReturn(rows=rows, sha256=_sha256_file(path))


def parse_uploaded(upload: object) -> ParsedReturn:
    """Parse a Django ``UploadedFile`` through a temporary file that is always removed (D4)."""
    name = getattr(upload, "name", "return.csv")
    suffix = Path(name).suffix.lower()[:10]
    fd, tmp = tempfile.mkstemp(prefix="jixing-bank-", suffix=suffix)
    try:
        with os.fdopen(fd, "wb") as fh:
            for chunk in upload.chunks():  # type: ignore[attr-defined]
                fh.write(chunk)
        return parse_return_file(tmp, name)
    finally:
        Path(tmp).unlink(missing_ok=True)


def return_file_for(batch: PaymentBatch, *, fail: set[str] = frozenset(), amounts: dict[str, str] | None = None,  # type: ignore[assignment]
                    extra_rows: list[list[str]] | None = None, fmt: str = "csv") -> bytes:
    """A return file as the bank would send it (demo data, tests and the bench): every issued
    order succeeded unless listed in ``fail``; ``amounts`` overrides reported amounts."""
    amounts = amounts or {}
    text = io.StringIO()
    writer = csv.writer(text, lineterminator="\r\n")
    writer.writerow(RETURN_HEADER)
    for order in batch.orders.filter(status=OrderStatus.ISSUED).order_by("number"):
        failed = order.number in fail
        writer.writerow([
            order.number, amounts.get(order.number, f"{order.amount:.2f}"), "失败" if failed else "成功",
            "" if failed else f"YH{order.pk:010d}", "账户已销户" if failed else "",
        ])
    for row in extra_rows or []:
        writer.writerow(row)
    return ("\ufeff" + text.getvalue()).encode("utf-8")
