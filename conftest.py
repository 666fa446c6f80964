"""Shared pytest fixtures: reference data and persona users (alice the province officer, …)."""

from __future__ import annotations

import pytest
from django.db.backends.signals import connection_created

pytest_plugins = ["jixing.web.tests.browser", "jixing.web.tests.conformance"]  # browser fixtures; keep_test_connection


def _allow_audit_truncate(sender: object, connection: object, **kwargs: object) -> None:
    """Tests empty the database between transactional tests with TRUNCATE, which the audit
    tables refuse on PostgreSQL unless the session says so (core migration 0004)."""
    if getattr(connection, "vendor", "") == "postgresql":
        with connection.cursor() as cursor:  # type: ignore[attr-defined]
            cursor.execute("SET jixing.allow_audit_truncate = on")


connection_created.connect(_allow_audit_truncate)


@pytest.fixture
def reference(db):
    from jixing.plan.management.commands.load_reference import load_reference

    load_reference()


@pytest.fixture
def personas(reference):
    from jixing.core.testing import make_personas

    return make_personas()
