"""Institutions' systems write through the API with their token, without CSRF (issue 11, build 3).

Every unsafe operation in the OpenAPI document is called twice with a CSRF-enforcing client:
with only ``X-API-Token`` (an institution's token) it must never meet the CSRF check; with the
institution's session cookie and no CSRF token, every operation the institution may call
must still be refused for CSRF (SECURITY.md B6).
"""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.test import Client

from config.api import api
from jixing.accounts.actions import issue_api_token
from jixing.registry.idgen import make_id_number
from jixing.training.models import Teacher

UNSAFE = {"post", "put", "patch", "delete"}
PATH_VALUES = {"kind": "persons", "verb": "submit"}
CSRF_REFUSAL = "CSRF check Failed"
# Operations an institution's system certainly calls: if one of them answered 403 for the
# role, the walk below would prove nothing about them.
INSTITUTION_WRITES = {
    ("POST", "/api/v1/training/teachers"),
    ("POST", "/api/v1/training/projects"),
    ("POST", "/api/v1/training/attendance"),
    ("POST", "/api/v1/training/attendance/bulk"),
    ("POST", "/api/v1/funds/claims"),
    ("POST", "/api/v1/employment/placements"),
    ("POST", "/api/v1/imports/{kind}"),
}


def _write_operations() -> list[tuple[str, str]]:
    paths = api.get_openapi_schema()["paths"]
    return sorted((method.upper(), path) for path, ops in paths.items() for method in ops if method in UNSAFE)


def _url(path: str) -> str:
    return re.sub(r"\{(\w+)\}", lambda m: PATH_VALUES.get(m.group(1), "1"), path)


def _call(client: Client, method: str, path: str, **headers: str):  # noqa: ANN202
    return getattr(client, method.lower())(_url(path), data="{}", content_type="application/json", headers=headers)


@pytest.fixture
def token(personas) -> str:
    return issue_api_token(by=personas.ivan, name="教务系统")[1]


def test_it_walks_the_write_operations_it_promises() -> None:
    assert set(_write_operations()) >= INSTITUTION_WRITES


def test_it_never_asks_a_token_caller_for_a_csrf_token(personas, token) -> None:
    client = Client(enforce_csrf_checks=True)
    refused, allowed = [], set()
    for method, path in _write_operations():
        response = _call(client, method, path, **{"X-API-Token": token})
        if CSRF_REFUSAL in response.content.decode():
            refused.append(f"{method} {path}")
        elif response.status_code not in (401, 403):
            allowed.add((method, path))
    assert refused == []
    assert allowed >= INSTITUTION_WRITES


def test_it_keeps_csrf_for_every_write_an_institution_may_call_with_its_session(personas, token) -> None:
    token_client, session_client = Client(enforce_csrf_checks=True), Client(enforce_csrf_checks=True)
    session_client.force_login(personas.ivan)
    checked, unprotected = 0, []
    for method, path in _write_operations():
        if _call(token_client, method, path, **{"X-API-Token": token}).status_code in (401, 403):
            continue  # not the institution's to call
        checked += 1
        response = _call(session_client, method, path)
        if not (response.status_code == 403 and CSRF_REFUSAL in response.content.decode()):
            unprotected.append(f"{method} {path}: {response.status_code}")
    assert unprotected == [] and checked >= len(INSTITUTION_WRITES)


def test_it_writes_with_a_token_and_refuses_a_bad_one_even_beside_a_session(personas, token) -> None:
    client = Client(enforce_csrf_checks=True)
    body = {"name": "赵老师", "id_number": make_id_number("370102", dt.date(1985, 2, 3), 57), "qualification": "高级技师"}
    response = client.post("/api/v1/training/teachers", body, content_type="application/json",
                           headers={"X-API-Token": token})
    assert response.status_code == 201, response.content
    assert Teacher.objects.filter(organisation=personas.institution, person__name="赵老师").exists()

    client.force_login(personas.ivan)  # a session cookie does not rescue a wrong token
    response = client.post("/api/v1/training/teachers", body, content_type="application/json",
                           headers={"X-API-Token": token + "x"})
    assert response.status_code == 401
