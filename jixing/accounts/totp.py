"""TOTP second factor (SECURITY.md A4, RFC 6238): a code is accepted once (its time step must
be newer than the last one used) and at most MAX_ATTEMPTS codes are tried per 5 minutes."""

from __future__ import annotations

import time

import pyotp
from django.core.cache import cache
from django.db.models import Q

from .models import User

MAX_ATTEMPTS_PER_5_MIN = 5
ISSUER = "jixing"


def new_secret() -> str:
    return pyotp.random_base32()


def provisioning_uri(secret: str, username: str) -> str:
    return pyotp.TOTP(secret).provisioning_uri(name=username, issuer_name=ISSUER)


def _attempt_allowed(user: User) -> bool:
    key = f"totp-attempts:{user.pk}"
    cache.add(key, 0, timeout=300)
    try:
        attempts = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=300)
        attempts = 1
    return attempts <= MAX_ATTEMPTS_PER_5_MIN


def _reset_attempts(user: User) -> None:
    cache.delete(f"totp-attempts:{user.pk}")


def matching_step(secret: str, code: str, *, now: float | None = None) -> int | None:
    """The time step (±1 for clock drift) whose code equals ``code``, or None."""
    if not secret or not code.isdigit() or len(code) != 6:
        return None
    totp = pyotp.TOTP(secret)
    current = int((time.time() if now is None else now) // totp.interval)
    for step in (current - 1, current, current + 1):
        if pyotp.utils.strings_equal(totp.generate_otp(step), code):
            return step
    return None


def _use_step(user: User, step: int) -> bool:
    # Compare-and-set so two concurrent logins cannot both use the same code.
    return bool(User.objects.filter(Q(pk=user.pk), Q(totp_last_step__lt=step)).update(totp_last_step=step))


def verify(user: User, code: str, *, now: float | None = None) -> bool:
    """Check a login code against the enrolled secret; single use, rate-limited."""
    if not _attempt_allowed(user):
        return False
    step = matching_step(user.totp_secret, code, now=now)
    if step is None or not _use_step(user, step):
        return False
    _reset_attempts(user)
    return True


def confirm_enrolment(user: User, secret: str, code: str, *, now: float | None = None) -> bool:
    """Check the first code from a new authenticator before its secret is saved."""
    if not _attempt_allowed(user):
        return False
    step = matching_step(secret, code, now=now)
    if step is None or not _use_step(user, step):
        return False
    _reset_attempts(user)
    return True
