"""Shared printing for the training import commands (same shape as ``ImportCommand``)."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from jixing.imports.commands import FILE_ERROR_EXIT_CODE
from jixing.imports.pipeline import FileRejected, ImportResult


class TrainingImportCommand(BaseCommand):
    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="an .xlsx or .csv file")
        parser.add_argument("--json", action="store_true", help="print one JSON summary line")
        parser.add_argument("--dry-run", action="store_true", help="check every row, write nothing")
        parser.add_argument("--user", default="", help="act as this user (their organisation's classes only)")

    def run(self, options: dict[str, Any]) -> ImportResult:
        raise NotImplementedError

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            result = self.run(options)
        except FileRejected as exc:
            if options["json"]:
                self.stdout.write(json.dumps({"error": exc.message}, ensure_ascii=False))
            raise CommandError(exc.message, returncode=FILE_ERROR_EXIT_CODE) from None
        summary = result.summary()
        if options["json"]:
            self.stdout.write(json.dumps(summary, ensure_ascii=False, separators=(",", ":"), default=str))
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
        for entry in summary.get("ineligible", []):
            self.stdout.write(_("row %(row)d, not subsidised: %(reason)s") % entry)

    def user(self, username: str) -> Any:
        if not username:
            return None
        from jixing.accounts.models import User

        user = User.objects.filter(username=username, is_active=True).first()
        if user is None:
            raise CommandError(_("No active user named %(name)s.") % {"name": username}, returncode=FILE_ERROR_EXIT_CODE)
        return user
