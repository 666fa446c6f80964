"""Keep ID numbers, bank numbers and phones out of log output (SECURITY.md C4)."""

from __future__ import annotations

import logging
import re

_ID_NUMBER = re.compile(r"(?<![0-9A-Za-z])(\d{6})\d{8}(\d{3}[\dXx])(?![0-9A-Za-z])")
_LONG_DIGITS = re.compile(r"(?<!\d)\d{12,}(?!\d)")
_PHONE = re.compile(r"(?<!\d)(1[3-9]\d)\d{4}(\d{4})(?!\d)")


def redact(text: str) -> str:
    text = _ID_NUMBER.sub(r"\1********\2", text)
    text = _LONG_DIGITS.sub(lambda m: "*" * (len(m.group()) - 4) + m.group()[-4:], text)
    return _PHONE.sub(r"\1****\2", text)


class RedactPersonalDataFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = redact(message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        return True
