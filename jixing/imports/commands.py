"""Base for ``import_<kind> FILE [--json] [--dry-run] [--user NAME]`` management commands.

A command module is::

    from jixing.imports.commands import ImportCommand

    class Command(ImportCommand):
        kind = "persons"
        help = "Import persons from .xlsx/.csv (upsert on the ID number)."

With ``--json`` it prints ONE line: ``{"created", "updated", "unchanged", "rejected": [{"row",
"field", "reason"}], "seconds", …}``. File-level problems (SECURITY.md F1) exit with code 2
(with ``--json`` the line is ``{"error": "…"}``); rejected rows do not change the exit code.
"""

from __future__ import annotations

import argparse
import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from .actions import import_path
from .pipeline import FileRejected

FILE_ERROR_EXIT_CODE = 2


class ImportCommand(BaseCommand):
    kind: str = ""

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="an .xlsx or .csv file")
        parser.add_argument("--json", action="store_true", help="print one JSON summary line")
        parser.add_argument("--dry-run", action="store_true", help="check every row, write nothing")
        parser.add_argument("--user", default="", help="act as this user (their data scope applies)")
        parser.add_argument("--chunk-size", type=int, default=None, help=argparse.SUPPRESS)

    def handle(self, *args: Any, **options: Any) -> None:
        user = self._user(options["user"])
        try:
            result, job = import_path(self.kind, options["file"], by=user, dry_run=options["dry_run"],
                                      chunk_size=options["chunk_size"])
        except FileRejected as exc:
            if options["json"]:
                self.stdout.write(json.dumps({"error": exc.message}, ensure_ascii=False))
            raise CommandError(exc.message, returncode=FILE_ERROR_EXIT_CODE)
        summary = result.summary()
        if job is not None:
            summary["job"] = job.pk
        if options["json"]:
            self.stdout.write(json.dumps(summary, ensure_ascii=False, separators=(",", ":")))
            return
        self.stdout.write(
            _("%(mode)s%(created)d created, %(updated)d updated, %(unchanged)d unchanged, "
              "%(rejected)d rows rejected (%(seconds).1f s).")
            % {"mode": _("Dry run: ") if result.dry_run else "", "created": result.counts.created,
               "updated": result.counts.updated, "unchanged": result.counts.unchanged,
               "rejected": result.rejected_rows, "seconds": result.seconds}
        )
        for err in result.errors:
            self.stdout.write(_("row %(row)d, %(field)s: %(reason)s")
                              % {"row": err.row, "field": err.field or "—", "reason": err.reason})

    def _user(self, username: str) -> Any:
        if not username:
            return None
        from jixing.accounts.models import User

        user = User.objects.filter(username=username, is_active=True).first()
        if user is None:
            raise CommandError(_("No active user named %(name)s.") % {"name": username}, returncode=FILE_ERROR_EXIT_CODE)
        return user
