"""Print the API's OpenAPI document as sorted, indented JSON, to compare two versions of it.

    .venv/bin/python scripts/openapi_schema.py > schema.json

It reads the project in the current directory (so scripts/openapi_diff.sh can run it in a copy of
another git ref) with the test settings, which need no database and no keys.
"""

from __future__ import annotations

import json
import os
import sys

sys.path.insert(0, os.getcwd())
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings_test")

import django  # noqa: E402

django.setup()

from config.api import api  # noqa: E402

schema = api.get_openapi_schema(path_prefix="/api/v1/")
json.dump(schema, sys.stdout, indent=1, sort_keys=True, ensure_ascii=False)
sys.stdout.write("\n")
