"""``manage.py import_card_accounts FILE [--json] [--dry-run] [--user NAME]``: persons' 社会保障卡
financial accounts from the card bank's file (公民身份号码, 姓名, 社保卡银行账号, 开户银行)."""

from __future__ import annotations

from jixing.imports.commands import ImportCommand


class Command(ImportCommand):
    kind = "card_accounts"
    help = "Import social security card accounts from the card bank's file."
