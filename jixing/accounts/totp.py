"""TOTP second factor (SECURITY.md A4): single use (a step is accepted once) and rate-limited."""

from __future__ import annotations

import time

import pyotp
from django.core.cache import cache
from django.db.models import Q

from .models import User

MAX_ATTEMPTS_PER_5_MIN = 5


def new_secret() -> str:
    return pyotp.random_base32()


def verify(user: User, code: str, *, now: float | None = None) -> bool:
    """Accept a code once: its time step must be newer than the last one used."""
    key = f"totp-attempts:{user.pk}"
    cache.add(key, 0, timeout=300)
    attempts = cache.incr(key)
    if attempts > MAX_ATTEMPTS_PER_5_MIN or not user.totp_secret or not code.isdigit():
        return False
    totp = pyotp.TOTP(user.totp_secret)
    now = time.time() if now is None else now
    current = int(now // totp.interval)
    for step in (current - 1, current, current + 1):
        if pyotp.utils.strings_equal(totp.generate_otp(step), code):
            # Compare-and-set so two concurrent logins cannot both use the same code.
            updated = User.objects.filter(Q(pk=user.pk), Q(totp_last_step__lt=step)).update(totp_last_step=step)
            if updated:
                cache.delete(key)
                return True
            return False
    return False
