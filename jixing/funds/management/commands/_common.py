"""Shared bits of the funds commands: who acts, and one-line JSON output."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import CommandError

from jixing.accounts.models import Role, User


def acting_user(username: str | None, *, role: str = Role.FINANCE_OFFICER) -> User:
    """Commands act as a named officer (the audit log names who did what)."""
    if not username:
        raise CommandError("Give --as USERNAME: the officer on whose behalf this runs.")
    user = User.objects.filter(username=username, is_active=True).first()
    if user is None or user.role != role:
        raise CommandError(f"{username!r} is not an active user with the role {role}.")
    return user


def emit(command: Any, result: dict[str, Any], *, as_json: bool, text: str) -> None:
    if as_json:
        command.stdout.write(json.dumps(result, ensure_ascii=False, default=str))
    else:
        command.stdout.write(text)
