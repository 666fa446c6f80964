"""django-ninja names OpenAPI components after the schema classes: two apps' ``SessionOut``
would share one component, and the published schema would describe one app's responses with
the other's fields (schemathesis found training sessions documented as evaluation sessions)."""

from __future__ import annotations

import importlib
import inspect
from collections import defaultdict

from django.apps import apps
from ninja import Schema

from config.api import api


def test_no_two_api_schemas_share_a_name():
    owners: dict[str, set[str]] = defaultdict(set)
    for config in apps.get_app_configs():
        if not config.name.startswith("jixing."):
            continue
        try:
            module = importlib.import_module(f"{config.name}.api")
        except ModuleNotFoundError:
            continue
        for name, obj in inspect.getmembers(module, inspect.isclass):
            if issubclass(obj, Schema) and obj.__module__ == module.__name__:
                owners[name].add(module.__name__)
    assert {name: sorted(mods) for name, mods in owners.items() if len(mods) > 1} == {}


def test_every_documented_response_component_is_the_one_its_operation_returns():
    components = api.get_openapi_schema()["components"]["schemas"]
    assert "TrainingSessionOut" in components and "EvaluationSessionOut" in components
    assert "class_id" in components["TrainingSessionOut"]["properties"]
    assert "filing_code" in components["EvaluationSessionOut"]["properties"]
