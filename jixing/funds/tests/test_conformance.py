"""Every funds page declares its roles (B2), every message is translated (zh-hans first), and
the funds read endpoints keep to their OpenAPI schema under generated input."""

from __future__ import annotations

import gettext
from pathlib import Path

import pytest
import schemathesis
from django.core.wsgi import get_wsgi_application
from django.urls import URLPattern, get_resolver
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import ignored_auth, status_code_conformance

from jixing.core.permissions import ACCESS_ATTR
from jixing.funds.tests import factories as f
from jixing.web.tests.test_i18n import _po_entries

FUNDS = Path(__file__).resolve().parents[1]


def test_it_declares_roles_on_every_page() -> None:
    funds = get_resolver().url_patterns
    patterns = [p for p in funds if getattr(p, "namespace", None) == "funds"][0].url_patterns
    undecorated = [p.name for p in patterns if isinstance(p, URLPattern) and not hasattr(p.callback, ACCESS_ATTR)]
    assert patterns and undecorated == []
    assert all(getattr(p.callback, ACCESS_ATTR) != ("public",) for p in patterns)


def test_it_has_every_message_translated_and_compiled() -> None:
    po = FUNDS / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"
    with po.with_suffix(".mo").open("rb") as fh:
        compiled = gettext.GNUTranslations(fh)
    problems = []
    for entry in _po_entries(po):
        strings = [v for k, v in entry.items() if k.startswith("msgstr")]
        msgid = entry["msgid"].encode().decode("unicode_escape").encode("latin-1").decode("utf-8")
        context = entry.get("msgctxt")
        text = compiled.pgettext(context, msgid) if context is not None else compiled.gettext(msgid)
        if "fuzzy" in entry.get("flags", "") or not all(strings):
            problems.append(("untranslated", msgid))
        elif "msgid_plural" not in entry and text == msgid and strings[0] != entry["msgid"]:
            problems.append(("not compiled", msgid))
    assert problems == []


@pytest.fixture
def keep_connection():
    """The WSGI app closes the database connection after each request (request_started/finished); the
    test client disconnects that handler, and so must a test driving the WSGI app inside a
    test transaction (on PostgreSQL the closed connection would end the test)."""
    from django.core import signals
    from django.db import close_old_connections

    for signal in (signals.request_started, signals.request_finished):
        signal.disconnect(close_old_connections)
    yield
    for signal in (signals.request_started, signals.request_finished):
        signal.connect(close_old_connections)


FUNDS_READS = ["/api/v1/funds/budgets", "/api/v1/funds/budgets/{budget_id}", "/api/v1/funds/claims",
               "/api/v1/funds/claims/{claim_id}", "/api/v1/funds/review-queue", "/api/v1/funds/recoveries"]


@pytest.mark.django_db
@pytest.mark.parametrize("path", FUNDS_READS)
def test_it_answers_generated_reads_as_documented(client, personas, keep_connection, path) -> None:
    f.claim_in(f.world(personas, trainees=1), "submitted")
    client.force_login(personas.bob)
    session = client.cookies["sessionid"].value
    operation = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", get_wsgi_application())[path]["GET"]

    @given(case=operation.as_strategy())
    @settings(max_examples=15, deadline=None, suppress_health_check=list(HealthCheck), database=None, derandomize=True)
    def check(case):
        case.headers = {k: v for k, v in (case.headers or {}).items() if k.lower() != "x-api-token"}
        case.cookies = {"sessionid": session}
        response = case.call()
        case.validate_response(response, excluded_checks=[ignored_auth, status_code_conformance])
        assert response.status_code < 500

    check()
