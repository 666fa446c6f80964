"""``manage.py import_certificates FILE [--json] [--dry-run] [--user NAME]``: the national
certificate register extract (证书编号, 姓名, 公民身份号码, 职业(工种), 等级, 发证日期, 评价机构).
See ``OutsideCertificateImporter`` in ``jixing/evaluation/importers.py``."""

from __future__ import annotations

from jixing.imports.commands import ImportCommand


class Command(ImportCommand):
    kind = "outside_certificates"
    help = "Import certificates of other evaluation bodies from the national register extract."
