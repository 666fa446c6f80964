"""Shared pytest fixtures: reference data and persona users (alice the province officer, …)."""

from __future__ import annotations

import pytest

pytest_plugins = ["jixing.web.tests.browser", "jixing.web.tests.conformance"]  # browser fixtures; keep_test_connection


@pytest.fixture
def reference(db):
    from jixing.plan.management.commands.load_reference import load_reference

    load_reference()


@pytest.fixture
def personas(reference):
    from jixing.core.testing import make_personas

    return make_personas()
