"""The evaluation API keeps to its schema under generated input; the catalogue is complete
(every catalogue is checked entry by entry in tests/test_translations.py)."""

from __future__ import annotations

from pathlib import Path

import polib
import pytest
from django.core.cache import cache

from jixing.web.tests.conformance import check_generated_reads

from . import factories as f

READS = [
    "/api/v1/evaluation/certificates/verify",
    "/api/v1/evaluation/certificates",
    "/api/v1/evaluation/certificates/{certificate_id}",
    "/api/v1/evaluation/filings",
    "/api/v1/evaluation/sessions",
    "/api/v1/evaluation/sessions/{session_id}",
]


@pytest.mark.django_db
@pytest.mark.parametrize("path", READS)
def test_it_answers_generated_reads_as_documented(client, personas, path, keep_test_connection, settings) -> None:
    settings.JIXING_VERIFY_PER_MINUTE = 10_000
    f.locked_pass(personas)
    cache.clear()
    check_generated_reads(client, personas.erin, path, max_examples=20)


def test_it_has_every_message_translated_and_compiled() -> None:
    po = polib.pofile(str(Path(__file__).resolve().parents[1] / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"))
    entries = [e for e in po if e.msgid and not e.obsolete]
    assert len(entries) > 250
    assert [e.msgid for e in entries if not e.msgstr or e.fuzzy] == []
