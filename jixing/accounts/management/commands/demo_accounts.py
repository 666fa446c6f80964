"""Print the demo accounts of this installation (demo only; never in production)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = "Print the demo accounts and their generated passwords."

    def handle(self, *args: Any, **options: Any) -> None:
        if settings.PRODUCTION:
            raise CommandError("Demo accounts do not exist in production.")
        path = settings.VAR_DIR / "demo-accounts.txt"
        if not path.exists():
            raise CommandError("No demo accounts yet: run `make run` (or `manage.py seed_demo`).")
        self.stdout.write("=" * 64)
        self.stdout.write("DEMO ACCOUNTS — for trying jixing only, never for real data")
        self.stdout.write("演示账号（仅供体验，切勿用于真实数据）")
        self.stdout.write("-" * 64)
        for line in path.read_text(encoding="utf-8").splitlines():
            username, password, role = line.split("\t")
            self.stdout.write(f"  {username:<12} {password:<24} {role}")
        self.stdout.write("=" * 64)
