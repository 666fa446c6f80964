"""``close_topic_lists [--json]``: close published 揭榜领题 lists whose deadline has passed (nightly)."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand

from jixing.training import topic_actions


class Command(BaseCommand):
    help = "Close published topic lists (揭榜领题) whose application deadline has passed."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--json", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        closed = topic_actions.close_lists_past_deadline()
        self.stdout.write(json.dumps({"closed": closed}) if options["json"] else f"closed: {closed}")
