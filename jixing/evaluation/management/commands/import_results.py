"""``import_results FILE --session CODE [--json] [--dry-run] [--user NAME]``: a session's scores
from .xlsx/.csv (姓名, 公民身份号码, 理论成绩, 技能成绩, 综合成绩, 考评员) through the shared
import pipeline. With ``--json`` it prints ONE line: created/updated/unchanged, rejected rows
with row number, column and Chinese reason, seconds. Rows are entered as drafts by ``--user``
(default: the evaluator account that created the session). File-level problems exit with 2.
"""

from __future__ import annotations

import json
from typing import Any, NoReturn

from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from jixing.accounts.models import User
from jixing.evaluation.importers import import_results_file
from jixing.evaluation.models import EvaluationSession
from jixing.imports.pipeline import FileRejected

FILE_ERROR_EXIT_CODE = 2


class Command(BaseCommand):
    help = "Import the theory/practical/comprehensive scores of one evaluation session."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="an .xlsx or .csv file")
        parser.add_argument("--session", required=True, help="evaluation session code, e.g. PC2025000001")
        parser.add_argument("--json", action="store_true", help="print one JSON summary line")
        parser.add_argument("--dry-run", action="store_true", help="check every row, write nothing")
        parser.add_argument("--user", default="", help="enter the scores as this user (of the session's organisation)")

    def _fail(self, message: str, as_json: bool) -> NoReturn:
        if as_json:
            self.stdout.write(json.dumps({"error": message}, ensure_ascii=False))
        raise CommandError(message, returncode=FILE_ERROR_EXIT_CODE)

    def handle(self, *args: Any, **options: Any) -> None:
        as_json = options["json"]
        session = (EvaluationSession.objects.select_related("filing__organisation", "created_by")
                   .filter(code=options["session"].strip()).first())
        if session is None:
            self._fail(_("No evaluation session has the code %(code)s.") % {"code": options["session"][:40]}, as_json)
        user = session.created_by
        if options["user"]:
            user = User.objects.filter(username=options["user"], is_active=True).first()
            if user is None:
                self._fail(_("No active user named %(name)s.") % {"name": options["user"]}, as_json)
        try:
            result = import_results_file(session, options["file"], by=user, dry_run=options["dry_run"])
        except FileRejected as exc:
            self._fail(exc.message, as_json)
        except PermissionDenied:
            self._fail(_("This user may not enter results for this session."), as_json)
        summary = result.summary()
        if as_json:
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
