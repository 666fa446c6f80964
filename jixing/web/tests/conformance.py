"""Schemathesis against the real Django app.

``check_generated_reads``: generated GET requests to one documented operation must answer
below 500 and with a body that matches the OpenAPI schema (any status).
``sweep_whole_api``: every operation of the document, reads and writes, each answer below 500
and declared (status, content type, body) — run by tests/test_schemathesis_whole_api.py."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis.checks import ignored_auth, not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    positive_data_acceptance,
    response_schema_conformance,
    status_code_conformance,
)


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
        # A schema cannot state every validity rule (an ID number's check digit), so a schema-valid
        # value may still earn a declared 422: positive_data_acceptance does not apply.
        case.validate_response(response, excluded_checks=[ignored_auth, status_code_conformance, positive_data_acceptance])
        assert response.status_code < 500

    check()


WHOLE_API_CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]


@dataclass
class Sweep:
    """What one sweep over the whole API saw: requests per status and the failures."""

    calls: Counter[int] = field(default_factory=Counter)
    failures: list[str] = field(default_factory=list)
    operations: int = 0
    csrf_refusals: Counter[str] = field(default_factory=Counter)


def sweep_whole_api(*, headers: dict[str, str], cookies: dict[str, str], max_examples: int,
                    skip: frozenset[tuple[str, str]] = frozenset()) -> Sweep:
    """Drive every operation of the OpenAPI document with generated requests (fixed seed:
    derandomised hypothesis) and check each answer: below 500, a status the operation
    declares, the declared content type, a body matching the declared schema."""
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", get_wsgi_application())
    sweep = Sweep()
    for result in schema.get_all_operations():
        operation = result.ok()
        if (operation.method.upper(), operation.path) in skip:
            continue
        sweep.operations += 1

        @given(case=operation.as_strategy())
        @settings(max_examples=max_examples, deadline=None, suppress_health_check=list(HealthCheck),
                  database=None, derandomize=True, phases=[Phase.explicit, Phase.generate])
        def check(case: Any) -> None:
            case.headers = {**{k: v for k, v in (case.headers or {}).items() if k.lower() != "x-api-token"}, **headers}
            case.cookies = dict(cookies)
            response = case.call()
            sweep.calls[response.status_code] += 1
            if response.status_code == 403 and b"CSRF" in response.content:
                sweep.csrf_refusals[f"{operation.method.upper()} {operation.path}"] += 1
            try:
                case.validate_response(response, checks=WHOLE_API_CHECKS)
            except (AssertionError, BaseExceptionGroup) as exc:  # a FailureGroup names each failed check
                titles = [getattr(e, "title", type(e).__name__) for e in getattr(exc, "exceptions", [exc])]
                sweep.failures.append(f"{operation.method.upper()} {operation.path} → {response.status_code}: "
                                      f"{'; '.join(titles)}")

        check()
    return sweep
