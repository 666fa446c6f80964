"""Issue 11, defects 5 and 8: no 500 on any input, and every answer declared in the schema.

The guards live in jixing/core/api_contract.py and apply to every operation; these tests probe
them through HTTP with the inputs an outside probe found (multipart bodies with a real CSRF
token, negative and huge years, ids beyond 64 bits)."""

from __future__ import annotations

import pytest
from django.test import Client

from config.api import api

HUGE = str(2**64 + 5)


@pytest.fixture
def csrf_client(personas) -> tuple[Client, str]:
    client = Client(enforce_csrf_checks=True, raise_request_exception=False)
    client.force_login(personas.dave)
    client.get("/")
    return client, client.cookies["csrftoken"].value


def test_it_answers_415_to_a_multipart_body_on_a_json_endpoint(csrf_client) -> None:
    client, token = csrf_client
    response = client.post("/api/v1/registry/persons", data={"name": "x"}, HTTP_X_CSRFTOKEN=token)
    assert response.status_code == 415 and "JSON" in response.json()["detail"]
    response = client.post("/api/v1/registry/persons", data="name=x", content_type="application/x-www-form-urlencoded",
                           HTTP_X_CSRFTOKEN=token)
    assert response.status_code == 415
    response = client.post("/api/v1/registry/persons", data=b"--", content_type="multipart/form-data",
                           HTTP_X_CSRFTOKEN=token)
    assert response.status_code == 415 and response["Content-Type"] == "application/json; charset=utf-8"


def test_it_still_takes_a_multipart_upload_where_the_operation_takes_a_file(csrf_client) -> None:
    client, token = csrf_client
    response = client.post("/api/v1/imports/persons", data={}, HTTP_X_CSRFTOKEN=token)
    assert response.status_code == 422  # the file is missing: the operation ran and said so


@pytest.mark.parametrize("year", ["-1", "0", "1999", "2101", "99999999999", HUGE])
def test_it_refuses_a_year_out_of_range_with_422(client, personas, year) -> None:
    client.force_login(personas.alice)
    for path in ("/api/v1/employment/outcomes", "/api/v1/stats/progress", "/api/v1/funds/budgets"):
        assert client.get(path, {"year": year}).status_code == 422, path


def test_it_still_answers_a_year_in_range(client, personas) -> None:
    client.force_login(personas.alice)
    assert client.get("/api/v1/employment/outcomes", {"year": "2025"}).status_code == 200


@pytest.mark.parametrize("path", [
    f"/api/v1/registry/persons/{HUGE}", f"/api/v1/training/projects/{HUGE}", f"/api/v1/funds/claims/{HUGE}",
    "/api/v1/registry/persons/9223372036854775808",
])
def test_it_answers_404_to_an_id_beyond_64_bits(client, personas, path) -> None:
    client.raise_request_exception = False
    client.force_login(personas.alice)
    assert client.get(path).status_code == 404


def test_it_answers_422_to_a_query_id_beyond_64_bits(client, personas) -> None:
    client.raise_request_exception = False
    client.force_login(personas.alice)
    response = client.get("/api/v1/evaluation/certificates", {"person_id": HUGE})
    assert response.status_code == 422 and response.json()["detail"] == "数字超出范围。"


def test_it_declares_the_common_refusals_of_every_operation() -> None:
    schema = api.get_openapi_schema()
    missing = []
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            codes = set(operation["responses"])
            if "{" in path and 404 not in codes:
                missing.append(f"{method} {path}: 404")
            if operation.get("security") and not {401, 403} <= codes:
                missing.append(f"{method} {path}: 401/403")
            if method != "get" and not {409, 422} <= codes:
                missing.append(f"{method} {path}: 409/422")
            if "application/json" in operation.get("requestBody", {}).get("content", {}) and 415 not in codes:
                missing.append(f"{method} {path}: 415")
    assert missing == []
    assert schema["components"]["schemas"]["ApiError"]["required"] == ["detail"]
