"""Issue 11 (Build 6, defect 8): schemathesis over the WHOLE API, reads and writes, in both
authentication modes — a province officer's browser session (with its CSRF token) and an
institution's X-API-Token. Fixed seed (derandomised hypothesis) and a per-operation example
budget that keeps each mode well inside CI's time on either engine. Every answer must be
below 500 and declared by its operation (status, content type, body schema)."""

from __future__ import annotations

import os
import time

from django.middleware.csrf import _get_new_csrf_string

from jixing.accounts import actions as account_actions
from jixing.web.tests.conformance import sweep_whole_api

EXAMPLES = int(os.environ.get("JIXING_SCHEMATHESIS_EXAMPLES", "6"))
TIME_BUDGET_SECONDS = 240


def _report(sweep) -> str:
    return (f"{sweep.operations} operations, answers {dict(sorted(sweep.calls.items()))}, "
            f"{sum(sweep.csrf_refusals.values())} CSRF refusals; failures:\n") + "\n".join(
        sorted(set(sweep.failures))[:60])


def test_it_answers_every_operation_within_its_schema_as_a_province_session(client, personas, keep_test_connection) -> None:
    client.force_login(personas.alice)
    csrf = _get_new_csrf_string()
    started = time.monotonic()
    sweep = sweep_whole_api(headers={"X-CSRFToken": csrf},
                            cookies={"sessionid": client.cookies["sessionid"].value, "csrftoken": csrf},
                            max_examples=EXAMPLES)
    print(_report(sweep))
    assert sweep.operations >= 90
    assert not sweep.csrf_refusals  # the session sends its CSRF token: writes reach their checks
    assert sweep.failures == [], _report(sweep)
    assert not any(code >= 500 for code in sweep.calls)
    assert time.monotonic() - started < TIME_BUDGET_SECONDS


def test_it_answers_every_operation_within_its_schema_with_an_institution_token(personas, keep_test_connection) -> None:
    _token, raw = account_actions.issue_api_token(by=personas.ivan, name="schemathesis")
    started = time.monotonic()
    sweep = sweep_whole_api(headers={"X-API-Token": raw}, cookies={}, max_examples=EXAMPLES)
    print(_report(sweep))
    assert sweep.operations >= 90
    assert sweep.failures == [], _report(sweep)
    assert not any(code >= 500 for code in sweep.calls)
    assert time.monotonic() - started < TIME_BUDGET_SECONDS
