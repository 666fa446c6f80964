"""Keep ID numbers, bank numbers and phones out of log output (SECURITY.md C4).

Two layers: a log-record factory (installed by ``CoreConfig.ready``) redacts every record
when it is created, so no handler — console, file, mail, pytest's caplog — ever sees the
plain value; the ``RedactPersonalDataFilter`` on the configured handlers stays as a second
guard for records made before the factory was installed.
"""

from __future__ import annotations

import logging
import re
from typing import Any

_ID_NUMBER = re.compile(r"(?<![0-9A-Za-z])(\d{6})\d{8}(\d{3}[\dXx])(?![0-9A-Za-z])")
_LONG_DIGITS = re.compile(r"(?<!\d)\d{12,}(?!\d)")
# Bank cards written in groups: "6222 0212 3456 7890 123" or with dashes.
_GROUPED_DIGITS = re.compile(r"(?<!\d)\d{4}(?:[ -]\d{4}){2,}(?:[ -]\d{1,4})?(?!\d)")
_PHONE = re.compile(r"(?<!\d)(1[3-9]\d)\d{4}(\d{4})(?!\d)")
_EXC_FORMATTER = logging.Formatter()


def _mask_digits(match: re.Match[str]) -> str:
    digits = re.sub(r"\D", "", match.group())
    return "*" * (len(digits) - 4) + digits[-4:]


def redact(text: str) -> str:
    text = _ID_NUMBER.sub(r"\1********\2", text)
    text = _GROUPED_DIGITS.sub(_mask_digits, text)
    text = _LONG_DIGITS.sub(_mask_digits, text)
    return _PHONE.sub(r"\1****\2", text)


def redact_record(record: logging.LogRecord) -> None:
    try:
        message = record.getMessage()
    except Exception:  # a bad format string: leave it to the handler to report
        return
    cleaned = redact(message)
    if cleaned != message:
        record.msg, record.args = cleaned, None
    if record.exc_info and record.exc_info[0] is not None and not record.exc_text:
        # Formatters reuse exc_text when set, so the traceback is redacted once, here.
        record.exc_text = redact(_EXC_FORMATTER.formatException(record.exc_info))
    elif record.exc_text:
        record.exc_text = redact(record.exc_text)
    if record.stack_info:
        record.stack_info = redact(record.stack_info)


class RedactPersonalDataFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        redact_record(record)
        return True


def install_record_factory() -> None:
    """Redact every log record at creation (idempotent)."""
    previous = logging.getLogRecordFactory()
    if getattr(previous, "jixing_redacting", False):
        return

    def factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
        record = previous(*args, **kwargs)
        redact_record(record)
        return record

    factory.jixing_redacting = True  # type: ignore[attr-defined]
    logging.setLogRecordFactory(factory)


class ExpectedRefusalFilter(logging.Filter):
    """A 403 or 404 is an answer, not a fault: Django's request logger attaches the
    PermissionDenied / Http404 traceback to it. Keep the one line ("Forbidden (Permission
    denied): /funds/claims/7/"), drop the traceback. Real errors (5xx) keep theirs."""

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "status_code", None) in (403, 404):
            record.exc_info = None
            record.exc_text = None
        return True
