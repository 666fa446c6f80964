"""Shared pytest fixtures: reference data and persona users (alice the province officer, …)."""

from __future__ import annotations

import pytest
from django.db.backends.signals import connection_created

pytest_plugins = ["jixing.web.tests.browser", "jixing.web.tests.conformance"]  # browser fixtures; keep_test_connection


def _reference_loaded() -> bool:
    from jixing.registry.models import SkillLevel

    # load_reference writes skill levels after regions, departments, actions and targets, in one
    # transaction: if they are there, everything is.
    return SkillLevel.objects.exists()


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """Load reference data once per test database instead of once per test (892 queries each).

    Tests run inside a transaction that is rolled back, so the rows stay for the next test. A
    transactional test (live_server, transaction=True) flushes every table when it ends; the
    `reference` fixture notices and loads again.
    """
    from jixing.plan.management.commands.load_reference import load_reference

    with django_db_blocker.unblock():
        load_reference()


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

    if not _reference_loaded():
        load_reference()


@pytest.fixture
def personas(reference):
    from jixing.core.testing import make_personas

    return make_personas()
