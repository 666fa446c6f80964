"""Account security on every request.

- A3: a session idle longer than JIXING_SESSION_IDLE_SECONDS (30 min) or older than
  SESSION_COOKIE_AGE (12 h) is logged out — the session row is deleted — and audited.
  (Saving the session on each request would slide Django's own expiry forward, so the
  absolute limit is kept here from the login time.)
- A1: a user whose password is older than JIXING_PASSWORD_MAX_AGE_DAYS, or was set by an
  administrator, is sent to the change-password page before anything else.
- B1: the audit administrator writes nothing: unsafe methods from that role are refused
  everywhere except on their own account pages (logout, password, second factor) and on
  endpoints declared read-only (``core.permissions.read_only_post`` / ``read_only_api``).
"""

from __future__ import annotations

import time
from collections.abc import Callable

from django.conf import settings
from django.contrib.auth import logout
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, resolve_url
from django.urls import Resolver404, ResolverMatch, resolve
from django.utils.http import urlencode

from jixing.core import audit
from jixing.core.models import AuditOutcome
from jixing.core.permissions import READ_ONLY_API_OPERATIONS, READ_ONLY_ATTR, api_route
from jixing.core.request_context import bound_to

from .models import Role

LAST_SEEN = "jixing_last_seen"
STARTED = "jixing_session_started"
TOUCH_EVERY_SECONDS = 30  # write the session at most this often just to record activity

OWN_ACCOUNT_URLS = frozenset({
    "accounts:login", "accounts:otp", "accounts:enrol", "accounts:logout", "accounts:password_change",
    "accounts:totp", "set_language",
})
UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


def _match(request: HttpRequest) -> ResolverMatch | None:
    try:
        return resolve(request.path_info)
    except Resolver404:
        return None


def _view_name(request: HttpRequest) -> str:
    match = _match(request)
    return match.view_name if match else ""


def _changes_nothing(request: HttpRequest) -> bool:
    """Own-account pages, and endpoints declared read-only (core.permissions)."""
    match = _match(request)
    if match is None:
        return False
    if match.view_name in OWN_ACCOUNT_URLS or getattr(match.func, READ_ONLY_ATTR, False):
        return True
    return (request.method or "", api_route(match.route)) in READ_ONLY_API_OPERATIONS


def _is_htmx(request: HttpRequest) -> bool:
    return request.headers.get("HX-Request") == "true"


def _is_api(request: HttpRequest) -> bool:
    return request.path_info.startswith("/api/")


class SessionTimeoutMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if user.is_authenticated:
            expired = self._session_expired(request)
            if expired:
                with bound_to(request):
                    audit.record("session.expired", actor=user, obj=user, detail={"reason": expired})
                logout(request)  # flushes the session: the row is deleted (D4)
            else:
                refused = self._password_gate(request) or self._auditor_gate(request)
                if refused is not None:
                    return refused
        return self.get_response(request)

    def _session_expired(self, request: HttpRequest) -> str:
        now = int(time.time())
        session = request.session
        started = session.setdefault(STARTED, now)
        last = session.get(LAST_SEEN)
        if now - int(started) > settings.SESSION_COOKIE_AGE:
            return "absolute"
        if last is not None and now - int(last) > settings.JIXING_SESSION_IDLE_SECONDS:
            return "idle"
        if last is None or now - int(last) >= TOUCH_EVERY_SECONDS:
            session[LAST_SEEN] = now
        return ""

    def _password_gate(self, request: HttpRequest) -> HttpResponse | None:
        user = request.user
        if not user.password_expired() or _view_name(request) in OWN_ACCOUNT_URLS:  # type: ignore[union-attr]
            return None
        if _is_api(request):
            return JsonResponse({"detail": "Password change required."}, status=403)
        target = f"{resolve_url('accounts:password_change')}?{urlencode({'next': request.get_full_path()})}"
        if _is_htmx(request):
            response = HttpResponse(status=204)
            response["HX-Redirect"] = target
            return response
        return redirect(target)

    def _auditor_gate(self, request: HttpRequest) -> HttpResponse | None:
        user = request.user
        if user.role != Role.AUDITOR or request.method not in UNSAFE_METHODS:  # type: ignore[union-attr]
            return None
        if _changes_nothing(request):
            return None
        with bound_to(request):
            audit.record(
                "authorization.denied", actor=user, object_type="url", object_id=request.path[:64],
                outcome=AuditOutcome.DENIED, detail={"reason": "auditor is read-only", "method": request.method},
            )
        if _is_api(request):
            return JsonResponse({"detail": "The audit administrator is read-only."}, status=403)
        raise PermissionDenied
