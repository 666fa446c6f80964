"""System checks for the security baseline (SECURITY.md): settings that the environment may
tune, but not below the MLPS level-3 floor. ``manage.py check`` (and every server start)
fails on an Error; ``check --deploy --fail-level WARNING`` also fails on the Warnings."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.checks import Error, Tags, Warning, register


def _validators() -> list[dict[str, Any]]:
    validators: list[dict[str, Any]] = settings.AUTH_PASSWORD_VALIDATORS  # type: ignore[assignment]
    return validators


def _min_password_length() -> int:
    for validator in _validators():
        if validator["NAME"].endswith("MinimumLengthValidator"):
            return int(validator.get("OPTIONS", {}).get("min_length", 8))
    return 0


_TEST_ONLY_SECRETS = ("SECRET_KEY", "JIXING_DATA_KEYS", "JIXING_HASH_KEY", "JIXING_AUDIT_KEY")


def _known_test_secrets() -> set[str]:
    """The keys written into config/settings_test.py, which must never protect real data."""
    text = (Path(settings.BASE_DIR) / "config" / "settings_test.py").read_text(encoding="utf-8")
    return set(re.findall(r'os\.environ\.setdefault\("(?:DJANGO_SECRET_KEY|JIXING_\w+_KEYS?)", "([^"]+)"\)', text))


@register(Tags.security)
def security_baseline(app_configs: Any = None, **kwargs: Any) -> list[Error | Warning]:
    problems: list[Error | Warning] = []
    names = {v["NAME"].rsplit(".", 1)[-1] for v in _validators()}
    if _min_password_length() < 8 or "CharacterClassValidator" not in names:
        problems.append(Error(
            "A1: passwords need a minimum length of at least 8 and the CharacterClassValidator.",
            id="jixing.E001",
        ))
    if not 0 < settings.JIXING_PASSWORD_MAX_AGE_DAYS <= 180:
        problems.append(Warning(
            "A1: JIXING_PASSWORD_MAX_AGE_DAYS should be between 1 and 180 (periodic change).",
            id="jixing.W001",
        ))
    if settings.JIXING_LOCKOUT_FAILURES > 5 or settings.JIXING_LOCKOUT_MINUTES < 10:
        problems.append(Error(
            "A2: lock accounts after at most 5 failures for at least 10 minutes.", id="jixing.E002",
        ))
    if settings.JIXING_SESSION_IDLE_SECONDS > 30 * 60 or settings.SESSION_COOKIE_AGE > 12 * 3600:
        problems.append(Error(
            "A3: idle timeout must be at most 30 minutes and the session at most 12 hours.", id="jixing.E003",
        ))
    if settings.JIXING_AUDIT_RETENTION_DAYS < 180:
        problems.append(Error("C3: audit rows must be kept at least 180 days.", id="jixing.E004"))
    for needed in ("jixing.accounts.middleware.SessionTimeoutMiddleware", "jixing.core.middleware.RequestContextMiddleware"):
        if needed not in settings.MIDDLEWARE:
            problems.append(Error(f"{needed} is missing from MIDDLEWARE.", id="jixing.E005"))
    if "jixing.core.middleware.ContentSecurityPolicyMiddleware" not in settings.MIDDLEWARE:
        problems.append(Error("H1: ContentSecurityPolicyMiddleware is missing from MIDDLEWARE.", id="jixing.E007"))
    script_sources = set(settings.JIXING_CSP.get("script-src", ["*"]))
    if script_sources & {"'unsafe-inline'", "'unsafe-eval'", "*", "data:", "http:", "https:"}:
        problems.append(Error("H1: the Content-Security-Policy must not allow inline, eval'd or foreign scripts.",
                              id="jixing.E008"))
    if settings.PRODUCTION:
        if settings.JIXING_API_SCHEMA_PUBLIC:
            problems.append(Error("H1: the API schema must need a sign-in in production.", id="jixing.E009"))
        for name in _TEST_ONLY_SECRETS:
            if str(getattr(settings, name, "")) in _known_test_secrets():
                problems.append(Error(f"A5: {name} is a test key; production takes fresh secrets from its environment.",
                                      id="jixing.E010"))
        if settings.JIXING_API_DOCS:
            problems.append(Error("H1: the API docs must be off in production.", id="jixing.E006"))
        if not settings.JIXING_REQUIRE_STAFF_TOTP:
            problems.append(Warning("A4: staff accounts should need a second factor in production.", id="jixing.W002"))
    return problems
