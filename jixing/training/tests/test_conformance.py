"""Every training page declares its roles (B2), every message is translated and compiled, and
the training read endpoints keep to their OpenAPI schema under generated input."""

from __future__ import annotations

import datetime as dt
import gettext
from pathlib import Path

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from django.urls import URLPattern, get_resolver
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import ignored_auth, status_code_conformance

from jixing.core.permissions import ACCESS_ATTR
from jixing.web.tests.test_i18n import _po_entries

from .factories import make_class, make_enrollment, make_project, make_sessions, make_teacher

TRAINING = Path(__file__).resolve().parents[1]


def test_it_declares_roles_on_every_page() -> None:
    patterns = [p for p in get_resolver().url_patterns if getattr(p, "namespace", None) == "training"][0].url_patterns
    undecorated = [p.name for p in patterns if isinstance(p, URLPattern) and not hasattr(p.callback, ACCESS_ATTR)]
    assert patterns and undecorated == []
    assert all(getattr(p.callback, ACCESS_ATTR) != ("public",) for p in patterns)


def test_it_has_every_message_translated_and_compiled() -> None:
    po = TRAINING / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"
    with po.with_suffix(".mo").open("rb") as fh:
        compiled = gettext.GNUTranslations(fh)
    problems = []
    for entry in _po_entries(po):
        strings = [v for k, v in entry.items() if k.startswith("msgstr")]
        msgid = entry["msgid"].encode().decode("unicode_escape").encode("latin-1").decode("utf-8")
        if "fuzzy" in entry.get("flags", "") or not all(strings):
            problems.append(("untranslated", msgid))
        elif ("msgid_plural" not in entry and "msgctxt" not in entry and compiled.gettext(msgid) == msgid
              and strings[0] != entry["msgid"]):
            problems.append(("not compiled", msgid))
    assert problems == []


@pytest.fixture
def keep_test_connection():
    """The WSGI app's request_finished would close the test's connection (PostgreSQL)."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


TRAINING_READS = [
    "/api/v1/training/projects", "/api/v1/training/projects/{project_id}", "/api/v1/training/classes",
    "/api/v1/training/classes/{class_id}", "/api/v1/training/classes/{class_id}/sessions",
    "/api/v1/training/classes/{class_id}/enrollments", "/api/v1/training/enrollments/{enrollment_id}",
    "/api/v1/training/sessions/{session_id}/attendance",
]


@pytest.mark.django_db
@pytest.mark.parametrize("path", TRAINING_READS)
def test_it_answers_generated_reads_as_documented(client, personas, keep_test_connection, path) -> None:
    klass = make_class(make_project(personas), start=dt.date(2026, 3, 2), days=2)
    make_sessions(klass, make_teacher(personas.institution))
    make_enrollment(klass, personas.lixia_person)
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
