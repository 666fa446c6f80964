"""The current request's actor and IP, so actions can audit without taking a request."""

from __future__ import annotations

from contextvars import ContextVar
from dataclasses import dataclass


@dataclass(frozen=True)
class RequestInfo:
    ip: str | None
    user_agent: str
    path: str


current_request: ContextVar[RequestInfo | None] = ContextVar("current_request", default=None)


def client_ip(meta: dict[str, str]) -> str | None:
    # Behind the production proxy, the first X-Forwarded-For hop is the client.
    forwarded = meta.get("HTTP_X_FORWARDED_FOR", "")
    if forwarded:
        return forwarded.split(",")[0].strip() or None
    return meta.get("REMOTE_ADDR") or None
