"""Login with lockout (SECURITY.md A2): N failures lock the account for M minutes; a per-IP
throttle stops spraying across accounts. Unknown users get the same answer as wrong
passwords, and cost the same time (a password hash is computed either way).

Model permissions come from the role only (``roles.permissions_for_role``, SECURITY.md B1):
per-user and group grants are ignored, so nobody can quietly accumulate a second role.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.contrib.auth.backends import ModelBackend
from django.core.cache import cache
from django.db.models import F
from django.http import HttpRequest
from django.utils import timezone

from jixing.core import audit, events
from jixing.core.models import AuditOutcome
from jixing.core.request_context import client_ip

from .models import User
from .roles import permissions_for_role


def _ip_key(request: HttpRequest | None) -> str | None:
    if request is None:
        return None
    ip = client_ip(request.META)
    return f"login-fail-ip:{ip}" if ip else None


def ip_throttled(request: HttpRequest | None) -> bool:
    key = _ip_key(request)
    return bool(key and (cache.get(key) or 0) >= settings.JIXING_IP_FAILURES_PER_HOUR)


def _spend_hash_time(password: str) -> None:
    """Run the password hasher once so that unknown and locked accounts answer as slowly
    as wrong passwords (Django's ModelBackend does the same)."""
    User().set_password(password)


class LockoutModelBackend(ModelBackend):
    def authenticate(  # type: ignore[override]
        self, request: HttpRequest | None, username: str | None = None, password: str | None = None, **kwargs: Any
    ) -> User | None:
        if username is None or password is None:
            return None
        if ip_throttled(request):
            _spend_hash_time(password)
            audit.record("login.throttled", actor_label=username[:150], outcome=AuditOutcome.DENIED)
            return None
        user = User.objects.filter(username=username).first()
        if user is not None and user.is_locked:
            _spend_hash_time(password)
            self._count_ip_failure(request)
            audit.record("login.locked", actor_label=username, obj=user, outcome=AuditOutcome.DENIED)
            return None
        if user is None:
            _spend_hash_time(password)
        elif user.check_password(password) and self.user_can_authenticate(user):
            if user.failed_logins or user.locked_until:
                User.objects.filter(pk=user.pk).update(failed_logins=0, locked_until=None)
                user.failed_logins, user.locked_until = 0, None
            return user
        self._fail(request, username, user)
        return None

    def _count_ip_failure(self, request: HttpRequest | None) -> None:
        key = _ip_key(request)
        if key:
            cache.add(key, 0, timeout=3600)
            try:
                cache.incr(key)
            except ValueError:
                cache.set(key, 1, timeout=3600)

    def _fail(self, request: HttpRequest | None, username: str, user: User | None) -> None:
        self._count_ip_failure(request)
        if user is None:
            # Same outcome and timing class as a wrong password; the name is logged, not echoed.
            audit.record("login.failed", actor_label=username[:150], outcome=AuditOutcome.FAILED)
            return
        User.objects.filter(pk=user.pk).update(failed_logins=F("failed_logins") + 1)
        user.refresh_from_db(fields=["failed_logins"])
        detail: dict[str, Any] = {"failures": user.failed_logins}
        if user.failed_logins >= settings.JIXING_LOCKOUT_FAILURES:
            until = timezone.now() + dt.timedelta(minutes=settings.JIXING_LOCKOUT_MINUTES)
            User.objects.filter(pk=user.pk).update(locked_until=until, failed_logins=0)
            detail["locked_until"] = until.isoformat()
            # Security administrators hear of every lockout (notify): a burst is an attack.
            events.publish("accounts.user.locked", obj=user, username=user.username,
                           until=timezone.localtime(until).strftime("%Y-%m-%d %H:%M"))
        audit.record("login.failed", actor_label=username, obj=user, outcome=AuditOutcome.FAILED, detail=detail)

    # Permissions: from the role only (B1).
    def get_user_permissions(self, user_obj: Any, obj: Any = None) -> set[str]:
        if not user_obj.is_active or user_obj.is_anonymous or obj is not None:
            return set()
        return set(permissions_for_role(user_obj.role))

    def get_group_permissions(self, user_obj: Any, obj: Any = None) -> set[str]:
        return set()
