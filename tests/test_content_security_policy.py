"""SECURITY.md H1: a strict Content-Security-Policy on every response, and templates that
need no inline script (script-src 'self'). Browser tests fail on any CSP refusal
(jixing/web/tests/browser.py); this file holds the header and the template scan."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.conf import settings

TEMPLATE_DIRS = sorted(Path(settings.BASE_DIR, "jixing").glob("*/templates"))
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/json\")[^>]*>", re.I)
INLINE_HANDLER = re.compile(r"\son[a-z]+\s*=", re.I)


def _directives(header: str) -> dict[str, list[str]]:
    return {part.split()[0]: part.split()[1:] for part in header.split(";") if part.strip()}


@pytest.mark.parametrize("path", ["/accounts/login/", "/api/v1/registry/persons", "/no-such-page/", "/certificates/check/"])
def test_it_sends_a_strict_policy_on_every_response(client, db, path) -> None:
    response = client.get(path)
    policy = _directives(response.headers["Content-Security-Policy"])
    assert policy["script-src"] == ["'self'"]
    assert policy["object-src"] == ["'none'"] and policy["frame-ancestors"] == ["'none'"]
    assert policy["default-src"] == ["'self'"] and policy["base-uri"] == ["'self'"]


def test_it_sends_the_policy_on_signed_in_pages(client, personas) -> None:
    client.force_login(personas.alice)
    response = client.get("/stats/")
    assert response.status_code == 200
    assert "script-src 'self';" in response.headers["Content-Security-Policy"]


def test_it_keeps_every_template_free_of_inline_script_and_handlers() -> None:
    offenders = []
    for directory in TEMPLATE_DIRS:
        for template in directory.rglob("*.html"):
            text = template.read_text(encoding="utf-8")
            for pattern in (INLINE_SCRIPT, INLINE_HANDLER):
                offenders += [f"{template.relative_to(settings.BASE_DIR)}: {m.group(0)}" for m in pattern.finditer(text)]
    assert TEMPLATE_DIRS and offenders == []


def test_it_refuses_a_policy_that_allows_inline_script(settings) -> None:
    from jixing.core.checks import security_baseline

    settings.JIXING_CSP = {**settings.JIXING_CSP, "script-src": ["'self'", "'unsafe-inline'"]}
    assert "jixing.E008" in [problem.id for problem in security_baseline()]
