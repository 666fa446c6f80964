"""Deny by default (SECURITY.md B2): every page view and API operation declares who may call it.

- Every URL pattern outside the admin (which has its own gate, see
  jixing/accounts/tests/test_admin_roles.py) and the API must resolve to a view carrying
  ``@require_roles(...)`` or ``@public`` (jixing.core.permissions).
- Every API operation must be authenticated, unless it is declared public with
  ``jixing.core.permissions.public_api(METHOD, path)`` in the app's api.py.
- At run time: anonymous requests never get a page (login redirect, 401 or 405), and a
  signed-in user whose role is not listed gets 403.

Fixing a failure: decorate the named view (or declare the public API operation).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.urls import URLPattern, URLResolver, get_resolver

from jixing.accounts.models import Role
from jixing.core.permissions import ACCESS_ATTR, ANY_ROLE, PUBLIC_API_OPERATIONS

# Views that are not ours and need no role: the language switch only sets a cookie.
ALLOWED_FOREIGN_VIEWS = {"django.views.i18n.set_language"}
SKIPPED_NAMESPACES = {"admin", "api"}
# Deliberately public API operations, each with its reason (apps may also call public_api()).
DOCUMENTED_PUBLIC_API = {
    ("GET", "/api/v1/evaluation/certificates/verify"): "anyone verifies a certificate by its number (DESIGN.md: public)",
}
DUMMY = {"int": "1", "slug": "x", "str": "x", "path": "x", "uuid": "00000000-0000-0000-0000-000000000000"}


@dataclass(frozen=True)
class Page:
    route: str
    name: str
    view: Any

    @property
    def dotted(self) -> str:
        return f"{getattr(self.view, '__module__', '?')}.{getattr(self.view, '__qualname__', repr(self.view))}"

    @property
    def access(self) -> tuple[str, ...] | None:
        found = getattr(self.view, ACCESS_ATTR, None)
        if found is None and hasattr(self.view, "view_class"):
            found = getattr(self.view.view_class, ACCESS_ATTR, None)
        return found

    @property
    def url(self) -> str:
        def fill(match: re.Match[str]) -> str:
            converter = match.group(1) or "str"
            return DUMMY.get(converter, "1")

        return "/" + re.sub(r"<(?:(\w+):)?\w+>", fill, self.route)


def _walk(patterns: list[Any], prefix: str = "", namespace: str | None = None) -> Iterator[Page]:
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            ns = pattern.namespace or namespace
            if ns in SKIPPED_NAMESPACES:
                continue
            yield from _walk(pattern.url_patterns, prefix + str(pattern.pattern), ns)
        elif isinstance(pattern, URLPattern):
            name = f"{namespace}:{pattern.name}" if namespace else (pattern.name or "")
            yield Page(prefix + str(pattern.pattern), name, pattern.callback)


def pages() -> list[Page]:
    return [p for p in _walk(get_resolver().url_patterns) if p.dotted not in ALLOWED_FOREIGN_VIEWS]


def test_it_finds_the_pages_it_checks() -> None:
    names = {p.name for p in pages()}
    assert {"accounts:login", "accounts:audit_log", "web:home"} <= names


def test_it_fails_on_any_page_view_that_declares_no_access() -> None:
    undeclared = [f"/{p.route} ({p.name or 'unnamed'} → {p.dotted})" for p in pages() if p.access is None]
    assert undeclared == [], (
        "These URLs lead to views without @require_roles(...) or @public (jixing.core.permissions): "
        + "; ".join(undeclared)
    )


def test_it_refuses_anonymous_visitors_on_every_non_public_page(client, db) -> None:
    leaks = []
    for page in pages():
        if page.access == ("public",):
            continue
        response = client.get(page.url)
        if response.status_code == 405:
            continue
        location = response.get("Location", "")
        if not (response.status_code == 302 and location.startswith("/accounts/login/")):
            leaks.append(f"{page.url} ({page.name}): {response.status_code} {location}")
    assert leaks == [], "Anonymous GET was not sent to the login page: " + "; ".join(leaks)


def test_it_refuses_signed_in_users_whose_role_is_not_listed(client, personas) -> None:
    by_role = {
        Role.TRAINEE: personas.trent, Role.INSTITUTION: personas.ivan, Role.SYSTEM_ADMIN: personas.sam,
        Role.HRSS_OFFICER: personas.dave, Role.AUDITOR: personas.audrey,
    }
    leaks = []
    for page in pages():
        access = page.access or ()
        if access == ("public",) or ANY_ROLE in access:
            continue
        outsider = next((user for role, user in by_role.items() if role not in access), None)
        if outsider is None:
            continue
        client.force_login(outsider)
        response = client.get(page.url)
        if response.status_code not in (403, 405):
            leaks.append(f"{page.url} ({page.name}) as {outsider.role}: {response.status_code}")
    assert leaks == [], "A role outside @require_roles got through: " + "; ".join(leaks)


# --- API -----------------------------------------------------------------------------------

def _public_api() -> set[tuple[str, str]]:
    return set(DOCUMENTED_PUBLIC_API) | PUBLIC_API_OPERATIONS


def _operations() -> Iterator[tuple[str, str, dict[str, Any]]]:
    from config.api import api

    schema = api.get_openapi_schema()
    for path, methods in schema["paths"].items():
        for method, operation in methods.items():
            yield method.upper(), path, operation


def test_it_fails_on_any_api_operation_without_authentication() -> None:
    open_ops = [
        f"{method} {path}" for method, path, op in _operations()
        if not op.get("security") and (method, path) not in _public_api()
    ]
    assert open_ops == [], (
        "These API operations have no auth; add auth or declare them with "
        "jixing.core.permissions.public_api(METHOD, path): " + "; ".join(open_ops)
    )


def test_it_answers_anonymous_api_calls_with_401(client, db) -> None:
    leaks = []
    for method, path, op in _operations():
        if (method, path) in _public_api() or not op.get("security"):
            continue
        url = re.sub(r"\{[^}]+\}", "1", path)
        response = client.generic(method, url, data=b"{}", content_type="application/json")
        if response.status_code != 401:
            leaks.append(f"{method} {path}: {response.status_code}")
    assert leaks == [], "Anonymous API calls were not refused with 401: " + "; ".join(leaks)


def test_it_lists_only_existing_operations_as_public() -> None:
    """A stale allow-list entry would silently cover a future endpoint at the same path."""
    existing = {(m, p) for m, p, _ in _operations()}
    assert sorted(_public_api() - existing) == []
