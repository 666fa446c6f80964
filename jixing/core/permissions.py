"""Deny by default (SECURITY.md B2): every view declares who may call it.

Page views carry ``@require_roles(...)`` or ``@public``; a test walks the URL resolver and
fails on any view that carries neither. API endpoints call ``require_api_roles``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import wraps
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse

from jixing.core import audit
from jixing.core.models import AuditOutcome

ACCESS_ATTR = "jixing_access"
ANY_ROLE = "__any__"


def public(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    setattr(view, ACCESS_ATTR, ("public",))
    return view


def _deny(request: HttpRequest, roles: Iterable[str]) -> None:
    audit.record(
        "authorization.denied",
        actor=request.user,
        object_type="url",
        object_id=request.path[:64],
        outcome=AuditOutcome.DENIED,
        detail={"required_roles": sorted(roles)},
    )
    raise PermissionDenied


def has_role(user: Any, roles: Iterable[str]) -> bool:
    roles = set(roles)
    return bool(getattr(user, "is_authenticated", False)) and (ANY_ROLE in roles or user.role in roles)


def require_roles(*roles: str) -> Callable[[Callable[..., HttpResponse]], Callable[..., HttpResponse]]:
    """Login required, then one of ``roles`` (pass ANY_ROLE for every signed-in user)."""

    def decorate(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not has_role(request.user, roles):
                _deny(request, roles)
            return view(request, *args, **kwargs)

        setattr(wrapper, ACCESS_ATTR, tuple(roles))
        return wrapper

    return decorate


def require_api_roles(request: HttpRequest, *roles: str) -> None:
    if not has_role(request.user, roles):
        _deny(request, roles)
