"""``import_department_trainings FILE --user OFFICER [--dry-run] [--json]`` (stats/importers.py)."""

from __future__ import annotations

from jixing.imports.commands import ImportCommand


class Command(ImportCommand):
    help = "Import a sector department's training records (person-based counting, duplicates merged)."
    kind = "department_trainings"
