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


@pytest.fixture
def message_templates(transactional_db: None) -> None:
    """Tests on real transactions (the browser) flush the tables after each test, the rows of
    data migrations included: load the approved templates again."""
    import importlib

    from django.apps import apps

    for migration in ("0002_message_templates", "0003_spot_check_and_class_start_templates", "0004_governance_templates",
                      "0005_class_filing_templates", "0006_system_templates"):
        importlib.import_module(f"jixing.notify.migrations.{migration}").load(apps, None)


@pytest.fixture(autouse=True)
def english() -> Any:
    """Reasons are asserted in English (the msgids); pages still answer in the browser's language."""
    from django.utils import translation

    with translation.override("en"):
        yield
