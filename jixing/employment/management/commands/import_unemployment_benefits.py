"""``manage.py import_unemployment_benefits FILE [--json] [--dry-run] [--user NAME]``: periods of
drawing unemployment benefit (公民身份号码, 领取起始日期, 领取终止日期, 参保地). See
``jixing/employment/importers.py``; ``--json`` prints one summary line."""

from __future__ import annotations

from jixing.imports.commands import ImportCommand


class Command(ImportCommand):
    kind = "unemployment_benefits"
    help = "Import unemployment-benefit periods (upsert on person × start date)."
