"""Shared pytest fixtures: the baseline every test starts from, and persona users (alice the
province officer, …).

The baseline is what a new database holds after `migrate` and `load_reference`: the reference
data (regions, departments, occupations, skill levels, actions, targets, fund sources) and the
rows data migrations write (message templates, quality thresholds, …). It is loaded once per
test database, not once per test (load_reference is ~900 queries). Tests run inside a
transaction that is rolled back, so the rows stay. A transactional test (live_server,
transactional_db, ``django_db(transaction=True)``) ends with a flush that empties every table;
the baseline rows are then written back in bulk, so the next test, whatever its kind, starts
from the same database.
"""

from __future__ import annotations

import os
from collections.abc import Generator
from typing import Any

import pytest
from django.db.backends.signals import connection_created

pytest_plugins = ["jixing.web.tests.browser", "jixing.web.tests.conformance"]  # browser fixtures; keep_test_connection

# (model, rows) for every table that holds rows once the test database is set up; content types
# and permissions aside, which the flush's post_migrate signal creates again.
_BASELINE: list[tuple[Any, list[Any]]] = []
_RECREATED_BY_FLUSH = {"contenttypes.ContentType", "auth.Permission"}
_blocker: Any = None


def _snapshot_baseline() -> None:
    from django.apps import apps

    _BASELINE.clear()
    for model in apps.get_models(include_auto_created=True):
        if model._meta.proxy or not model._meta.managed or model._meta.label in _RECREATED_BY_FLUSH:
            continue
        rows = list(model._base_manager.all())
        if rows:
            _BASELINE.append((model, rows))


def _restore_baseline() -> None:
    """Write the baseline rows back into the emptied tables (foreign keys are checked at commit)."""
    from django.db import transaction

    with transaction.atomic():
        for model, rows in _BASELINE:
            model._base_manager.bulk_create(rows, batch_size=1000)


def _flushes_database(item: pytest.Item) -> bool:
    """Whether pytest-django runs this test as a TransactionTestCase, which flushes at the end."""
    names = getattr(item, "fixturenames", ())
    if {"transactional_db", "live_server", "django_db_reset_sequences"} & set(names):
        return True
    marker = item.get_closest_marker("django_db")
    return bool(marker and (marker.kwargs.get("transaction") or marker.kwargs.get("reset_sequences")))


# Under pytest-xdist (make test) the modules of the longest tests (--durations) start first, so
# that the workers share them instead of one worker running the last of them alone at the end.
_SLOW_FIRST = (
    "tests/test_every_page_words.py", "tests/test_authorisation_matrix.py", "jixing/ops/tests/test_serve.py",
    "tests/test_schemathesis_whole_api.py", "jixing/notify/tests/test_demo_seed.py",
    "tests/test_security_baseline.py",
)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if not os.environ.get("PYTEST_XDIST_WORKER"):
        return  # a serial run keeps the collection order
    last = len(_SLOW_FIRST)
    items.sort(key=lambda item: next((i for i, path in enumerate(_SLOW_FIRST) if item.nodeid.startswith(path)), last))


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup: None, django_db_blocker: Any) -> None:
    """Load the reference data once per test database and remember the baseline."""
    global _blocker
    from jixing.plan.management.commands.load_reference import load_reference

    _blocker = django_db_blocker
    with django_db_blocker.unblock():
        load_reference()
        _snapshot_baseline()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item: pytest.Item, nextitem: pytest.Item | None) -> Generator[None, None, None]:
    """After a transactional test's flush (its fixtures are torn down by now), restore the baseline."""
    result = yield
    # After the last test the session's fixtures are gone with this teardown, the test database
    # with them: nothing follows that needs the baseline back.
    if _BASELINE and _blocker is not None and nextitem is not None and _flushes_database(item):
        with _blocker.unblock():
            # a test skipped or failed before its database was set up flushed nothing
            if not _BASELINE[0][0]._base_manager.exists():
                _restore_baseline()
    return result


def _allow_audit_truncate(sender: object, connection: object, **kwargs: object) -> None:
    """Tests empty the database between transactional tests with TRUNCATE, which the audit
    tables refuse on PostgreSQL unless the session says so (core migration 0004)."""
    if getattr(connection, "vendor", "") == "postgresql":
        with connection.cursor() as cursor:  # type: ignore[attr-defined]
            cursor.execute("SET jixing.allow_audit_truncate = on")


connection_created.connect(_allow_audit_truncate)


@pytest.fixture
def reference(db: None) -> None:
    """The reference data (loaded once per test database; see the module docstring)."""


@pytest.fixture
def personas(reference: None) -> Any:
    from jixing.core.testing import make_personas

    return make_personas()
