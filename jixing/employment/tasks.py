"""Background work of the employment service."""

from __future__ import annotations

from typing import Any

from django_tasks import task


@task()
def rematch_held_contributions_task() -> dict[str, Any]:
    """Run after persons are registered or imported (registry), or nightly."""
    from .actions import rematch_held_contributions

    return dict(rematch_held_contributions())
