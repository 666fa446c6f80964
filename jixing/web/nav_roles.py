"""Moved to ``jixing.accounts.roles`` (the apps below web use them); kept for imports in flight."""

from jixing.accounts.roles import EVERYONE, OFFICERS, ORGS, READERS  # noqa: F401
