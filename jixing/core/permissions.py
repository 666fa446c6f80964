"""Deny by default (SECURITY.md B2): every view declares who may call it.

Page views carry ``@require_roles(...)`` or ``@public``; ``tests/test_url_protection.py``
walks the URL resolver and fails on any view that carries neither. API endpoints are
authenticated by default (config/api.py) and call ``require_api_roles``; an endpoint meant
for the public (``auth=None``) must also be listed with ``public_api(...)``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from functools import wraps
from typing import TYPE_CHECKING, Any, NoReturn, TypeVar, cast

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase

from jixing.core import audit
from jixing.core.actor import Viewer
from jixing.core.models import AuditOutcome

if TYPE_CHECKING:
    from jixing.accounts.models import User

ACCESS_ATTR = "jixing_access"

# A view, whatever its request type and response (a page, a streamed file): the decorators
# below hand it back with its own signature.
View = TypeVar("View", bound=Callable[..., HttpResponseBase])


class AuthedRequest(HttpRequest):
    """For type checkers only: what a view behind ``@require_roles`` (or an authenticated API
    operation) receives — a signed-in jixing user, never AnonymousUser. Annotate such views'
    ``request`` with it instead of asserting on the user."""

    user: User

ANY_ROLE = "__any__"

# Deliberately unauthenticated API operations, as (METHOD, path as in the OpenAPI schema),
# e.g. ("GET", "/api/v1/evaluation/certificates/{number}/verify"). See public_api().
PUBLIC_API_OPERATIONS: set[tuple[str, str]] = set()


# POST endpoints that change nothing (a calculation, an audited unmask): the audit
# administrator, who writes nothing (B1), may call them. See read_only_post / read_only_api.
READ_ONLY_ATTR = "jixing_read_only"
READ_ONLY_API_OPERATIONS: set[tuple[str, str]] = set()


def read_only_post(view: View) -> View:
    """Mark a page view whose POST changes no business data, so the auditor may use it."""
    setattr(view, READ_ONLY_ATTR, True)
    return view


def read_only_api(method: str, path: str) -> None:
    """Declare an API operation (path as in the OpenAPI schema) that changes nothing."""
    READ_ONLY_API_OPERATIONS.add((method.upper(), api_route(path)))


def api_route(path: str) -> str:
    """'/api/v1/imports/{kind}' and Django's 'api/v1/imports/<kind>' compare equal."""
    return re.sub(r"\{(\w+)\}", r"<\1>", path).lstrip("/")


def public(view: View) -> View:
    setattr(view, ACCESS_ATTR, ("public",))
    return view


def public_api(method: str, path: str) -> None:
    """Declare that an API operation without auth is public on purpose (call it in the app's api.py)."""
    PUBLIC_API_OPERATIONS.add((method.upper(), path))


def deny(request: HttpRequest, roles: Iterable[str]) -> NoReturn:
    """Audit the refusal (C1) and answer 403."""
    audit.record(
        "authorization.denied",
        actor=request.user,
        object_type="url",
        object_id=request.path[:64],
        outcome=AuditOutcome.DENIED,
        detail={"required_roles": sorted(roles), "method": request.method},
    )
    raise PermissionDenied


_deny = deny


def has_role(user: Viewer, roles: Iterable[str]) -> bool:
    roles = set(roles)
    return bool(getattr(user, "is_authenticated", False)) and (ANY_ROLE in roles or getattr(user, "role", None) in roles)


def _to_login(request: HttpRequest) -> HttpResponse:
    response = redirect_to_login(request.get_full_path())
    if request.headers.get("HX-Request") == "true":
        # htmx would swap the login page into a fragment; send the whole window there instead.
        hx = HttpResponse(status=204)
        hx["HX-Redirect"] = response["Location"]
        return hx
    return response


def require_roles(*roles: str) -> Callable[[View], View]:
    """Login required, then one of ``roles`` (pass ANY_ROLE for every signed-in user)."""
    if not roles:
        raise ValueError("require_roles needs at least one role (or ANY_ROLE)")

    def decorate(view: View) -> View:
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            if not request.user.is_authenticated:
                return _to_login(request)
            if not has_role(request.user, roles):
                deny(request, roles)
            return view(request, *args, **kwargs)

        setattr(wrapper, ACCESS_ATTR, tuple(roles))
        return cast(View, wrapper)

    return decorate


def require_api_roles(request: HttpRequest, *roles: str) -> None:
    if not has_role(request.user, roles):
        deny(request, roles)
