"""manage.py import_roster FILE --class CODE [--json] [--dry-run] [--user NAME]

Enroll the persons of a roster (姓名, 公民身份号码, 手机号码, 人员类别) into a class, deciding
each one's eligibility; see ``jixing.training.importers.RosterImporter``. The JSON summary
adds ``ineligible`` (enrolled unsubsidised, with reasons) and ``persons_created``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import CommandError, CommandParser
from django.utils.translation import gettext as _

from jixing.imports.commands import FILE_ERROR_EXIT_CODE
from jixing.imports.pipeline import ImportResult, inspect_upload, preflight, run_import
from jixing.training.importers import RosterImporter
from jixing.training.models import TrainingClass

from ._output import TrainingImportCommand


class Command(TrainingImportCommand):
    help = "Enroll a roster file into a class, with each person's eligibility decision."

    def add_arguments(self, parser: CommandParser) -> None:
        super().add_arguments(parser)
        parser.add_argument("--class", dest="class_code", default="", help="the class code, e.g. BJ-370102-2026-0001")

    def run(self, options: dict[str, Any]) -> ImportResult:
        user = self.user(options["user"])
        klass = None
        if options["class_code"]:
            qs = TrainingClass.objects.select_related("project", "project__occupation", "project__level")
            if user is not None:
                qs = qs.filter(project__organiser_id=user.organisation_id or -1)
            klass = qs.filter(code=options["class_code"]).first()
            if klass is None:
                raise CommandError(_("Unknown class code “%(code)s”.") % {"code": options["class_code"]},
                                   returncode=FILE_ERROR_EXIT_CODE)
        path = Path(options["file"])
        info = inspect_upload(path, path.name)
        preflight(RosterImporter, path, info)
        importer = RosterImporter(user=user, klass=klass)
        return run_import(importer, path, info, dry_run=options["dry_run"], by=user)
