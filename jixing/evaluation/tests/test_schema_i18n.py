"""The evaluation API keeps to its schema under generated input; the catalogue is complete."""

from __future__ import annotations

import gettext
import re
from pathlib import Path

import pytest
import schemathesis
from django.core.cache import cache
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from schemathesis.checks import ignored_auth, status_code_conformance

from . import factories as f

READS = [
    "/api/v1/evaluation/certificates/verify",
    "/api/v1/evaluation/certificates",
    "/api/v1/evaluation/certificates/{certificate_id}",
    "/api/v1/evaluation/filings",
    "/api/v1/evaluation/sessions",
    "/api/v1/evaluation/sessions/{session_id}",
]


@pytest.fixture
def keep_test_connection():
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.mark.django_db
@pytest.mark.parametrize("path", READS)
def test_it_answers_generated_reads_as_documented(client, personas, path, keep_test_connection, settings) -> None:
    settings.JIXING_VERIFY_PER_MINUTE = 10_000
    f.locked_pass(personas)
    client.force_login(personas.erin)
    session = client.cookies["sessionid"].value
    operation = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", get_wsgi_application())[path]["GET"]

    @given(case=operation.as_strategy())
    @hsettings(max_examples=20, deadline=None, suppress_health_check=list(HealthCheck), database=None, derandomize=True)
    def check(case):
        case.headers = {k: v for k, v in (case.headers or {}).items() if k.lower() != "x-api-token"}
        case.cookies = {"sessionid": session}
        response = case.call()
        case.validate_response(response, excluded_checks=[ignored_auth, status_code_conformance])
        assert response.status_code < 500

    cache.clear()
    check()


def _entries(po: Path) -> list[dict[str, str]]:
    entries = []
    for block in po.read_text(encoding="utf-8").split("\n\n"):
        entry: dict[str, str] = {}
        key = ""
        for line in block.splitlines():
            if line.startswith("#,"):
                entry["flags"] = line
                continue
            match = re.match(r'^(msgctxt|msgid|msgstr) "(.*)"$', line)
            if match:
                key = match.group(1)
                entry[key] = match.group(2)
            elif line.startswith('"') and key:
                entry[key] += line[1:-1]
        if entry.get("msgid"):
            entries.append(entry)
    return entries


def test_it_has_every_message_translated_and_compiled() -> None:
    po_path = Path(__file__).resolve().parents[1] / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"
    entries = _entries(po_path)
    assert len(entries) > 250
    assert [e["msgid"] for e in entries if not e.get("msgstr") or "fuzzy" in e.get("flags", "")] == []
    with po_path.with_suffix(".mo").open("rb") as fh:
        compiled = gettext.GNUTranslations(fh)
    decode = lambda s: s.encode().decode("unicode_escape").encode("latin-1").decode("utf-8")  # noqa: E731
    stale = [e["msgid"] for e in entries if "msgctxt" not in e and compiled.gettext(decode(e["msgid"])) != decode(e["msgstr"])]
    assert stale == []
