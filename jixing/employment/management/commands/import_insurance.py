"""``manage.py import_insurance FILE [--json] [--dry-run] [--user NAME]``: monthly social-insurance
contribution rows (公民身份号码, 单位统一社会信用代码, 缴费月份, 缴费基数). See
``jixing/employment/importers.py`` for the rules; ``--json`` prints one summary line with
``created``/``updated``/``unchanged``, ``rejected`` rows with reasons, ``held`` (rows of
persons not registered yet, kept aside) and the placements confirmed or derived."""

from __future__ import annotations

from jixing.imports.commands import ImportCommand


class Command(ImportCommand):
    kind = "insurance"
    help = "Import social-insurance contribution records (upsert on person × employer × month)."
