"""The API schema is served, is OpenAPI 3.1, and the foundation's read endpoints keep to it
under generated input (schemathesis driving the real Django app)."""

from __future__ import annotations

import pytest
import schemathesis

from .conformance import check_generated_reads

pytestmark = pytest.mark.django_db


FOUNDATION_READS = [
    "/api/v1/registry/persons",
    "/api/v1/registry/persons/{person_id}",
    "/api/v1/registry/organisations",
    "/api/v1/registry/organisations/{organisation_id}",
    "/api/v1/plan/actions",
    "/api/v1/plan/targets",
]


def test_it_serves_the_openapi_schema(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    schema = response.json()
    assert schema["openapi"].startswith("3.1")
    for path in [*FOUNDATION_READS]:
        assert "get" in schema["paths"][path], path
    assert "post" in schema["paths"]["/api/v1/registry/persons"]
    body = schema["components"]["schemas"]["PersonIn"]
    assert set(body["properties"]) == {
        "id_number", "name", "household_region", "current_region", "phone", "education", "employment_status",
    }
    assert {"SessionAuth", "ApiTokenAuth"} <= {name.replace("Staff", "") for name in schema["components"]["securitySchemes"]}


def test_it_loads_as_a_valid_schema_for_every_operation(client):
    schema = schemathesis.openapi.from_dict(client.get("/api/v1/openapi.json").json())
    results = list(schema.get_all_operations())
    assert results
    assert all(type(r).__name__ == "Ok" for r in results)


@pytest.mark.parametrize("path", FOUNDATION_READS)
def test_it_answers_generated_reads_without_errors_and_as_documented(client, personas, path, keep_test_connection):
    check_generated_reads(client, personas.bob, path, max_examples=25)
