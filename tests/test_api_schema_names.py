"""django-ninja names OpenAPI components after the schema classes: two apps' ``SessionOut``
would share one component, and the published schema would describe one app's responses with
the other's fields (schemathesis found training sessions documented as evaluation sessions)."""

from __future__ import annotations

from collections import defaultdict

from ninja import Schema

from config.api import api


def _subclasses(cls: type) -> set[type]:
    found = set(cls.__subclasses__())
    for sub in list(found):
        found |= _subclasses(sub)
    return found


def test_no_two_api_schemas_share_a_name():
    """Every schema of ours, wherever it is defined (``api.py``, ``*_api.py``, an ``api/`` package)."""
    api.get_openapi_schema()  # every router imported
    owners: dict[str, set[str]] = defaultdict(set)
    for obj in _subclasses(Schema):
        module = obj.__module__
        if module.startswith("jixing.") and ".tests" not in module:
            owners[obj.__name__].add(module)
    assert {name: sorted(mods) for name, mods in owners.items() if len(mods) > 1} == {}


def test_every_documented_response_component_is_the_one_its_operation_returns():
    components = api.get_openapi_schema()["components"]["schemas"]
    assert "TrainingSessionOut" in components and "EvaluationSessionOut" in components
    assert "class_id" in components["TrainingSessionOut"]["properties"]
    assert "filing_code" in components["EvaluationSessionOut"]["properties"]
