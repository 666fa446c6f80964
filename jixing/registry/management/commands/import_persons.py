"""manage.py import_persons FILE [--json] [--dry-run] [--user NAME]: upsert persons on the ID number."""

from __future__ import annotations

from jixing.imports.commands import ImportCommand


class Command(ImportCommand):
    kind = "persons"
    help = "Import persons from an .xlsx/.csv file (upsert on the resident ID number); see jixing.registry.importers."
