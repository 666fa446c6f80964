from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest


@pytest.fixture
def committed(django_capture_on_commit_callbacks: Any) -> Callable[..., Any]:
    """Run an action and its on-commit side effects (the fan-out, the sending) as a commit would."""

    def run(fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        with django_capture_on_commit_callbacks(execute=True):
            return fn(*args, **kwargs)

    return run


@pytest.fixture(autouse=True)
def english() -> Any:
    """Reasons are asserted in English (the msgids); pages still answer in the browser's language."""
    from django.utils import translation

    with translation.override("en"):
        yield
