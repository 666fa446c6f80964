"""The current request's actor and IP, so actions can audit without taking a request."""

from __future__ import annotations

import ipaddress
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.utils.ipv6 import clean_ipv6_address


@dataclass(frozen=True)
class RequestInfo:
    ip: str | None
    user_agent: str
    path: str


current_request: ContextVar[RequestInfo | None] = ContextVar("current_request", default=None)


def client_ip(meta: Any) -> str | None:
    """The client's address. X-Forwarded-For is believed only for the number of reverse proxies
    configured in JIXING_TRUSTED_PROXIES (each proxy appends the address it saw), so a client
    cannot dodge the per-IP login throttle or forge the audit log's IP by sending the header."""
    trusted = getattr(settings, "JIXING_TRUSTED_PROXIES", 0)
    forwarded = [hop.strip() for hop in meta.get("HTTP_X_FORWARDED_FOR", "").split(",") if hop.strip()]
    if trusted > 0 and forwarded:
        return _normalise(forwarded[-trusted] if len(forwarded) >= trusted else forwarded[0])
    return _normalise(meta.get("REMOTE_ADDR") or "")


def _normalise(value: str) -> str | None:
    """A valid address in the form the database gives back (the audit hash covers it)."""
    try:
        ipaddress.ip_address(value)
    except ValueError:
        return None
    return clean_ipv6_address(value) if ":" in value else value


def info_for(request: Any) -> RequestInfo:
    return RequestInfo(
        ip=client_ip(request.META),
        user_agent=request.META.get("HTTP_USER_AGENT", "")[:200],
        path=request.path[:200],
    )


@contextmanager
def bound_to(request: Any) -> Iterator[RequestInfo]:
    """Bind ``request`` as the current request (middleware that runs before
    RequestContextMiddleware uses this so its audit rows still carry the IP)."""
    info = info_for(request)
    token = current_request.set(info)
    try:
        yield info
    finally:
        current_request.reset(token)
