"""Checks a higher app adds to a training class's filing (开班备案) without training importing it.

The trainers app registers the teacher-to-class limit here; training calls ``run_class_checks``
where a class is filed and refuses with the messages returned. Each check takes the class and
returns a list of reasons (empty: no objection)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

ClassCheck = Callable[[Any], list[str]]
_CHECKS: list[ClassCheck] = []


def register_class_check(check: ClassCheck) -> None:
    if check not in _CHECKS:
        _CHECKS.append(check)


def run_class_checks(klass: Any) -> list[str]:
    return [reason for check in _CHECKS for reason in check(klass)]
