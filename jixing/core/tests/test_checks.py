"""The security baseline's settings floor is a system check (SECURITY.md A1–A4, C3, H1)."""

from __future__ import annotations

import pytest
from django.test import override_settings

from jixing.core.checks import security_baseline


def _ids() -> set[str]:
    return {problem.id for problem in security_baseline()}


def test_it_passes_with_the_shipped_settings() -> None:
    assert _ids() == set()


@pytest.mark.parametrize(
    ("setting", "value", "problem"),
    [
        ("JIXING_SESSION_IDLE_SECONDS", 31 * 60, "jixing.E003"),
        ("SESSION_COOKIE_AGE", 13 * 3600, "jixing.E003"),
        ("JIXING_LOCKOUT_FAILURES", 6, "jixing.E002"),
        ("JIXING_LOCKOUT_MINUTES", 5, "jixing.E002"),
        ("JIXING_AUDIT_RETENTION_DAYS", 179, "jixing.E004"),
        ("JIXING_PASSWORD_MAX_AGE_DAYS", 0, "jixing.W001"),
        ("AUTH_PASSWORD_VALIDATORS", [], "jixing.E001"),
        ("MIDDLEWARE", [], "jixing.E005"),
    ],
)
def test_it_refuses_settings_below_the_floor(setting, value, problem) -> None:
    with override_settings(**{setting: value}):
        assert problem in _ids()


def test_it_wants_docs_off_and_second_factors_on_in_production() -> None:
    with override_settings(PRODUCTION=True, JIXING_API_DOCS=True, JIXING_REQUIRE_STAFF_TOTP=False):
        assert {"jixing.E006", "jixing.W002"} <= _ids()
