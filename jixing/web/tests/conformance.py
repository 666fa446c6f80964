"""Schemathesis against the real Django app: generated GET requests to one documented operation
must answer below 500 and with a body that matches the OpenAPI schema (any status)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import ignored_auth, status_code_conformance


@pytest.fixture
def keep_test_connection() -> Iterator[None]:
    """Calling the WSGI app directly fires request_finished, whose close_old_connections would
    close the test's database connection (on PostgreSQL); Django's test client avoids it the same way."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


def check_generated_reads(client: Any, user: Any, path: str, *, max_examples: int = 15) -> None:
    """Drive GET ``path`` signed in as ``user`` (session cookie; the API-token header removed)."""
    client.force_login(user)
    session = client.cookies["sessionid"].value
    operation = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", get_wsgi_application())[path]["GET"]

    @given(case=operation.as_strategy())
    @settings(max_examples=max_examples, deadline=None, suppress_health_check=list(HealthCheck), database=None,
              derandomize=True)
    def check(case: Any) -> None:
        case.headers = {k: v for k, v in (case.headers or {}).items() if k.lower() != "x-api-token"}
        case.cookies = {"sessionid": session}
        response = case.call()
        # 400/401 for generated nonsense are fine; the body must match the schema whatever the status.
        case.validate_response(response, excluded_checks=[ignored_auth, status_code_conformance])
        assert response.status_code < 500

    check()
