"""No full ID numbers, bank numbers or phones in logs (SECURITY.md C4)."""

from __future__ import annotations

import logging

import pytest

from jixing.core.logging import RedactPersonalDataFilter, redact

ID_NUMBER = "370102199005170133"
ID_WITH_X = "37010219900517013X"
BANK = "6222021234567890123"
BANK_GROUPED = "6222 0212 3456 7890 123"
PHONE = "13912345678"


def test_it_keeps_personal_numbers_out_of_captured_logs(caplog) -> None:
    log = logging.getLogger("jixing.test")
    with caplog.at_level(logging.INFO):
        log.info("person %s / %s pays to %s (%s), phone %s", ID_NUMBER, ID_WITH_X, BANK, BANK_GROUPED, PHONE)
        log.warning(f"inline {ID_NUMBER} and {PHONE}")
    text = caplog.text
    for secret in (ID_NUMBER, ID_WITH_X, BANK, BANK_GROUPED, PHONE, "199005170133", "12345678"):
        assert secret not in text
    assert "370102********0133" in text and "139****5678" in text and "0123" in text


def test_it_redacts_tracebacks_too(caplog) -> None:
    log = logging.getLogger("jixing.test")
    with caplog.at_level(logging.ERROR):
        try:
            raise ValueError(f"bad row for {ID_NUMBER}")
        except ValueError:
            log.exception("import failed")
    assert ID_NUMBER not in caplog.text
    assert "370102********0133" in caplog.text


def test_it_redacts_in_the_handler_filter_as_well() -> None:
    record = logging.LogRecord("x", logging.INFO, __file__, 1, "id %s", (ID_NUMBER,), None)
    RedactPersonalDataFilter().filter(record)
    assert record.getMessage() == "id 370102********0133"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("order 2025-0001 of 3 persons", "order 2025-0001 of 3 persons"),
        ("uscc 91370102MA3C4LXX5K", "uscc 91370102MA3C4LXX5K"),
        ("amount 1500.00 yuan", "amount 1500.00 yuan"),
        (f"id={ID_NUMBER};", "id=370102********0133;"),
    ],
)
def test_it_leaves_ordinary_text_alone(text, expected) -> None:
    assert redact(text) == expected


def test_it_logs_an_expected_refusal_as_one_line_without_a_traceback():
    import logging
    import sys

    from jixing.core.logging import ExpectedRefusalFilter

    try:
        raise PermissionError("nope")
    except PermissionError:
        info = sys.exc_info()
    refusal = logging.LogRecord("django.request", logging.WARNING, __file__, 1, "Forbidden: %s", ("/x/",), info)
    refusal.status_code = 403
    failure = logging.LogRecord("django.request", logging.ERROR, __file__, 1, "Internal Server Error: %s", ("/x/",), info)
    failure.status_code = 500
    handler_filter = ExpectedRefusalFilter()
    assert handler_filter.filter(refusal) and refusal.exc_info is None
    assert handler_filter.filter(failure) and failure.exc_info is not None
    assert "Traceback" not in logging.Formatter().format(refusal)
